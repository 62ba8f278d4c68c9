"""The Planning library's real-time MoE planners (ultraep, eplb) in-process, through their C ABI.

Standard library only (ctypes). Build the library first: ``bindings/python/build.sh`` puts
``libplanning_native.so`` beside this file (or set ``PLANNING_NATIVE_LIB`` to its path).

Two forms:

* ``balance(case, policy="ultraep")``: a case dict shaped like ``plan moe generate`` output (ranks,
  ranksPerDomain, ranksPerNode, expertsPerRank, redundantSlotsPerRank, optional expertGroups,
  tokensPerRankLayer [layers][ranks][experts]) in, a dict shaped like ``plan moe balance --format json`` out.
* ``Planner(...)``: the zero-copy form a training loop calls every microbatch. ``planner.balance_into(tokens)``
  takes any C-contiguous int64 buffer (``array('q')``, ``memoryview``, a NumPy array, ``tensor.numpy()`` of a
  CPU torch tensor) holding one layer's [ranks][experts] counts, and writes the plan into the planner's
  buffers (or ones the caller passes), which stay valid until the next call.

The ABI is documented in docs/contracts.md ("The planner in-process: the C ABI").
"""

import ctypes
import os
import statistics
import time

__all__ = ["PlanningError", "Planner", "balance", "library_path"]

_OK, _INVALID_INPUT, _BUFFER_TOO_SMALL, _INVALID_HANDLE, _INTERNAL = 0, 1, 2, 3, 4
_POLICIES = ("ultraep", "eplb")
_I64P = ctypes.POINTER(ctypes.c_int64)


class PlanningError(ValueError):
    """A bad case field, a bad buffer, or a library that is not built. ``field`` names what was wrong."""

    def __init__(self, field, problem):
        super().__init__("%s: %s" % (field, problem))
        self.field = field
        self.problem = problem


def library_path():
    """Where the library is looked for: $PLANNING_NATIVE_LIB, else libplanning_native.so beside this module."""
    return os.environ.get("PLANNING_NATIVE_LIB") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "libplanning_native.so")


_lib = None


def _library():
    global _lib
    if _lib is not None:
        return _lib
    path = library_path()
    if not os.path.exists(path):
        raise PlanningError("library", "%s is not built: run bindings/python/build.sh" % path)
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise PlanningError("library", "cannot load %s (%s): run bindings/python/build.sh" % (path, e)) from e
    lib.planning_create.argtypes = [ctypes.c_char_p] + [ctypes.c_int32] * 6 + [ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p)]
    lib.planning_create.restype = ctypes.c_int32
    lib.planning_sizes.argtypes = [ctypes.c_void_p, _I64P]
    lib.planning_sizes.restype = ctypes.c_int32
    lib.planning_balance.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                     ctypes.c_void_p, ctypes.c_int64, _I64P,
                                     ctypes.c_void_p, ctypes.c_int64,
                                     ctypes.c_void_p, ctypes.c_int64, _I64P,
                                     ctypes.POINTER(ctypes.c_double)]
    lib.planning_balance.restype = ctypes.c_int32
    lib.planning_last_error.argtypes = [ctypes.c_char_p, ctypes.c_int32]
    lib.planning_last_error.restype = ctypes.c_int32
    lib.planning_allocated_bytes.argtypes = []
    lib.planning_allocated_bytes.restype = ctypes.c_int64
    lib.planning_destroy.argtypes = [ctypes.c_void_p]
    lib.planning_destroy.restype = None
    _lib = lib
    return lib


def _last_error(lib):
    buffer = ctypes.create_string_buffer(1024)
    lib.planning_last_error(buffer, len(buffer))
    message = buffer.value.decode("utf-8", "replace")
    field, _, problem = message.partition(": ")
    return PlanningError(field, problem) if problem else PlanningError("planner", message)


def _int64_view(obj, name, writable):
    """A flat int64 memoryview of a buffer-protocol object, without copying."""
    try:
        view = memoryview(obj)
    except TypeError:
        raise PlanningError(name, "must support the buffer protocol (array('q'), memoryview, a NumPy int64 array, "
                                  "tensor.numpy()), got %s" % type(obj).__name__) from None
    if view.itemsize != 8 or view.format not in ("q", "l", "<q", "<l", "=q", "=l", "@q", "@l"):
        raise PlanningError(name, "must hold int64 items, got format %r with %d-byte items" % (view.format, view.itemsize))
    if not view.c_contiguous:
        raise PlanningError(name, "must be C-contiguous")
    if writable and view.readonly:
        raise PlanningError(name, "must be writable")
    return view.cast("B").cast("q") if view.ndim != 1 or view.format != "q" else view


