using System.Globalization;

using Microsoft.Z3;

using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Smt;

/// <summary>The native shim as Microsoft.Z3 sees it: loaded, private, and renumbering decl kinds to 4.12's.</summary>
[Collection(Z3TestGroup.Name)]
public sealed class Z3NativeShimTests
{
    [Fact]
    public void Describe_OnLinux_ShimLoadedWithTheRealLibraryPrivately()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(Z3NativeShim.IsLoaded);
            return;
        }

        var info = Z3NativeShim.Describe();
        Assert.NotNull(info);
        Assert.Null(info.LoadError);
        Assert.EndsWith("libz3.so.4", info.RealLibraryPath, StringComparison.Ordinal);
        Assert.True(info.InternalBindings > 600, $"only {info.InternalBindings} internal Z3_ bindings found in libz3.so.4");
        Assert.Equal(0, info.InternalBindingsToShim);
        Assert.StartsWith("z3shim", info.Version, StringComparison.Ordinal);
        Assert.StartsWith("4.8.", Microsoft.Z3.Version.FullVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void NewContext_ThroughTheShim_DoesNotThrow()
    {
        // Without the shim, Microsoft.Z3 4.12 on libz3 4.8.12 throws EntryPointNotFoundException: Z3_enable_concurrent_dec_ref.
        using var context = new Context();
        using var solver = context.MkSolver();
        solver.Assert(context.MkGt(context.MkIntConst("n"), context.MkInt(0)));
        Assert.Equal(Status.SATISFIABLE, solver.Check());
    }

    [Fact]
    public void DeclKind_UninterpretedFunctionApplication_IsUninterpreted()
    {
        using var context = new Context();
        var f = context.MkFuncDecl("f", context.IntSort, context.IntSort);
        var application = context.MkApp(f, context.MkIntConst("x"));
        Assert.Equal(Z3_decl_kind.Z3_OP_UNINTERPRETED, application.FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_UNINTERPRETED, f.DeclKind);
        Assert.True(context.MkIntConst("x").FuncDecl.DeclKind == Z3_decl_kind.Z3_OP_UNINTERPRETED);
    }

    [Fact]
    public void DeclKind_KindsThatMovedAndKindsThatDidNot_ReadBackAs412()
    {
        using var context = new Context();
        var x = context.MkIntConst("x");
        var s = context.MkConst("s", context.StringSort);
        var re = context.MkToRe((SeqExpr)s);

        // Unchanged between 4.8.12 and 4.12.
        Assert.Equal(Z3_decl_kind.Z3_OP_ADD, ((ArithExpr)context.MkAdd(x, context.MkInt(1))).FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_AND, context.MkAnd(context.MkBoolConst("p"), context.MkBoolConst("q")).FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_MOD, context.MkMod(x, context.MkInt(2)).FuncDecl.DeclKind);
        Assert.True(context.MkMod(x, context.MkInt(2)).IsModulus);

        // Moved (4.8.12 numbers them lower).
        Assert.Equal(Z3_decl_kind.Z3_OP_SEQ_LENGTH, context.MkLength((SeqExpr)s).FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_SEQ_TO_RE, re.FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_RE_STAR, context.MkStar(re).FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_SEQ_IN_RE, context.MkInRe((SeqExpr)s, re).FuncDecl.DeclKind);
        Assert.Equal(Z3_decl_kind.Z3_OP_STR_TO_INT, context.StringToInt(s).FuncDecl.DeclKind);
    }

    [Fact]
    public void DeclKindTable_MatchesTheReferencedMicrosoftZ3()
    {
        // src/Provers/Native/decl-kinds-4.12.2.txt is the target numbering the shim's generator compiles in.
        var file = Path.Combine(RepositoryRoot(), "src", "Provers", "Native", "decl-kinds-4.12.2.txt");
        var table = File.ReadLines(file)
            .Where(static line => line.Length > 0 && line[0] != '#')
            .Select(static line => line.Split(' '))
            .ToDictionary(static parts => parts[0], static parts => int.Parse(parts[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var managed = Enum.GetValues<Z3_decl_kind>().ToDictionary(static kind => kind.ToString(), static kind => (int)kind, StringComparer.Ordinal);
        Assert.Equal(managed.OrderBy(static p => p.Key, StringComparer.Ordinal), table.OrderBy(static p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Statistics_AfterDroppingObjectsToTheFinalizer_ReleasesWereQueuedAndApplied()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var before = Z3NativeShim.Describe()!.Statistics;
        using (var context = new Context())
        {
            DropExpressions(context, 2000);
            GC.Collect();
            GC.WaitForPendingFinalizers();

            // The finalizer thread queued them; the next inc_ref on this thread applies them.
            Assert.True(Z3NativeShim.Describe()!.Statistics.ReleasesQueued >= before.ReleasesQueued + 1000);
            _ = context.MkIntConst("y");
        }

        var after = Z3NativeShim.Describe()!.Statistics;
        Assert.True(after.QueuedReleasesApplied >= before.QueuedReleasesApplied + 1000);
        Assert.True(after.ContextsDeleted > before.ContextsDeleted);
    }

    private static void DropExpressions(Context context, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = context.MkAdd(context.MkIntConst("x" + i.ToString(CultureInfo.InvariantCulture)), context.MkInt(i));
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Planning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Planning.sln not found above " + AppContext.BaseDirectory);
    }
}
