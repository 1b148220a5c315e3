using System.Diagnostics;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Native.Tests.Scripts;

/// <summary>scripts/setup.sh waits for the package manager's lock (checked with a fake apt-get, see the script).</summary>
public sealed class SetupScriptTests
{
    [Fact]
    public async Task Setup_waits_for_the_package_managers_lock_and_names_it_when_it_stays_held()
    {
        var script = Path.Combine(FixturePaths.RepositoryRoot, "tests", "scripts", "setup-waits-for-apt-lock.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the setup check did not end");
        }
        var (stdout, stderr) = (await output, await errors);
        Assert.True(process.ExitCode == 0, stdout + stderr);
        Assert.Equal("ok", stdout.Trim().Split('\n')[^1]);
    }
}
