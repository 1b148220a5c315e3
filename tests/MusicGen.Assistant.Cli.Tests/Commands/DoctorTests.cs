using System.Diagnostics;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Tests.Commands;

public class DoctorTests
{
    [Fact]
    public void Doctor_reports_natives_version_backends_cpu_features_and_threads()
    {
        var result = Mga.Run("doctor", "--threads", "3").Succeeded();
        Assert.Contains($"version     {GgmlRuntime.Version}", result.Out);
        Assert.Contains(NativeLibraryLocator.PinnedGgmlVersion, result.Out);
        Assert.Contains($"commit      {GgmlRuntime.Commit}", result.Out);
        Assert.Contains(GgmlRuntime.Loaded!.Directory, result.Out);
        Assert.Contains("CPU: 1 device(s)", result.Out);
        Assert.Matches(@"    CPU  \S+: .+; memory [\d.]+ \w+ free of [\d.]+ \w+", result.Out);
        Assert.Matches(@"features: .*(SSE3|NEON)", result.Out);
        Assert.Contains("threads     3 (from --threads)", result.Out);
        Assert.Matches(@"ffmpeg      ffmpeg '/\S*ffmpeg', ffprobe '/\S*ffprobe'", result.Out); // the setup installs it
        Assert.Contains("Status: usable", result.Out);
    }

    [Fact]
    public async Task Without_natives_doctor_says_what_to_run_and_exits_non_zero()
    {
        // A separate process: this one has ggml loaded already. An empty cache root and no MGA_NATIVES leave nothing to find.
        using var dir = new TempDirectory();
        var mga = Path.Combine(AppContext.BaseDirectory, "mga.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(mga);
        start.ArgumentList.Add("doctor");
        start.Environment.Remove(NativeOptions.DirectoryVariable);
        start.Environment[NativeOptions.CacheVariable] = dir.Path;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var result = new CliResult(process.ExitCode, await stdout, await stderr);

        result.FailedWith(1, "The ggml native libraries were not found", dir.Path, "scripts/fetch-natives.sh");
        Assert.DoesNotContain("Exception", result.Err);
    }

    [Fact]
    public void A_bad_thread_count_is_a_usage_error() =>
        Mga.Run("doctor", "--threads", "0").FailedWith(2, "--threads must be between 1 and 1024");
}
