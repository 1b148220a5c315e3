namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>The process exit codes of <c>mga</c> (see <see cref="Program"/>).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}
