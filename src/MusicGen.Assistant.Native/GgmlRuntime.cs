using System.Reflection;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Loads ggml once per process: locates the libraries, routes our imports to them, loads the dynamic backends
/// (CPU variants, CUDA), installs the log and abort hooks, and checks that the binary matches the struct layouts and
/// type ids this binding was written against.
/// </summary>
public static unsafe class GgmlRuntime
{
    private static readonly Lock Gate = new();
    private static NativeLibrarySet? _loaded;
    private static nint _baseHandle, _ggmlHandle;
    private static bool _resolverSet;
    private static NativeOptions _options = new();

    /// <summary>The libraries in use (null before initialization).</summary>
    public static NativeLibrarySet? Loaded => _loaded;

    /// <summary>Options for the first initialization; later calls must not ask for another directory.</summary>
    public static void Configure(NativeOptions options)
    {
        lock (Gate)
        {
            if (_loaded is not null && options.Directory is not null &&
                Path.GetFullPath(options.Directory) != _loaded.Directory)
                throw new NativeRuntimeException($"ggml is already loaded from {_loaded.Directory}; cannot switch to {options.Directory} in the same process.");
            _options = options;
            GgmlLog.Verbose = options.VerboseNativeLog;
        }
    }

    /// <summary>Makes sure ggml is loaded; throws <see cref="NativeRuntimeException"/> saying what to run if it cannot be.</summary>
    public static NativeLibrarySet EnsureInitialized()
    {
        if (_loaded is not null) return _loaded;
        lock (Gate)
        {
            if (_loaded is not null) return _loaded;
            var (set, probes) = NativeLibraryLocator.Locate(_options);
            if (set is null) throw new NativeRuntimeException(NativeLibraryLocator.NotFoundMessage(probes));

            // Without this ggml would spawn gdb for a backtrace on abort.
            LibC.setenv("GGML_NO_BACKTRACE", "1", 0);
            try
            {
                _baseHandle = NativeLibrary.Load(set.BaseLibrary);
                _ggmlHandle = NativeLibrary.Load(set.GgmlLibrary);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new NativeRuntimeException($"Could not load the ggml libraries from {set.Directory}: {e.Message}", e);
            }
            if (!_resolverSet) { NativeLibrary.SetDllImportResolver(typeof(GgmlRuntime).Assembly, Resolve); _resolverSet = true; }

            GgmlCore.ggml_log_set(GgmlLog.CallbackPointer, 0);
            GgmlCore.ggml_set_abort_callback(GgmlLog.AbortPointer);
            CheckBinaryMatchesBinding(set);
            GgmlBackendApi.ggml_backend_load_all_from_path(set.Directory);
            if (GgmlBackendApi.ggml_backend_dev_by_type(0) == 0)
                throw new NativeRuntimeException(
                    $"ggml loaded from {set.Directory} but no CPU backend could be loaded (none of its libggml-cpu*.so fits this CPU or they failed to load). " +
                    "ggml said: " + string.Join(" | ", GgmlLog.RecentLines.TakeLast(5)));
            _loaded = set;
            return set;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name switch
    {
        NativeNames.GgmlBase => _baseHandle,
        NativeNames.Ggml => _ggmlHandle,
        _ => 0,
    };

    /// <summary>ggml_version() of the loaded library.</summary>
    public static string Version { get { EnsureInitialized(); return Marshal.PtrToStringUTF8(GgmlCore.ggml_version()) ?? "?"; } }

    /// <summary>ggml_commit() of the loaded library.</summary>
    public static string Commit { get { EnsureInitialized(); return Marshal.PtrToStringUTF8(GgmlCore.ggml_commit()) ?? "?"; } }

    /// <summary>
    /// Default CPU thread count: <c>MGA_THREADS</c> (cut down to the CPUs this process may use), else the usable CPUs
    /// other processes are not keeping busy right now (<see cref="Cpu.CpuThreads"/>).
    /// </summary>
    public static int DefaultThreadCount => Cpu.CpuThreads.Choose(null).Count;

    // The struct mirrors and type ids below are what every graph relies on; a different ggml build that changed them
    // would corrupt memory silently, so refuse it up front.
    private static void CheckBinaryMatchesBinding(NativeLibrarySet set)
    {
        var overhead = (long)GgmlCore.ggml_tensor_overhead();
        if (overhead != 32 + sizeof(GgmlTensorStruct))
            throw new NativeRuntimeException($"{set.BaseLibrary}: ggml_tensor_overhead() = {overhead}, expected {32 + sizeof(GgmlTensorStruct)}: this ggml build's tensor layout differs from the pinned {NativeLibraryLocator.PinnedGgmlVersion}.");
        foreach (var (id, name) in new[] { (0, "f32"), (1, "f16"), (2, "q4_0"), (8, "q8_0"), (26, "i32"), (30, "bf16") })
        {
            var actual = Marshal.PtrToStringUTF8(GgmlCore.ggml_type_name(id));
            if (actual != name)
                throw new NativeRuntimeException($"{set.BaseLibrary}: ggml type {id} is '{actual}', expected '{name}': incompatible ggml version.");
        }
    }
}
