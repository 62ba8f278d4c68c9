/*
 * z3shim: makes Microsoft.Z3 4.12 (managed) sound on Debian's libz3 4.8.12.
 *
 * Built by generate.sh into a library named libz3.so that .NET loads (from the application folder) ahead of the
 * system library. See README.md next to this file for the design; in short:
 *
 *  - The real library (libz3.so.4) is loaded privately (dlopen RTLD_LOCAL) from a constructor, so that libz3's own
 *    calls to its exported Z3_* functions (691 of them go through its PLT) keep binding to libz3 itself.
 *  - Every exported Z3_* function that this file does not define is re-exported by a generated trampoline
 *    (trampolines.g.S) that jumps through z3shim_targets[i], filled by dlsym at load time.
 *  - Z3_enable_concurrent_dec_ref (absent in 4.8.12) is implemented here: releases (the 16 *_dec_ref functions and
 *    Z3_del_constructor[_list]) issued by a thread other than the context's current user (the .NET finalizer thread)
 *    are queued per context and applied by the user thread at its next *_inc_ref, and at Z3_del_context.
 *  - Z3_get_decl_kind's result is renumbered from the library's numbering to Z3 4.12's (decl_kinds.g.h).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_VERSION "z3shim 1"

/* Declared by Z3 4.11+ headers, absent from 4.8.12's. */
SHIM_EXPORT void Z3_enable_concurrent_dec_ref(Z3_context c);

/* ---------------------------------------------------------------------------------------------------------------
 * Loading the real library
 * ------------------------------------------------------------------------------------------------------------- */

#ifndef Z3SHIM_REAL_LIBRARY
#define Z3SHIM_REAL_LIBRARY "libz3.so.4"
#endif

/* Generated from the real library's exports (symbols.g.c, trampolines.g.S) and the decl-kind tables
 * (decl_kinds.g.c). z3shim_targets[i] is the jump target of the trampoline of z3shim_symbol_names[i]; each starts at
 * the "unresolved" stub and is overwritten by dlsym at load time. */
#define HIDDEN __attribute__((visibility("hidden")))
HIDDEN extern void *z3shim_targets[];
HIDDEN extern const char *const z3shim_symbol_names[];
HIDDEN extern const size_t z3shim_symbol_count;
HIDDEN int z3shim_renumber_decl_kind(int kind);
HIDDEN void z3shim_unresolved_trampoline(void);

static void *real_handle;
static char load_error[512];
static char real_path[512];

typedef void (*release_fn)(Z3_context, void *);
typedef Z3_context (*mk_context_fn)(Z3_config);
typedef void (*del_context_fn)(Z3_context);
typedef Z3_decl_kind (*get_decl_kind_fn)(Z3_context, Z3_func_decl);
typedef Z3_error_code (*get_error_code_fn)(Z3_context);
typedef void (*set_error_handler_fn)(Z3_context, Z3_error_handler);

/* Object kinds whose release may be queued. The first 16 have a matching *_inc_ref. */
enum kind {
    K_AST, K_APPLY_RESULT, K_AST_MAP, K_AST_VECTOR, K_FIXEDPOINT, K_FUNC_ENTRY, K_FUNC_INTERP, K_GOAL, K_MODEL,
    K_OPTIMIZE, K_PARAM_DESCRS, K_PARAMS, K_PROBE, K_SOLVER, K_STATS, K_TACTIC, K_CONSTRUCTOR, K_CONSTRUCTOR_LIST,
    K_COUNT
};
#define K_RETAIN_COUNT K_CONSTRUCTOR

static const char *const release_names[K_COUNT] = {
    "Z3_dec_ref", "Z3_apply_result_dec_ref", "Z3_ast_map_dec_ref", "Z3_ast_vector_dec_ref", "Z3_fixedpoint_dec_ref",
    "Z3_func_entry_dec_ref", "Z3_func_interp_dec_ref", "Z3_goal_dec_ref", "Z3_model_dec_ref", "Z3_optimize_dec_ref",
    "Z3_param_descrs_dec_ref", "Z3_params_dec_ref", "Z3_probe_dec_ref", "Z3_solver_dec_ref", "Z3_stats_dec_ref",
    "Z3_tactic_dec_ref", "Z3_del_constructor", "Z3_del_constructor_list"
};
static const char *const retain_names[K_RETAIN_COUNT] = {
    "Z3_inc_ref", "Z3_apply_result_inc_ref", "Z3_ast_map_inc_ref", "Z3_ast_vector_inc_ref", "Z3_fixedpoint_inc_ref",
    "Z3_func_entry_inc_ref", "Z3_func_interp_inc_ref", "Z3_goal_inc_ref", "Z3_model_inc_ref", "Z3_optimize_inc_ref",
    "Z3_param_descrs_inc_ref", "Z3_params_inc_ref", "Z3_probe_inc_ref", "Z3_solver_inc_ref", "Z3_stats_inc_ref",
    "Z3_tactic_inc_ref"
};

