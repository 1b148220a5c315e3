using System.Diagnostics;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Tests.Commands;

public class DoctorTests
{
    [Fact]
    public void Doctor_reports_natives_version_backends_cpu_features_and_threads()
    {
        var result = Mga.Run("doctor", "--threads", "1").Succeeded();
        Assert.Contains($"version     {GgmlRuntime.Version}", result.Out);
        Assert.Contains(NativeLibraryLocator.PinnedGgmlVersion, result.Out);
        Assert.Contains($"commit      {GgmlRuntime.Commit}", result.Out);
        Assert.Contains(GgmlRuntime.Loaded!.Directory, result.Out);
        Assert.Contains("CPU: 1 device(s)", result.Out);
        Assert.Matches(@"    CPU  \S+: .+; memory [\d.]+ \w+ free of [\d.]+ \w+", result.Out);
        Assert.Matches(@"features: .*(SSE3|NEON)", result.Out);
        Assert.Contains("threads     1 (from --threads)", result.Out);
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
    public void More_threads_than_usable_cpus_are_cut_down_with_one_warning()
    {
        var usable = Native.Cpu.CpuBudget.Current.Usable;
        var result = Mga.Run("doctor", "--threads", "1024").Succeeded();
        Assert.Contains($"threads     {usable} (from --threads, cut to the {Native.Cpu.CpuBudget.Current.Describe()}", result.Out);
        Assert.Matches($@"device +\w+ -> \S+, {usable} threads", result.Out);
        var warning = Assert.Single(result.Err.Split('\n'), l => l.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.Contains($"1024 CPU threads asked for (from --threads), but this process may use {usable} CPU", warning);
    }

    [Fact]
    public void A_bad_thread_count_is_a_usage_error() =>
        Mga.Run("doctor", "--threads", "0").FailedWith(2, "--threads must be between 1 and 1024");
}
