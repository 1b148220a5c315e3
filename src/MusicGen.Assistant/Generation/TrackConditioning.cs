using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// What one track is conditioned on. Text-to-music models cross-attend to the T5 states of the prompt. MusicGen-Melody
/// models take the prefix [chroma | text] (<see cref="MelodyConditioning"/>): the melody's chroma, or the null melody
/// when none is given (as transformers does), then the text states (one zero position when there is no text, as
/// audiocraft's empty description). Long-form windows of a melody track re-slice the melody from their own start
/// (<see cref="PerWindow"/>). With neither text nor melody, guidance compares the null condition with itself, so it is
/// switched off (same result, half the work).
/// </summary>
internal sealed record TrackConditioning(MusicGenConditioning Conditioning, SamplingSettings Sampling, Func<LongFormWindow, MusicGenConditioning>? PerWindow)
{
    public static TrackConditioning For(MusicGenModelSet set, string? text, MelodyInput? melody, SamplingSettings sampling, int windowFrames)
    {
        var states = text is null ? default((float[] Values, long[] Mask, int Length)?) : Encode(set, text);
        var itemSampling = text is null && melody is null ? sampling with { GuidanceScale = 1 } : sampling;
        var perWindow = melody is null ? null
            : set.Melody!.WindowPrefixes([melody.Waveform], set.Chroma!, states?.Values, states?.Length ?? 1, set.FrameRate, windowFrames);
        return new TrackConditioning(Build(set, states, melody), itemSampling, perWindow);
    }

    /// <summary>The conditioning of a prompt alone (no melody; a melody model gets the null melody), or of no text.</summary>
    public static MusicGenConditioning ForText(MusicGenModelSet set, string? text) => Build(set, text is null ? null : Encode(set, text), null);

    private static MusicGenConditioning Build(MusicGenModelSet set, (float[] Values, long[] Mask, int Length)? states, MelodyInput? melody)
    {
        if (set.Config.IsMelody)
            return set.Melody!.Prefix([melody?.Waveform.Chroma(set.Chroma!)], states?.Values, states?.Length ?? 1);
        return states is { } s
            ? MusicGenConditioning.FromAttentionMask(s.Values, s.Mask, 1, s.Length, set.Conditioning.HiddenSize)
            : MusicGenConditioning.Null(1, 1, set.Config.HiddenSize);
    }

    /// <summary>Positions the conditioning takes ahead of the tokens: the melody prefix's (chroma_length + text), else 0.</summary>
    public static int PrefixLength(MusicGenModelSet set, string? text) =>
        set.Config.IsMelody ? set.Config.ChromaLength + (text is null ? 1 : set.Text.EncodeBatch([text]).Length) : 0;

    private static (float[] Values, long[] Mask, int Length) Encode(MusicGenModelSet set, string prompt)
    {
        var batch = set.Text.EncodeBatch([prompt]);
        var ids = new int[1, batch.Length];
        var mask = new int[1, batch.Length];
        for (var t = 0; t < batch.Length; t++) (ids[0, t], mask[0, t]) = (batch.InputIds[t], batch.AttentionMask[t]);
        return (set.Conditioning.Encode(ids, mask), batch.AttentionMask.Select(m => (long)m).ToArray(), batch.Length);
    }
}