static release_fn real_release[K_COUNT];
static release_fn real_retain[K_RETAIN_COUNT];
static mk_context_fn real_mk_context;
static mk_context_fn real_mk_context_rc;
static del_context_fn real_del_context;
static get_decl_kind_fn real_get_decl_kind;
static get_error_code_fn real_get_error_code;
static set_error_handler_fn real_set_error_handler;

__attribute__((noreturn)) static void fail(const char *what)
{
    fprintf(stderr, "z3shim: %s%s%s\n", what, load_error[0] ? ": " : "", load_error);
    fflush(stderr);
    abort();
}

/* Called (through an assembly stub that passes the symbol index) when a re-exported function is missing. */
HIDDEN __attribute__((noreturn)) void z3shim_unresolved(size_t index)
{
    char message[256];
    snprintf(message, sizeof message, "%s is not available in the loaded Z3 library",
             index < z3shim_symbol_count ? z3shim_symbol_names[index] : "a function");
    fail(message);
}

static void *resolve(const char *name)
{
    return real_handle != NULL ? dlsym(real_handle, name) : NULL;
}

__attribute__((constructor)) static void z3shim_load(void)
{
    for (size_t i = 0; i < z3shim_symbol_count; i++) {
        z3shim_targets[i] = (void *)&z3shim_unresolved_trampoline;
    }
    /* RTLD_LOCAL: the real library gets its own lookup scope, which does not contain this shim. */
    real_handle = dlopen(Z3SHIM_REAL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (real_handle == NULL) {
        const char *error = dlerror();
        snprintf(load_error, sizeof load_error, "could not load %s: %s", Z3SHIM_REAL_LIBRARY,
                 error != NULL ? error : "unknown error");
        return;
    }
    for (size_t i = 0; i < z3shim_symbol_count; i++) {
        void *target = dlsym(real_handle, z3shim_symbol_names[i]);
        if (target != NULL) {
            z3shim_targets[i] = target;
        }
    }
    for (int k = 0; k < K_COUNT; k++) {
        real_release[k] = (release_fn)resolve(release_names[k]);
    }
    for (int k = 0; k < K_RETAIN_COUNT; k++) {
        real_retain[k] = (release_fn)resolve(retain_names[k]);
    }
    real_mk_context = (mk_context_fn)resolve("Z3_mk_context");
    real_mk_context_rc = (mk_context_fn)resolve("Z3_mk_context_rc");
    real_del_context = (del_context_fn)resolve("Z3_del_context");
    real_get_decl_kind = (get_decl_kind_fn)resolve("Z3_get_decl_kind");
    real_get_error_code = (get_error_code_fn)resolve("Z3_get_error_code");
    real_set_error_handler = (set_error_handler_fn)resolve("Z3_set_error_handler");

    Dl_info info;
    void *probe = (void *)real_del_context;
    if (probe != NULL && dladdr(probe, &info) != 0 && info.dli_fname != NULL) {
        snprintf(real_path, sizeof real_path, "%s", info.dli_fname);
    }
}

#define REQUIRE(fn) do { if ((fn) == NULL) fail(#fn " is not available"); } while (0)

/* ---------------------------------------------------------------------------------------------------------------
 * Statistics (read by the managed side through Z3Shim_GetStatistics)
 * ------------------------------------------------------------------------------------------------------------- */

enum statistic {
    S_CONTEXTS_CREATED, S_CONTEXTS_DELETED, S_RELEASED_DIRECT, S_RELEASED_QUEUED, S_RELEASED_DRAINED,
    S_RELEASED_DROPPED, S_DECL_KINDS_RENUMBERED, S_COUNT
};
static _Atomic uint64_t statistics[S_COUNT];

static inline void count(enum statistic s, uint64_t n)
{
    atomic_fetch_add_explicit(&statistics[s], n, memory_order_relaxed);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Context registry. Slots live in chunks that are never freed, so a slot pointer read by any thread stays valid;
 * a slot is free when its ctx is NULL and is reused by later contexts.
 * ------------------------------------------------------------------------------------------------------------- */

struct pending_release {
    void *object;
    int kind;
};

struct context_state {
    _Atomic(Z3_context) ctx;
    _Atomic(uintptr_t) user;          /* thread that created the context or last called one of its *_inc_ref */
    atomic_bool concurrent;           /* Z3_enable_concurrent_dec_ref was called */
    atomic_size_t pending;            /* number of queued releases (read without the mutex as a fast check) */
    pthread_mutex_t mutex;            /* protects queue, queue_count, queue_capacity, spare, spare_capacity */
    struct pending_release *queue;
    size_t queue_count, queue_capacity;
    struct pending_release *spare;    /* the other buffer: drained entries are processed from it */
    size_t spare_capacity;
};

#define CHUNK_SLOTS 64
struct chunk {
    struct context_state slots[CHUNK_SLOTS];
    _Atomic(struct chunk *) next;
};

static struct chunk first_chunk;
static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void init_chunk(struct chunk *chunk)
{
    for (int i = 0; i < CHUNK_SLOTS; i++) {
        pthread_mutex_init(&chunk->slots[i].mutex, NULL);
    }
}

static void init_registry(void)
{
    init_chunk(&first_chunk);
}

static inline uintptr_t current_thread(void)
{
    return (uintptr_t)pthread_self();
}

static struct context_state *find(Z3_context c)
{
    if (c == NULL) {
        return NULL; /* free slots hold NULL */
    }
    for (struct chunk *chunk = &first_chunk; chunk != NULL;
         chunk = atomic_load_explicit(&chunk->next, memory_order_acquire)) {
        for (int i = 0; i < CHUNK_SLOTS; i++) {
            if (atomic_load_explicit(&chunk->slots[i].ctx, memory_order_acquire) == c) {
                return &chunk->slots[i];
            }
        }
    }
    return NULL;
}

static void register_context(Z3_context c)
{
    pthread_once(&registry_once, init_registry);
    pthread_mutex_lock(&registry_mutex);
    struct context_state *slot = NULL;
    struct chunk *last = NULL;
    for (struct chunk *chunk = &first_chunk; chunk != NULL && slot == NULL;
         chunk = atomic_load_explicit(&chunk->next, memory_order_acquire)) {
        last = chunk;
        for (int i = 0; i < CHUNK_SLOTS; i++) {
            if (atomic_load_explicit(&chunk->slots[i].ctx, memory_order_relaxed) == NULL) {
                slot = &chunk->slots[i];
                break;
            }
        }
    }
    if (slot == NULL) {
        struct chunk *chunk = calloc(1, sizeof *chunk);
        if (chunk == NULL) {
            fail("out of memory registering a context");
        }
        init_chunk(chunk);
        atomic_store_explicit(&last->next, chunk, memory_order_release);
        slot = &chunk->slots[0];
    }
    atomic_store_explicit(&slot->user, current_thread(), memory_order_relaxed);
    atomic_store_explicit(&slot->concurrent, false, memory_order_relaxed);
    atomic_store_explicit(&slot->pending, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->ctx, c, memory_order_release);
    pthread_mutex_unlock(&registry_mutex);
    count(S_CONTEXTS_CREATED, 1);
}

/* Applies every queued release of the slot's context on the calling thread (the context's current user). */
static void drain(struct context_state *s, Z3_context c)
{
    if (atomic_load_explicit(&s->pending, memory_order_acquire) == 0) {
        return;
    }
    pthread_mutex_lock(&s->mutex);
    struct pending_release *items = s->queue;
    size_t n = s->queue_count, capacity = s->queue_capacity;
    s->queue = s->spare;
    s->queue_capacity = s->spare_capacity;
    s->queue_count = 0;
    s->spare = NULL;
    s->spare_capacity = 0;
    atomic_store_explicit(&s->pending, 0, memory_order_release);
    pthread_mutex_unlock(&s->mutex);

    for (size_t i = 0; i < n; i++) {
        real_release[items[i].kind](c, items[i].object);
    }
    count(S_RELEASED_DRAINED, n);

    pthread_mutex_lock(&s->mutex);
    if (s->spare == NULL) {
        s->spare = items;
        s->spare_capacity = capacity;
        items = NULL;
    }
    pthread_mutex_unlock(&s->mutex);
    free(items);
}

static void release(Z3_context c, int kind, void *object)
{
    if (object == NULL) {
        return;
    }
    struct context_state *s = c != NULL ? find(c) : NULL;
    if (s == NULL) {
        /* NULL or deleted context: the object went with its context (Microsoft.Z3's Constructor finalizer passes a
         * NULL context once the Context is disposed). Releasing it would touch freed memory. */
        count(S_RELEASED_DROPPED, 1);
        return;
    }
    REQUIRE(real_release[kind]);
    if (!atomic_load_explicit(&s->concurrent, memory_order_acquire) ||
        atomic_load_explicit(&s->user, memory_order_relaxed) == current_thread()) {
        real_release[kind](c, object);
        count(S_RELEASED_DIRECT, 1);
        return;
    }
    pthread_mutex_lock(&s->mutex);
    if (atomic_load_explicit(&s->ctx, memory_order_relaxed) != c) {
        pthread_mutex_unlock(&s->mutex);
        count(S_RELEASED_DROPPED, 1);
        return;
    }
    if (s->queue_count == s->queue_capacity) {
        size_t capacity = s->queue_capacity != 0 ? 2 * s->queue_capacity : 256;
        struct pending_release *grown = realloc(s->queue, capacity * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&s->mutex);
            fail("out of memory queueing a release");
        }
        s->queue = grown;
        s->queue_capacity = capacity;
    }
    s->queue[s->queue_count].object = object;
    s->queue[s->queue_count].kind = kind;
    s->queue_count++;
    atomic_store_explicit(&s->pending, s->queue_count, memory_order_release);
    pthread_mutex_unlock(&s->mutex);
    count(S_RELEASED_QUEUED, 1);
}

static void retain(Z3_context c, int kind, void *object)
{
    REQUIRE(real_retain[kind]);
    /* Retain first, then drain: the object being retained may be kept alive only by a parent whose release is
     * queued (for instance an argument returned by Z3_get_app_arg). */
    real_retain[kind](c, object);
    struct context_state *s = c != NULL ? find(c) : NULL;
    if (s == NULL) {
        return;
    }
    uintptr_t self = current_thread();
    if (atomic_load_explicit(&s->user, memory_order_relaxed) != self) {
        atomic_store_explicit(&s->user, self, memory_order_relaxed);
    }
    drain(s, c);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Exported overrides
 * ------------------------------------------------------------------------------------------------------------- */

SHIM_EXPORT Z3_context Z3_mk_context(Z3_config cfg)
{
    REQUIRE(real_mk_context);
    Z3_context c = real_mk_context(cfg);
    if (c != NULL) {
        register_context(c);
    }
    return c;
}

SHIM_EXPORT Z3_context Z3_mk_context_rc(Z3_config cfg)
{
    REQUIRE(real_mk_context_rc);
    Z3_context c = real_mk_context_rc(cfg);
    if (c != NULL) {
        register_context(c);
    }
    return c;
}

SHIM_EXPORT void Z3_enable_concurrent_dec_ref(Z3_context c)
{
    struct context_state *s = c != NULL ? find(c) : NULL;
    if (s != NULL) {
        atomic_store_explicit(&s->concurrent, true, memory_order_release);
    }
}

SHIM_EXPORT void Z3_del_context(Z3_context c)
{
    REQUIRE(real_del_context);
    struct context_state *s = c != NULL ? find(c) : NULL;
    if (s != NULL) {
        /* Whoever deletes the context is its last user (Microsoft.Z3 may do it from ~Context on the finalizer
         * thread, once nothing else can reach the context), so the queue is applied here. No error handler may run
         * from here on: Context.Dispose lets go of the managed one before this call. */
        if (real_set_error_handler != NULL) {
            real_set_error_handler(c, NULL);
        }
        pthread_mutex_lock(&s->mutex);
        atomic_store_explicit(&s->ctx, NULL, memory_order_release); /* later releases for c are dropped */
        struct pending_release *items = s->queue;
        size_t n = s->queue_count;
        free(s->spare);
        s->queue = s->spare = NULL;
        s->queue_count = s->queue_capacity = s->spare_capacity = 0;
        atomic_store_explicit(&s->pending, 0, memory_order_relaxed);
        pthread_mutex_unlock(&s->mutex);
        for (size_t i = 0; i < n; i++) {
            real_release[items[i].kind](c, items[i].object);
        }
        free(items);
        count(S_RELEASED_DRAINED, n);
        count(S_CONTEXTS_DELETED, 1);
    }
    real_del_context(c);
}

SHIM_EXPORT Z3_error_code Z3_get_error_code(Z3_context c)
{
    if (c == NULL) {
        /* Microsoft.Z3's Constructor finalizer checks the error code of a NULL context after a dropped release. */
        return Z3_OK;
    }
    REQUIRE(real_get_error_code);
    return real_get_error_code(c);
}

SHIM_EXPORT Z3_decl_kind Z3_get_decl_kind(Z3_context c, Z3_func_decl d)
{
    REQUIRE(real_get_decl_kind);
    int native = (int)real_get_decl_kind(c, d);
    int renumbered = z3shim_renumber_decl_kind(native);
    if (renumbered != native) {
        count(S_DECL_KINDS_RENUMBERED, 1);
    }
    return (Z3_decl_kind)renumbered;
}

#define RELEASE(name, kind, type) \
    SHIM_EXPORT void name(Z3_context c, type o) { release(c, kind, (void *)o); }
#define RETAIN(name, kind, type) \
    SHIM_EXPORT void name(Z3_context c, type o) { retain(c, kind, (void *)o); }

RELEASE(Z3_dec_ref, K_AST, Z3_ast)
RELEASE(Z3_apply_result_dec_ref, K_APPLY_RESULT, Z3_apply_result)
RELEASE(Z3_ast_map_dec_ref, K_AST_MAP, Z3_ast_map)
RELEASE(Z3_ast_vector_dec_ref, K_AST_VECTOR, Z3_ast_vector)
RELEASE(Z3_fixedpoint_dec_ref, K_FIXEDPOINT, Z3_fixedpoint)
RELEASE(Z3_func_entry_dec_ref, K_FUNC_ENTRY, Z3_func_entry)
RELEASE(Z3_func_interp_dec_ref, K_FUNC_INTERP, Z3_func_interp)
RELEASE(Z3_goal_dec_ref, K_GOAL, Z3_goal)
RELEASE(Z3_model_dec_ref, K_MODEL, Z3_model)
RELEASE(Z3_optimize_dec_ref, K_OPTIMIZE, Z3_optimize)
RELEASE(Z3_param_descrs_dec_ref, K_PARAM_DESCRS, Z3_param_descrs)
RELEASE(Z3_params_dec_ref, K_PARAMS, Z3_params)
RELEASE(Z3_probe_dec_ref, K_PROBE, Z3_probe)
RELEASE(Z3_solver_dec_ref, K_SOLVER, Z3_solver)
RELEASE(Z3_stats_dec_ref, K_STATS, Z3_stats)
RELEASE(Z3_tactic_dec_ref, K_TACTIC, Z3_tactic)
RELEASE(Z3_del_constructor, K_CONSTRUCTOR, Z3_constructor)
RELEASE(Z3_del_constructor_list, K_CONSTRUCTOR_LIST, Z3_constructor_list)

RETAIN(Z3_inc_ref, K_AST, Z3_ast)
RETAIN(Z3_apply_result_inc_ref, K_APPLY_RESULT, Z3_apply_result)
RETAIN(Z3_ast_map_inc_ref, K_AST_MAP, Z3_ast_map)
RETAIN(Z3_ast_vector_inc_ref, K_AST_VECTOR, Z3_ast_vector)
RETAIN(Z3_fixedpoint_inc_ref, K_FIXEDPOINT, Z3_fixedpoint)
RETAIN(Z3_func_entry_inc_ref, K_FUNC_ENTRY, Z3_func_entry)
RETAIN(Z3_func_interp_inc_ref, K_FUNC_INTERP, Z3_func_interp)
RETAIN(Z3_goal_inc_ref, K_GOAL, Z3_goal)
RETAIN(Z3_model_inc_ref, K_MODEL, Z3_model)
RETAIN(Z3_optimize_inc_ref, K_OPTIMIZE, Z3_optimize)
RETAIN(Z3_param_descrs_inc_ref, K_PARAM_DESCRS, Z3_param_descrs)
RETAIN(Z3_params_inc_ref, K_PARAMS, Z3_params)
RETAIN(Z3_probe_inc_ref, K_PROBE, Z3_probe)
RETAIN(Z3_solver_inc_ref, K_SOLVER, Z3_solver)
RETAIN(Z3_stats_inc_ref, K_STATS, Z3_stats)
RETAIN(Z3_tactic_inc_ref, K_TACTIC, Z3_tactic)

/* ---------------------------------------------------------------------------------------------------------------
 * Shim introspection (Planning.Provers.Smt.Z3NativeShim)
 * ------------------------------------------------------------------------------------------------------------- */

SHIM_EXPORT const char *Z3Shim_Version(void)
{
    return SHIM_VERSION;
}

/* NULL when the real library was loaded, else why not. */
SHIM_EXPORT const char *Z3Shim_LoadError(void)
{
    return load_error[0] != '\0' ? load_error : NULL;
}

SHIM_EXPORT const char *Z3Shim_RealLibraryPath(void)
{
    return real_path;
}

static ElfW(Addr) dynamic_address(const struct link_map *map, ElfW(Addr) value)
{
    /* glibc stores most dynamic-section addresses already relocated; an unrelocated one is a small offset. */
    return value < map->l_addr ? value + map->l_addr : value;
}

/* Checks where the real library's own references to Z3_* functions (its PLT and GOT relocations, bound at load time:
 * RTLD_NOW) point. Returns the number of such references, or -1 if the library is not loaded; *to_shim receives how
 * many of them are bound to this shim instead of the real library. It must be 0: libz3 calls 691 of its own exported
 * functions through its PLT, and those calls must not reach the overrides here. */
SHIM_EXPORT int Z3Shim_CheckInternalBindings(int *to_shim)
{
    *to_shim = 0;
    struct link_map *map = NULL;
    if (real_handle == NULL || dlinfo(real_handle, RTLD_DI_LINKMAP, &map) != 0 || map == NULL) {
        return -1;
    }
    const ElfW(Sym) *symbols = NULL;
    const char *strings = NULL;
    const ElfW(Rela) *tables[2] = { NULL, NULL };
    size_t sizes[2] = { 0, 0 };
    for (const ElfW(Dyn) *d = map->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: symbols = (const ElfW(Sym) *)dynamic_address(map, d->d_un.d_ptr); break;
        case DT_STRTAB: strings = (const char *)dynamic_address(map, d->d_un.d_ptr); break;
        case DT_JMPREL: tables[0] = (const ElfW(Rela) *)dynamic_address(map, d->d_un.d_ptr); break;
        case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
        case DT_RELA: tables[1] = (const ElfW(Rela) *)dynamic_address(map, d->d_un.d_ptr); break;
        case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
        default: break;
        }
    }
    Dl_info self;
    if (symbols == NULL || strings == NULL || dladdr((void *)&Z3Shim_Version, &self) == 0) {
        return -1;
    }
    int checked = 0;
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; tables[t] != NULL && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) *r = &tables[t][i];
            unsigned long type = ELF64_R_TYPE(r->r_info);
            if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT && type != R_X86_64_64) {
                continue;
            }
            const char *name = strings + symbols[ELF64_R_SYM(r->r_info)].st_name;
            if (strncmp(name, "Z3_", 3) != 0) {
                continue;
            }
            void *target = *(void *const *)(map->l_addr + r->r_offset);
            Dl_info info;
            checked++;
            if (dladdr(target, &info) != 0 && info.dli_fbase == self.dli_fbase) {
                ++*to_shim;
            }
        }
    }
    return checked;
}

