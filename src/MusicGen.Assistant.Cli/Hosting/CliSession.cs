using System.CommandLine;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>One command's run: its console, the global options, and the native runtime set up from them.</summary>
internal sealed class CliSession
{
    public CliSession(CliConsole console, GlobalOptions options, ParseResult parsed, CancellationToken cancellation)
    {
        Console = console;
        NativesDirectory = parsed.GetValue(options.Natives);
        Verbose = parsed.GetValue(options.Verbose);
        var device = parsed.GetValue(options.Device) switch { "cpu" => BackendKind.Cpu, "gpu" => BackendKind.Gpu, _ => BackendKind.Auto };
        Compute = new ComputeOptions(device, parsed.GetValue(options.Threads), console.Error, ComputeOptions.ParseKvCache(parsed.GetValue(options.KvCache)));
        Cancellation = cancellation;
        GgmlRuntime.Configure(NativeOptions);
    }

    public CliConsole Console { get; }
    public string? NativesDirectory { get; }
    public bool Verbose { get; }
    public ComputeOptions Compute { get; }
    public BackendKind Device => Compute.Device;
    public CancellationToken Cancellation { get; }

    public NativeOptions NativeOptions => new() { Directory = NativesDirectory, VerboseNativeLog = Verbose };

    public ThreadChoice Threads => Compute.Threads;

    /// <summary>Loads ggml (once per process); throws <see cref="NativeRuntimeException"/> saying what to run if it cannot.</summary>
    public NativeLibrarySet Natives() => GgmlRuntime.EnsureInitialized();

    /// <summary>The backend the codec commands compute on, per --device and --threads.</summary>
    public ComputeBackend CreateBackend() => Compute.CreateBackend();
}
