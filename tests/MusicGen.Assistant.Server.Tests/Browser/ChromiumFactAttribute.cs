namespace MusicGen.Assistant.Server.Tests.Browser;

/// <summary>A browser test: skipped, saying why, only when Debian's Chromium is not installed (scripts/setup.sh --deps-only installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
            Skip = $"Chromium is not installed at {ExecutablePath} (apt-get install chromium, as scripts/setup.sh --deps-only does)";
        Timeout = 180_000;
    }
}
