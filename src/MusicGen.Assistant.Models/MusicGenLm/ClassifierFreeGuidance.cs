using System.Numerics;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Classifier-free guidance: the one place the conditional and unconditional logits are mixed,
/// <c>uncond + scale · (cond - uncond)</c>, on raw logits before temperature and filtering (audiocraft's
/// <c>_sample_next_token</c>, transformers' <c>ClassifierFreeGuidanceLogitsProcessor</c>). Scale 1 is the conditional
/// model alone; MusicGen uses 3.
/// </summary>
public static class ClassifierFreeGuidance
{
    /// <summary>audiocraft's <c>cfg_coef</c> and the HF checkpoints' <c>guidance_scale</c>.</summary>
    public const float DefaultScale = 3.0f;

    /// <summary>Mixes one row: destination = uncond + (cond - uncond) · scale (float32, in transformers' order).</summary>
    public static void Mix(ReadOnlySpan<float> cond, ReadOnlySpan<float> uncond, float scale, Span<float> destination)
    {
        CheckScale(scale);
        if (cond.Length != uncond.Length || destination.Length != cond.Length)
            throw new ArgumentException(
                $"guidance rows differ in length: cond {cond.Length}, uncond {uncond.Length}, destination {destination.Length}");
        // a vector at a time, with the same two roundings per element as the scalar form (no fused multiply-add)
        var i = 0;
        var s = new Vector<float>(scale);
        for (; i + Vector<float>.Count <= cond.Length; i += Vector<float>.Count)
        {
            var u = new Vector<float>(uncond[i..]);
            (u + (new Vector<float>(cond[i..]) - u) * s).CopyTo(destination[i..]);
        }
        for (; i < cond.Length; i++)
            destination[i] = uncond[i] + (cond[i] - uncond[i]) * scale;
    }

    /// <summary>
    /// Mixes a stacked CFG batch as the model returns it, [2N, V] row-major with the N conditional rows first and the
    /// N unconditional rows after them, into [N, V].
    /// </summary>
    public static float[] MixStacked(ReadOnlySpan<float> stacked, int vocabSize, float scale)
    {
        if (vocabSize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "the vocabulary must be non-empty");
        if (stacked.Length % (2 * vocabSize) != 0)
            throw new ArgumentException(
                $"stacked logits hold {stacked.Length} values, not a whole number of cond/uncond row pairs of {vocabSize}", nameof(stacked));
        var half = stacked.Length / 2;
        var mixed = new float[half];
        Mix(stacked[..half], stacked[half..], scale, mixed);
        return mixed;
    }

    private static void CheckScale(float scale)
    {
        if (!float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the guidance scale must be a finite number");
    }
}
