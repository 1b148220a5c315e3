using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Media;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// <c>mga edit remix</c>: the track's melody (its chroma, as MusicGen-Melody takes it) with a new description, as long
/// as the track unless a duration is given. It is <c>generate "text" --melody track</c> with those defaults.
/// </summary>
public sealed record RemixRequest
{
    public required string Track { get; init; }
    public required string Text { get; init; }

    /// <summary>Seconds of the result; null: as long as the track (capped at <see cref="GenerationLimits.MaxSeconds"/>).</summary>
    public double? Seconds { get; init; }

    public required string Output { get; init; }
    public SamplingChoice Sampling { get; init; } = new();
    public WavSampleFormat Format { get; init; } = WavSampleFormat.Float32;

    /// <summary>The generate request this remix is, after checking the track and the description.</summary>
    public GenerateRequest ToGenerateRequest(CancellationToken cancellation = default) => AssistantException.Guard(() =>
    {
        var input = InputFiles.Require(Track, "track");
        OutputFiles.RequireNotAnInput(Output, "output file", new NamedInput("track", input));
        if (string.IsNullOrWhiteSpace(Text)) throw AssistantException.InvalidRequest("the description is empty; say what the new version should sound like");
        PromptList.Checked(Text.Trim(), "the description");
        var seconds = Seconds;
        if (seconds is null)
        {
            var info = MediaToModelInput.Inspect(input, 1, cancellation);
            seconds = info.Duration?.TotalSeconds ?? throw AssistantException.BadInput($"track '{Track}' does not say how long it is; give --duration");
            if (!(seconds > 0)) throw AssistantException.BadInput($"track '{Track}' holds no audio");
            seconds = Math.Min(seconds.Value, GenerationLimits.MaxSeconds);
        }
        return new GenerateRequest
        {
            Prompt = Text, Melody = input, DurationSeconds = seconds.Value, Output = Output, Sampling = Sampling, Format = Format,
        };
    });
}
