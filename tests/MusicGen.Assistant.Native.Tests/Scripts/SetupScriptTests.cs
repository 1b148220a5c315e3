using System.Diagnostics;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Native.Tests.Scripts;

/// <summary>scripts/setup.sh waits for the package manager's lock (checked with a fake apt-get, see the script).</summary>
public sealed class SetupScriptTests
{
    [Fact]
    public void Setup_waits_for_the_package_managers_lock_and_names_it_when_it_stays_held()
    {
        var script = Path.Combine(FixturePaths.RepositoryRoot, "tests", "scripts", "setup-waits-for-apt-lock.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the setup check did not end");
        Assert.True(process.ExitCode == 0, output.Result + errors.Result);
        Assert.Equal("ok", output.Result.Trim().Split('\n')[^1]);
    }
}