def _address(view):
    """The address of a memoryview's first byte (a read-only view is read through a writable alias only if it has one)."""
    if view.readonly:
        # ctypes cannot take the address of a read-only buffer; such inputs are copied once.
        return None
    return ctypes.addressof(ctypes.c_char.from_buffer(view)) if len(view) else None


def _check_int(case, name, minimum=1):
    value = case.get(name) if isinstance(case, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanningError(name, "is required and must be an integer, got %r" % (value,))
    if value < minimum:
        raise PlanningError(name, "must be at least %d, got %d" % (minimum, value))
    return value


class Planner:
    """One topology and policy, with the plan buffers of the last call (zero-copy form)."""

    def __init__(self, ranks, experts_per_rank, redundant_slots_per_rank, ranks_per_node, ranks_per_domain=None,
                 expert_groups=None, policy="ultraep", min_replica_quota=0):
        if policy not in _POLICIES:
            raise PlanningError("policy", "must be one of %s, got %r" % (", ".join(_POLICIES), policy))
        lib = _library()
        self._lib = lib
        self.policy = policy
        handle = ctypes.c_void_p()
        status = lib.planning_create(policy.encode(), ranks, ranks if ranks_per_domain is None else ranks_per_domain,
                                     ranks_per_node, experts_per_rank, redundant_slots_per_rank,
                                     0 if expert_groups is None else expert_groups, min_replica_quota,
                                     ctypes.byref(handle))
        if status != _OK:
            raise _last_error(lib)
        self._handle = handle
        sizes = (ctypes.c_int64 * 4)()
        lib.planning_sizes(handle, sizes)
        self.experts, self.ranks, self.max_placement_rows, self.max_reroute_rows = (int(x) for x in sizes)
        #: Placement rows (expert, rank, quota), flat; the first ``placement_rows`` rows are the plan.
        self.placement = (ctypes.c_int64 * (3 * self.max_placement_rows))()
        #: Each rank's load.
        self.rank_loads = (ctypes.c_int64 * self.ranks)()
        #: Reroute rows (source, expert, instance, tokens), flat; the first ``reroute_rows`` rows are the table.
        self.reroutes = (ctypes.c_int64 * (4 * self.max_reroute_rows))()
        self.placement_rows = 0
        self.reroute_rows = 0
        self.imbalance = 1.0
        self.lower_bound = 1.0
        self._rows = (ctypes.c_int64 * 2)()
        self._bounds = (ctypes.c_double * 2)()
        self._placement_rows_p = ctypes.cast(ctypes.addressof(self._rows), _I64P)
        self._reroute_rows_p = ctypes.cast(ctypes.addressof(self._rows) + 8, _I64P)

    def close(self):
        if getattr(self, "_handle", None):
            self._lib.planning_destroy(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def balance_into(self, tokens, placement=None, rank_loads=None, reroutes=None, with_reroutes=True):
        """Plans one layer from ``tokens`` ([ranks][experts] int64 counts, any buffer-protocol object, not copied
        unless read-only). Writes the plan into this planner's buffers, or the writable int64 buffers given
        (placement: 3 values a row, reroutes: 4). ``with_reroutes=False`` skips the reroute table (ultraep; the
        table has a row per source rank and instance an expert's tokens go to, about 19,000 rows at EP64).
        Returns (placement_rows, reroute_rows)."""
        if not self._handle:
            raise PlanningError("planner", "is closed")
        view = _int64_view(tokens, "tokens", writable=False)
        if len(view) != self.ranks * self.experts:
            raise PlanningError("tokens", "must hold ranks x experts = %d x %d counts, got %d"
                                % (self.ranks, self.experts, len(view)))
        keep = None
        address = _address(view)
        if address is None and len(view):
            keep = (ctypes.c_int64 * len(view)).from_buffer_copy(view)
            address = ctypes.addressof(keep)
        out_placement, placement_cap = self._out(placement, self.placement, "placement", 3)
        out_loads, loads_cap = self._out(rank_loads, self.rank_loads, "rank_loads", 1)
        if with_reroutes:
            out_reroutes, reroutes_cap = self._out(reroutes, self.reroutes, "reroutes", 4)
        else:
            out_reroutes, reroutes_cap = None, 0
        status = self._lib.planning_balance(self._handle, address, len(view), out_placement, placement_cap,
                                            self._placement_rows_p, out_loads, loads_cap, out_reroutes, reroutes_cap,
                                            self._reroute_rows_p, self._bounds)
        del keep
        if status != _OK:
            raise _last_error(self._lib)
        self.placement_rows, self.reroute_rows = self._rows[0], self._rows[1]
        self.imbalance, self.lower_bound = self._bounds[0], self._bounds[1]
        return self.placement_rows, self.reroute_rows

    @staticmethod
    def _out(given, own, name, width):
        if given is None:
            return ctypes.addressof(own), len(own) // width
        view = _int64_view(given, name, writable=True)
        return _address(view), len(view) // width

    def layer_dict(self):
        """The last plan as one layer of ``plan moe balance --format json`` (placement and reroutes from this
        planner's own buffers)."""
        p, r = self.placement, self.reroutes
        layer = {
            "rankLoads": list(self.rank_loads),
            "imbalance": self.imbalance,
            "lowerBound": self.lower_bound,
            "replicas": self.placement_rows - self.experts,
            "placement": [{"expert": p[3 * i], "rank": p[3 * i + 1], "quota": p[3 * i + 2]}
                          for i in range(self.placement_rows)],
        }
        if self.reroute_rows:
            layer["reroutes"] = [{"source": r[4 * i], "expert": r[4 * i + 1], "instance": r[4 * i + 2],
                                  "tokens": r[4 * i + 3]} for i in range(self.reroute_rows)]
        return layer

    def allocated_bytes(self):
        """Managed bytes the library's runtime has allocated so far (to check that calls allocate nothing)."""
        return self._lib.planning_allocated_bytes()


def _flatten_layer(layer, l, ranks, experts):
    path = "tokensPerRankLayer[%d]" % l
    if not isinstance(layer, list):
        raise PlanningError(path, "must be an array of source ranks, got %s" % type(layer).__name__)
    if len(layer) != ranks:
        raise PlanningError(path, "must have one row per rank (%d), got %d" % (ranks, len(layer)))
    flat = []
    for s, row in enumerate(layer):
        if not isinstance(row, list) or len(row) != experts:
            raise PlanningError("%s[%d]" % (path, s), "must have one count per expert (ranks x expertsPerRank = %d), got %s"
                                % (experts, len(row) if isinstance(row, list) else type(row).__name__))
        for e, count in enumerate(row):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise PlanningError("%s[%d][%d]" % (path, s, e), "must be a non-negative integer, got %r" % (count,))
        flat.extend(row)
    return flat


def balance(case, policy="ultraep", min_replica_quota=0):
    """Balances every layer of ``case`` (the ``plan moe generate`` shape) with ``policy`` (ultraep or eplb).

    Returns the ``plan moe balance --format json`` shape: policy, layers (rankLoads, imbalance, lowerBound,
    replicas, placement, reroutes for ultraep) and solveMicrosecondsPerLayer, which here times each layer's
    native call once (median, p99 over the layers; samples = layers) instead of the CLI's warmed-up repeats."""
    if not isinstance(case, dict):
        raise PlanningError("case", "must be a dict (the plan moe generate JSON), got %s" % type(case).__name__)
    if policy not in _POLICIES:
        raise PlanningError("policy", "must be one of %s, got %r" % (", ".join(_POLICIES), policy))
    ranks = _check_int(case, "ranks")
    per_domain = _check_int(case, "ranksPerDomain")
    per_node = _check_int(case, "ranksPerNode")
    per_rank = _check_int(case, "expertsPerRank")
    redundant = _check_int(case, "redundantSlotsPerRank", minimum=0)
    groups = _check_int(case, "expertGroups") if case.get("expertGroups") is not None else None
    layers = case.get("tokensPerRankLayer")
    if not isinstance(layers, list) or not layers:
        raise PlanningError("tokensPerRankLayer", "is required and must hold at least one layer")
    experts = ranks * per_rank
    flats = [_flatten_layer(layer, l, ranks, experts) for l, layer in enumerate(layers)]
    out_layers, samples = [], []
    with Planner(ranks, per_rank, redundant, per_node, per_domain, groups, policy, min_replica_quota) as planner:
        tokens = (ctypes.c_int64 * (ranks * experts))()
        for flat in flats:
            tokens[:] = flat
            started = time.perf_counter()
            planner.balance_into(tokens)
            samples.append((time.perf_counter() - started) * 1e6)
            out_layers.append(planner.layer_dict())
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, max(0, -(-99 * len(ordered) // 100) - 1))]
    return {
        "policy": policy,
        "layers": out_layers,
        "solveMicrosecondsPerLayer": {"median": round(statistics.median(samples), 3), "p99": round(p99, 3),
                                      "samples": len(samples)},
    }
