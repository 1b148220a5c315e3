using System.Globalization;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Media;

/// <summary>
/// How long a media input may be before it is refused (never silently cut): one hour, the longest generation, unless
/// <c>MGA_MAX_INPUT_SECONDS</c> says otherwise (e.g. for a service that takes short uploads only).
/// </summary>
public static class InputLimits
{
    public const string MaxSecondsVariable = "MGA_MAX_INPUT_SECONDS";
    public const double DefaultMaxSeconds = 3600;

    public static TimeSpan MaxDuration
    {
        get
        {
            var text = Environment.GetEnvironmentVariable(MaxSecondsVariable);
            if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromSeconds(DefaultMaxSeconds);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || seconds > 24 * 3600)
                throw AssistantException.InvalidRequest($"{MaxSecondsVariable}='{text}' is not a number of seconds between 0 and 86400");
            return TimeSpan.FromSeconds(seconds);
        }
    }

    /// <summary>Runs a decode; an input over the limit is reported with the setting that raises it.</summary>
    public static T Checked<T>(Func<T> decode)
    {
        try { return decode(); }
        catch (MediaFormatException e) when (e.Kind == MediaProblem.TooLong)
        {
            throw AssistantException.BadInput($"{e.Message} (the limit is set by {MaxSecondsVariable}, in seconds)", e);
        }
    }
}
