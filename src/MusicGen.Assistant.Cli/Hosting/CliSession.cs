using System.CommandLine;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>One command's run: its console, the global options, and the native runtime set up from them.</summary>
internal sealed class CliSession
{
    private ThreadChoice? _threads;

    public CliSession(CliConsole console, GlobalOptions options, ParseResult parsed, CancellationToken cancellation)
    {
        Console = console;
        NativesDirectory = parsed.GetValue(options.Natives);
        ThreadOption = parsed.GetValue(options.Threads);
        Verbose = parsed.GetValue(options.Verbose);
        Device = parsed.GetValue(options.Device) switch { "cpu" => BackendKind.Cpu, "gpu" => BackendKind.Gpu, _ => BackendKind.Auto };
        Cancellation = cancellation;
        GgmlRuntime.Configure(NativeOptions);
    }

    public CliConsole Console { get; }
    public string? NativesDirectory { get; }
    public int? ThreadOption { get; }
    public bool Verbose { get; }
    public BackendKind Device { get; }
    public CancellationToken Cancellation { get; }

    public NativeOptions NativeOptions => new() { Directory = NativesDirectory, VerboseNativeLog = Verbose };

    public ThreadChoice Threads => _threads ??= ThreadChoice.Resolve(ThreadOption, Console.Error);

    /// <summary>Loads ggml (once per process); throws <see cref="NativeRuntimeException"/> saying what to run if it cannot.</summary>
    public NativeLibrarySet Natives() => GgmlRuntime.EnsureInitialized();

    /// <summary>The backend the codec commands compute on, per --device and --threads.</summary>
    public ComputeBackend CreateBackend()
    {
        Natives();
        // a request is cut (and warned about) once, by Threads; none asked for: the backend follows the machine's load
        var defaulted = ThreadOption is null && Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is null;
        return ComputeBackend.Create(Device, defaulted ? null : Threads.Count);
    }
}
