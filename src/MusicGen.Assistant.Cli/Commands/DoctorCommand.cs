using System.CommandLine;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga doctor</c>: where the ggml natives were found (and every place looked at), the ggml version, each backend
/// with its devices and CPU features, and the thread count. Exits 0 when the runtime is usable.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CommandHost host)
    {
        var command = new Command("doctor", "Check the ggml runtime: natives, version, backends, devices, CPU features, threads.");
        host.Bind(command, (_, session) => Run(session));
        return command;
    }

    private static int Run(CliSession session)
    {
        var console = session.Console;
        var (found, probes) = NativeLibraryLocator.Locate(session.NativeOptions);
        if (found is null && GgmlRuntime.Loaded is null)
            throw new NativeRuntimeException(NativeLibraryLocator.NotFoundMessage(probes));

        var set = session.Natives();
        console.Line("Natives");
        foreach (var p in probes)
            console.Out.WriteLine($"  [{(p.Usable ? "ok" : "--")}] {p.Directory} ({p.Source}): {p.Detail}");
        console.Field("using", $"{set.Directory} ({set.Source})");
        console.Field("base", Path.GetFileName(set.BaseLibrary));
        console.Field("ggml", Path.GetFileName(set.GgmlLibrary));
        console.Field("backends", string.Join(", ", set.BackendLibraries.Select(Path.GetFileName)));

        console.Line("ggml");
        console.Field("version", VersionText());
        console.Field("commit", GgmlRuntime.Commit);

        console.Line("Backends");
        foreach (var backend in BackendInventory.Describe())
        {
            console.Out.WriteLine($"  {backend.Name}: {backend.Devices.Count} device(s)");
            foreach (var d in backend.Devices)
                console.Out.WriteLine($"    {d.Type,-4} {d.Name}: {d.Description}; memory {Units.Bytes(d.MemoryFree)} free of {Units.Bytes(d.MemoryTotal)}");
            if (backend.Features.Count > 0)
                console.Out.WriteLine($"    features: {string.Join(" ", backend.Features.Select(Feature))}");
        }

        console.Line("Compute");
        console.Field("threads", $"{session.Threads.Count} ({session.Threads.Reason})");
        using (var backend = session.CreateBackend())
            console.Field("device", $"{session.Device.ToString().ToLowerInvariant()} -> {backend.Name}{(backend.IsCpu ? $", {backend.Threads} threads" : "")}");
        console.Line("Media");
        // ffmpeg is optional for WAV in/out; everything else (mp3, video, images, --loudness checks) needs it
        try { console.Field("ffmpeg", MediaTools.Locate().ToString()); }
        catch (MediaToolNotFoundException e) { console.Field("ffmpeg", $"not found: {e.Message}"); }
        console.Line("Status: usable");
        return ExitCodes.Success;
    }

    /// <summary>"0.25.1 (the pinned version)" or a warning that it differs.</summary>
    public static string VersionText()
    {
        var version = GgmlRuntime.Version;
        return version == NativeLibraryLocator.PinnedGgmlVersion
            ? $"{version} (the pinned version)"
            : $"{version} (differs from the pinned {NativeLibraryLocator.PinnedGgmlVersion}: results may differ)";
    }

    // ggml reports present CPU features as "AVX2" = "1"; other entries carry a value worth showing.
    private static string Feature(KeyValuePair<string, string> f) => f.Value == "1" ? f.Key : $"{f.Key}={f.Value}";

    /// <summary>The lines the demo starts with: where the natives are and the ggml version.</summary>
    public static void WriteRuntimeSummary(CliSession session)
    {
        var set = session.Natives();
        session.Console.Field("natives", $"{set.Directory} ({set.Source})");
        session.Console.Field("ggml", VersionText());
    }

    /// <summary>"CPU, 2 threads (...); CPU: Intel ..." for the backend a command computes on.</summary>
    public static string ComputeSummary(CliSession session, ComputeBackend backend)
    {
        var cpu = BackendInventory.Describe().SelectMany(b => b.Devices).FirstOrDefault(d => d.Type == "CPU");
        return $"{backend.Name}{(backend.IsCpu ? $", {backend.Threads} threads ({session.Threads.Reason})" : "")}" +
               (cpu is null ? "" : $"; CPU: {cpu.Description}");
    }
}
