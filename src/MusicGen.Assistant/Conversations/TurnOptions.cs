using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// How one turn is answered. The reply's sampling defaults are those M2UGen's demo and evaluation scripts pass
/// (temperature 0.6, top-p 0.8, 512 new tokens); the track's length is the demo UI's default (30 s). Null MusicGen
/// settings mean the model set's defaults (top-k, temperature, top-p) and, for guidance, M2UGen's own choice per path:
/// 3.5 on the text path (HEAD's generate_music), 1 on the projector path (its code while the projector drove MusicGen).
/// </summary>
public sealed record TurnOptions
{
    /// <summary>0 = greedy.</summary>
    public float Temperature { get; init; } = 0.6f;
    public float TopP { get; init; } = 0.8f;
    public int MaxNewTokens { get; init; } = 512;

    /// <summary>Seeds the reply's sampling and the music's; null: a fresh seed, reported in the reply.</summary>
    public ulong? Seed { get; init; }

    public double DurationSeconds { get; init; } = 30;

    /// <summary>
    /// Answer in words only: the [AUD] tokens are never sampled, so the turn renders no track (a question about an
    /// attached track, a description). Otherwise the model decides, as M2UGen does.
    /// </summary>
    public bool WordsOnly { get; init; }

    /// <summary>How [AUD] tokens become music; null: the model set's choice.</summary>
    public MusicConditioningPath? Conditioning { get; init; }

    public double? GuidanceScale { get; init; }
    public int? TopK { get; init; }
    public double? MusicTopP { get; init; }
    public double? MusicTemperature { get; init; }
    public bool GreedyMusic { get; init; }

    /// <summary>The file this turn's track is written to (WAV); null: a new file in the conversation's track folder.</summary>
    public string? TrackPath { get; init; }

    /// <summary>
    /// Hand the track out as <see cref="TrackAudio"/> chunks while it is generated (a service's player starts at once);
    /// the decode then runs inside the generation instead of as its own "decode" stage.
    /// </summary>
    public bool StreamAudio { get; init; }

    public const double TextPathGuidance = 3.5, ProjectorPathGuidance = 1.0;

    /// <summary>Throws <see cref="AssistantException"/> (InvalidRequest) naming the first setting out of range.</summary>
    public TurnOptions Validate()
    {
        static void Fail(string what) => throw AssistantException.InvalidRequest(what);
        if (!(Temperature >= 0) || !float.IsFinite(Temperature)) Fail($"temperature {Temperature}: use 0 (greedy) or a positive number");
        if (!(TopP > 0 && TopP <= 1)) Fail($"top-p {TopP}: use a number in (0, 1]");
        if (MaxNewTokens is < 1 or > 1 << 20) Fail($"max new tokens {MaxNewTokens}: use 1 to {1 << 20}");
        if (!(DurationSeconds > 0 && DurationSeconds <= GenerationLimits.MaxSeconds))
            Fail($"duration {DurationSeconds} s: use more than 0 and at most {GenerationLimits.MaxSeconds} s");
        if (GuidanceScale is { } g && !(g >= 1 && double.IsFinite(g))) Fail($"guidance {g}: use a number >= 1");
        if (TopK is < 0) Fail($"top-k {TopK}: use 0 (off) or more");
        if (MusicTopP is { } p && !(p >= 0 && p <= 1)) Fail($"music top-p {p}: use a number in [0, 1] (0 = off)");
        if (MusicTemperature is { } t && !(t > 0 && double.IsFinite(t))) Fail($"music temperature {t}: use a positive number");
        return this;
    }

    internal SamplingChoice MusicSampling(MusicConditioningPath path) => new(
        GuidanceScale ?? (path == MusicConditioningPath.Text ? TextPathGuidance : ProjectorPathGuidance),
        TopK, MusicTopP, MusicTemperature, Greedy: GreedyMusic);
}

/// <summary>One user turn: text, optional attachments (at most one per kind) and, when asked, the last track as audio.</summary>
public sealed record TurnRequest
{
    public required string Text { get; init; }
    public IReadOnlyList<TurnAttachment> Attachments { get; init; } = [];

    /// <summary>Feed the conversation's last rendered track to the music encoder (M2UGen's editing flow); never implicit.</summary>
    public bool UseLastTrack { get; init; }

    /// <summary>Null: the conversation's defaults.</summary>
    public TurnOptions? Options { get; init; }
}
