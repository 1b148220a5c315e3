namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>A problem the user can fix (a missing file, a mismatch), reported as one line without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
