using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// What to generate: the conditioning of B items, how many new tokens (transformers' max_new_tokens: each token is one
/// delay-pattern step, so B items get <c>P + max_new_tokens - (K/channels - 1)</c> frames with a P-frame prompt),
/// how to choose tokens, and an optional audio prompt to continue.
/// </summary>
public sealed record MusicGenGenerationRequest
{
    /// <summary>One conditioning row per item (the guidance batch is built from it).</summary>
    public required MusicGenConditioning Conditioning { get; init; }

    /// <summary>Delay-pattern steps to generate; at least K/channels (one frame).</summary>
    public required int MaxNewTokens { get; init; }

    /// <summary>Greedy or sampled, guidance scale (guidance runs when it is above 1, as in transformers).</summary>
    public SamplingSettings Sampling { get; init; } = SamplingSettings.Audiocraft;

    /// <summary>Seed of the sampler's random stream (same seed, same request: same tokens).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Codes to continue, [B · K, P] (row b·K + k = codebook k of item b; stereo rows interleaved L0, R0, L1, ...):
    /// prefilled in one pass and never overwritten.
    /// </summary>
    public int[,]? PromptCodes { get; init; }

    /// <summary>Keep every step's guided scores (for checks; B·K·vocab floats per step).</summary>
    public bool RecordScores { get; init; }

    public GgmlType CacheType { get; init; } = GgmlType.F32;

    /// <summary>
    /// Called as frames of item 0 become complete (every codebook of the frame known, prompt frames first): one array
    /// per codebook holding the new frames only, in order. Together the calls give exactly
    /// <see cref="MusicGenGeneration.ItemCodes"/>(0), so audio can be decoded while the generation runs.
    /// </summary>
    public Action<int[][]>? OnFrames { get; init; }

    /// <summary>transformers' max_new_tokens giving <paramref name="frames"/> new frames: frames + K/channels - 1.</summary>
    public static int MaxNewTokensForFrames(int frames, MusicGenDecoderConfig config) =>
        frames >= 1 ? frames + config.ChannelCodebooks - 1 : throw new ArgumentOutOfRangeException(nameof(frames), frames, "at least one frame");

    /// <summary>audiocraft's frame count for a duration: int(seconds · frame rate) (50 Hz at 32 kHz).</summary>
    public static int FramesForDuration(double seconds, double frameRate) =>
        seconds > 0 && double.IsFinite(seconds) && frameRate > 0
            ? Math.Max(1, (int)(seconds * frameRate))
            : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "the duration must be a positive number of seconds");
}

/// <summary>Where a generation is: steps done of the total.</summary>
public readonly record struct GenerationProgress(int Step, int Steps);

/// <summary>
/// A finished generation. <see cref="DelayedSequences"/> [B · K, 1 + P + max_new_tokens] is the delay-pattern
/// matrix (pads included) as transformers returns it; <see cref="Codes"/> [B · K, frames] the codes after removing
/// the pads, prompt frames first.
/// </summary>
public sealed record MusicGenGeneration(int[,] DelayedSequences, int[,] Codes, float[]? Scores, int Steps, int Batch, int Codebooks)
{
    public int Frames => Codes.GetLength(1);

    /// <summary>Item b's codes, one array of frames per codebook.</summary>
    public int[][] ItemCodes(int item)
    {
        if ((uint)item >= Batch) throw new ArgumentOutOfRangeException(nameof(item), item, $"the generation holds items 0..{Batch - 1}");
        return Enumerable.Range(0, Codebooks).Select(k =>
        {
            var row = new int[Frames];
            for (var t = 0; t < Frames; t++) row[t] = Codes[item * Codebooks + k, t];
            return row;
        }).ToArray();
    }
}