/* Number of contexts alive and number of releases currently queued. */
static void live_counts(uint64_t *contexts, uint64_t *queued)
{
    *contexts = 0;
    *queued = 0;
    for (struct chunk *chunk = &first_chunk; chunk != NULL;
         chunk = atomic_load_explicit(&chunk->next, memory_order_acquire)) {
        for (int i = 0; i < CHUNK_SLOTS; i++) {
            if (atomic_load_explicit(&chunk->slots[i].ctx, memory_order_acquire) != NULL) {
                ++*contexts;
                *queued += atomic_load_explicit(&chunk->slots[i].pending, memory_order_relaxed);
            }
        }
    }
}

/* Writes up to `length` counters: contexts created, contexts deleted, releases applied directly, releases queued,
 * queued releases applied, releases dropped (NULL or deleted context), decl kinds renumbered, contexts alive,
 * releases queued now. Returns the number of counters the shim has. */
SHIM_EXPORT int Z3Shim_GetStatistics(uint64_t *values, int length)
{
    uint64_t all[S_COUNT + 2];
    for (int i = 0; i < S_COUNT; i++) {
        all[i] = atomic_load_explicit(&statistics[i], memory_order_relaxed);
    }
    live_counts(&all[S_COUNT], &all[S_COUNT + 1]);
    int total = (int)(sizeof all / sizeof all[0]);
    for (int i = 0; i < length && i < total; i++) {
        values[i] = all[i];
    }
    return total;
}
