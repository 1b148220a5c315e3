using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary><c>mga serve</c>: its options, and wrong settings refused in one line before the service starts (the service itself is tested in MusicGen.Assistant.Server.Tests).</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public void Help_lists_the_service_options()
    {
        var r = Mga.Run("serve", "--help").Succeeded();
        foreach (var option in new[] { "--urls", "--data", "--model", "--api-key" }) Assert.Contains(option, r.Out);
        Assert.Contains("127.0.0.1", r.Out);
    }

    [Fact]
    public void A_data_directory_that_is_a_file_is_refused_naming_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            var r = Mga.Run("serve", "--urls", "http://127.0.0.1:0", "--data", file);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains($"the data directory '{file}' is a file", r.Err);
            Assert.DoesNotContain("   at ", r.Err); // one line, no stack trace
        }
        finally { File.Delete(file); }
    }
}
