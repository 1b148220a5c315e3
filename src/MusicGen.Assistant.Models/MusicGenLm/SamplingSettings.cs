namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// How the next token of each codebook is chosen. Defaults are audiocraft's <c>MusicGen.set_generation_params</c>:
/// sampling, guidance 3, temperature 1, top-k 250, no top-p. transformers differs only in top-k (its generic default 50
/// applies because the hub generation_config.json sets none): use <see cref="Transformers"/> to reproduce it.
/// </summary>
public sealed record SamplingSettings
{
    public const int AudiocraftTopK = 250;
    public const int TransformersTopK = 50;

    /// <summary>False: greedy (argmax of the guided logits; temperature, top-k and top-p are then ignored).</summary>
    public bool UseSampling { get; init; } = true;

    /// <summary>Classifier-free guidance scale; 1 = conditional logits only.</summary>
    public float GuidanceScale { get; init; } = ClassifierFreeGuidance.DefaultScale;

    /// <summary>Logits are divided by it before filtering; must be &gt; 0 (greedy is <see cref="UseSampling"/> = false).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep the k largest logits and every logit tied with the k-th; 0 = off.</summary>
    public int TopK { get; init; } = AudiocraftTopK;

    /// <summary>Nucleus mass in (0, 1]; 1 = off (audiocraft spells "off" as 0, this type does not).</summary>
    public float TopP { get; init; } = 1f;

    public static SamplingSettings Audiocraft { get; } = new();
    public static SamplingSettings Transformers { get; } = new() { TopK = TransformersTopK };
    public static SamplingSettings Greedy { get; } = new() { UseSampling = false };

    /// <summary>Throws naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (!float.IsFinite(GuidanceScale))
            throw new ArgumentOutOfRangeException(nameof(GuidanceScale), GuidanceScale, "the guidance scale must be a finite number");
        if (!float.IsFinite(Temperature) || Temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature,
                "the temperature must be a positive finite number; for greedy decoding set UseSampling = false");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be ≥ 0 (0 turns it off)");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]; 1 turns it off (audiocraft's top_p = 0)");
    }
}
