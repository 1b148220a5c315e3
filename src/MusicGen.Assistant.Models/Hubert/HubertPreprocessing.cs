using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// What transformers' Wav2Vec2FeatureExtractor (preprocessor_config.json) does to a raw mono waveform before the model:
/// optionally zero-mean / unit-variance normalize each waveform over its own samples, right-pad a batch with
/// <see cref="PaddingValue"/>, and say whether the model gets an attention mask. Defaults are the class defaults.
/// </summary>
public sealed record HubertPreprocessing
{
    public int SamplingRate { get; init; } = 16000;
    public bool DoNormalize { get; init; } = true;
    public float PaddingValue { get; init; }
    public bool ReturnAttentionMask { get; init; }

    /// <summary>The variance floor of zero_mean_unit_var_norm: (x - mean) / sqrt(var + 1e-7).</summary>
    public const double VarianceEpsilon = 1e-7;

    /// <summary>The highest sampling rate accepted (MERT: 24 kHz).</summary>
    public const int MaxSamplingRate = 384_000;

    public HubertPreprocessing Validate()
    {
        ConfigLimits.Range("HuBERT preprocessing", "sampling_rate", SamplingRate, 1, MaxSamplingRate);
        if (!float.IsFinite(PaddingValue)) throw new ModelConfigException($"HuBERT preprocessing: padding_value {PaddingValue} must be finite");
        return this;
    }

    /// <summary>
    /// The model's input values for one waveform: a copy, normalized when <see cref="DoNormalize"/> (mean and population
    /// variance over all its samples, accumulated in double).
    /// </summary>
    public float[] Prepare(ReadOnlySpan<float> waveform)
    {
        var values = waveform.ToArray();
        if (DoNormalize) NormalizeInPlace(values);
        return values;
    }

    /// <summary>zero_mean_unit_var_norm of one waveform, in place.</summary>
    public static void NormalizeInPlace(Span<float> values)
    {
        if (values.IsEmpty) return;
        double sum = 0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        double squares = 0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        var scale = 1 / Math.Sqrt(squares / values.Length + VarianceEpsilon);
        for (var i = 0; i < values.Length; i++) values[i] = (float)((values[i] - mean) * scale);
    }

    /// <summary>Reads a Wav2Vec2FeatureExtractor preprocessor_config.json; refuses settings the model input cannot follow.</summary>
    public static HubertPreprocessing FromHuggingFaceJson(string json, string source)
    {
        var o = ParseObject(json, source);
        var type = String(o, "feature_extractor_type", source);
        if (type is not (null or "Wav2Vec2FeatureExtractor"))
            throw new ModelConfigException($"{source}: feature_extractor_type '{type}' is not supported (expected Wav2Vec2FeatureExtractor)");
        var featureSize = Int(o, "feature_size", 1, source);
        if (featureSize != 1) throw new ModelConfigException($"{source}: feature_size {featureSize} (only raw mono waveforms, feature_size 1, are supported)");
        var side = String(o, "padding_side", source) ?? "right";
        if (side != "right") throw new ModelConfigException($"{source}: padding_side '{side}' (only right padding is supported)");
        var d = new HubertPreprocessing();
        try
        {
            return new HubertPreprocessing
            {
                SamplingRate = Int(o, "sampling_rate", d.SamplingRate, source),
                DoNormalize = Bool(o, "do_normalize", d.DoNormalize, source),
                PaddingValue = (float)Double(o, "padding_value", d.PaddingValue, source),
                ReturnAttentionMask = Bool(o, "return_attention_mask", d.ReturnAttentionMask, source),
            }.Validate();
        }
        catch (ModelConfigException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new ModelConfigException($"{source}: {e.Message}");
        }
    }
}
