namespace MusicGen.Assistant.Cli.Tests.Helpers;

/// <summary>What one in-process run of <c>mga</c> returned and printed.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";

    /// <summary>Asserts success, showing everything printed when it failed.</summary>
    public CliResult Succeeded()
    {
        Assert.True(ExitCode == 0, ToString());
        return this;
    }

    /// <summary>Asserts a clean failure: the exit code, a message containing every fragment, and no stack trace.</summary>
    public CliResult FailedWith(int exitCode, params string[] fragments)
    {
        Assert.True(ExitCode == exitCode, ToString());
        foreach (var f in fragments) Assert.True(Err.Contains(f, StringComparison.Ordinal), $"stderr lacks '{f}'\n{this}");
        Assert.DoesNotContain("   at ", Err);
        return this;
    }
}

/// <summary>Runs the command line in this process through <see cref="Program.Run"/>.</summary>
public static class Mga
{
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command that reads what the user types (<c>mga chat</c>), with <paramref name="input"/> as standard input.</summary>
    public static CliResult RunWithInput(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, output, error, new StringReader(input));
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
