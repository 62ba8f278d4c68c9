using System.Runtime.InteropServices;

using Microsoft.Z3;

namespace Planning.Provers.Smt;

/// <summary>
/// The native Z3 shim that makes Microsoft.Z3 4.12 sound on Linux's libz3 4.8.12 (src/Provers/Native/README.md):
/// whether it is loaded, and its counters.
/// </summary>
internal static class Z3NativeShim
{
    private static readonly Lazy<bool> Loaded = new(Probe);

    /// <summary>Whether the <c>libz3</c> that Microsoft.Z3 binds to is the shim (false on Windows and macOS, which use the package's own library).</summary>
    public static bool IsLoaded => Loaded.Value;

    /// <summary>What the shim reports about itself, or null when it is not loaded.</summary>
    /// <returns>The shim's version, real library, load error, the real library's internal bindings, and counters.</returns>
    public static Z3ShimInfo? Describe()
    {
        if (!IsLoaded)
        {
            return null;
        }

        var values = new ulong[9];
        _ = NativeMethods.GetStatistics(values, values.Length);
        var statistics = new Z3ShimStatistics(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8]);
        var bindings = NativeMethods.CheckInternalBindings(out var toShim);
        return new Z3ShimInfo(
            Marshal.PtrToStringUTF8(NativeMethods.Version()) ?? string.Empty,
            Marshal.PtrToStringUTF8(NativeMethods.RealLibraryPath()) ?? string.Empty,
            Marshal.PtrToStringUTF8(NativeMethods.LoadError()),
            Math.Max(bindings, 0),
            toShim,
            statistics);
    }

    /// <summary>
    /// Throws unless Microsoft.Z3 can be used in-process: on Linux that needs the shim, with the real library loaded.
    /// </summary>
    /// <exception cref="InvalidOperationException">Z3 cannot be used in-process here; the message says why.</exception>
    internal static void EnsureUsable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        if (!IsLoaded)
        {
            throw new InvalidOperationException(
                "Z3 in-process needs the native shim libz3.so next to Planning.Provers.dll (built by src/Provers on Linux x64 with gcc, libz3-4 and libz3-dev); "
                + "without it Microsoft.Z3 4.12 binds to the system libz3 4.8.12, which it cannot use safely. Use Z3ProcessBackend instead.");
        }

        var error = Marshal.PtrToStringUTF8(NativeMethods.LoadError());
        if (error is not null)
        {
            throw new InvalidOperationException("the Z3 shim could not load the real Z3 library: " + error + " (apt-get install libz3-4)");
        }
    }

    private static bool Probe()
    {
        try
        {
            // Load libz3 through Microsoft.Z3 first, so that this assembly's imports bind to the same library.
            _ = Microsoft.Z3.Version.Major;
            return NativeMethods.Version() != IntPtr.Zero;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (Z3Exception)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        private const string Library = "libz3";

        [DllImport(Library, EntryPoint = "Z3Shim_Version", ExactSpelling = true)]
        internal static extern IntPtr Version();

        [DllImport(Library, EntryPoint = "Z3Shim_LoadError", ExactSpelling = true)]
        internal static extern IntPtr LoadError();

        [DllImport(Library, EntryPoint = "Z3Shim_RealLibraryPath", ExactSpelling = true)]
        internal static extern IntPtr RealLibraryPath();

        [DllImport(Library, EntryPoint = "Z3Shim_CheckInternalBindings", ExactSpelling = true)]
        internal static extern int CheckInternalBindings(out int toShim);

        [DllImport(Library, EntryPoint = "Z3Shim_GetStatistics", ExactSpelling = true)]
        internal static extern int GetStatistics([Out] ulong[] values, int length);
    }
}
