using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.MusicGenLm.MusicGenDecoderKeys;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Builds MusicGen-Melody's conditioning prefix (transformers' MusicgenMelodyForConditionalGeneration before the
/// decoder; audiocraft's ChromaStemConditioner + ConditionFuser "prepend"): per item
/// <c>[audio_enc_to_dec_proj(chroma fitted to chroma_length) | projected text states]</c>, [chroma_length + Lt, hidden].
/// The chroma is tiled or cut to chroma_length frames before the projection (Linear num_chroma → hidden with bias; on
/// one-hot rows it is a column of the weight plus the bias, computed here on the host). Text states are
/// <see cref="TextConditioning.Encode"/>'s, zero at padded positions; those stay in the prefix and are attended.
/// The guidance null item is the null melody (one-hot bin 0 on every frame) followed by zero text states.
/// </summary>
public sealed class MelodyConditioning
{
    private readonly float[] _weight; // {num_chroma, hidden}: W[h, c] at h · num_chroma + c (PyTorch's [hidden, num_chroma])
    private readonly float[] _bias;

    public MelodyConditioning(float[] weight, float[] bias, MusicGenDecoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        ArgumentNullException.ThrowIfNull(config);
        if (!config.IsMelody)
            throw new ArgumentException("the decoder config is not a melody decoder (it cross-attends to text; it takes no chroma)", nameof(config));
        (ChromaLength, NumChroma, HiddenSize) = (config.ChromaLength, config.NumChroma, config.HiddenSize);
        if (weight.LongLength != (long)NumChroma * HiddenSize)
            throw new ArgumentException($"chroma projection weight holds {weight.LongLength} values, expected {{{NumChroma}, {HiddenSize}}}", nameof(weight));
        if (bias.Length != HiddenSize)
            throw new ArgumentException($"chroma projection bias holds {bias.Length} values, expected {HiddenSize}", nameof(bias));
        foreach (var (values, what) in new[] { (weight, "weight"), (bias, "bias") })
            for (var i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i])) throw new ArgumentException($"chroma projection {what} value {i} is {values[i]}", what);
        (_weight, _bias) = (weight, bias);
    }

    /// <summary>Reads the chroma projection and the melody settings from a converted MusicGen-Melody GGUF.</summary>
    public static MelodyConditioning Load(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var config = MusicGenDecoderMetadata.Read(file.Metadata);
        if (!config.IsMelody)
            throw new ModelConfigException($"{file.Path}: the MusicGen decoder in this file is not a melody model (no chroma conditioning); use a converted musicgen-melody checkpoint");
        var weightName = K.Weight(K.ChromaProjection);
        var biasName = K.Bias(K.ChromaProjection);
        foreach (var (name, ne) in new[] { (weightName, new long[] { config.NumChroma, config.HiddenSize }), (biasName, new long[] { config.HiddenSize }) })
        {
            if (!file.TryGetTensor(name, out var info))
                throw new ModelWeightsException($"{file.Path}: missing tensor '{name}' (MusicGen-Melody's chroma projection)");
            if (!info.Ne.SequenceEqual(ne))
                throw new ModelWeightsException($"{file.Path}: tensor '{name}' has shape [{string.Join(", ", info.Ne)}], expected [{string.Join(", ", ne)}]");
        }
        return new MelodyConditioning(file.ReadFloat32(weightName), file.ReadFloat32(biasName), config);
    }

    public static MelodyConditioning Load(string ggufPath)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file);
    }

    /// <summary>Chroma frames of every prefix (235 for the released models).</summary>
    public int ChromaLength { get; }
    public int NumChroma { get; }
    public int HiddenSize { get; }

    /// <summary>
    /// The projected chroma of one melody, [chroma_length, hidden]: frames tiled or cut to chroma_length
    /// (<see cref="ChromaFeatures.FitToLength"/>), then <c>one_hot · Wᵀ + b</c>.
    /// </summary>
    public float[] ProjectChroma(ChromaFeatures chroma)
    {
        ArgumentNullException.ThrowIfNull(chroma);
        if (chroma.NumChroma != NumChroma)
            throw new ArgumentException($"the chroma has {chroma.NumChroma} bins per frame, the model's projection takes {NumChroma}", nameof(chroma));
        var fitted = chroma.FitToLength(ChromaLength).OneHot;
        var result = new float[(long)ChromaLength * HiddenSize];
        for (var t = 0; t < ChromaLength; t++)
        {
            var frame = fitted.Slice(t * NumChroma, NumChroma);
            var row = result.AsSpan(t * HiddenSize, HiddenSize);
            for (var h = 0; h < HiddenSize; h++)
            {
                var sum = 0f;
                for (var c = 0; c < NumChroma; c++) sum += frame[c] * _weight[h * NumChroma + c];
                row[h] = sum + _bias[h];
            }
        }
        return result;
    }

    /// <summary>The projected null melody (bin 0 on every frame), [chroma_length, hidden]: guidance's and "no melody"'s chroma.</summary>
    public float[] NullMelody() => ProjectChroma(ChromaFeatures.Null(ChromaLength, NumChroma));

    /// <summary>
    /// The prefix of B items: <paramref name="melodies"/> per item (null: no melody, the null melody stands in, as in
    /// transformers) and the projected text states [B, <paramref name="textLength"/>, hidden] (zero where padded), or
    /// null for no text at all (one zero position: audiocraft's empty description). The result carries its guidance
    /// null item [null melody | zero text].
    /// </summary>
    public MusicGenConditioning Prefix(IReadOnlyList<ChromaFeatures?> melodies, float[]? textStates, int textLength)
    {
        ArgumentNullException.ThrowIfNull(melodies);
        var batch = melodies.Count;
        if (batch < 1) throw new ArgumentException("no items: give one melody (or null) per item", nameof(melodies));
        if (textStates is null) textLength = 1;
        if (textLength < 1) throw new ArgumentOutOfRangeException(nameof(textLength), textLength, "the text part needs at least one position");
        if (textStates is not null && textStates.LongLength != (long)batch * textLength * HiddenSize)
            throw new ArgumentException($"text states hold {textStates.LongLength} values, expected [{batch}, {textLength}, {HiddenSize}] = {(long)batch * textLength * HiddenSize}", nameof(textStates));

        var length = ChromaLength + textLength;
        var item = (long)length * HiddenSize;
        var chromaValues = ChromaLength * HiddenSize;
        var states = new float[batch * item];
        var nullMelody = NullMelody();
        for (var b = 0; b < batch; b++)
        {
            var chroma = melodies[b] is { } m ? ProjectChroma(m) : nullMelody;
            chroma.CopyTo(states, b * item);
            textStates?.AsSpan((int)(b * (item - chromaValues)), (int)(item - chromaValues)).CopyTo(states.AsSpan((int)(b * item + chromaValues)));
        }
        var nullItem = new float[item];
        nullMelody.CopyTo(nullItem, 0);
        return new MusicGenConditioning(states, null, batch, length, HiddenSize).WithNullItem(nullItem);
    }

    /// <summary>
    /// Per-window prefixes for <see cref="LongFormGenerator"/>: in window w each melody is re-sliced from the window's
    /// start time for <paramref name="windowFrames"/> frames' duration (audiocraft's circular re-slicing, a whole window
    /// even for a shorter last one; <see cref="MelodyWaveform.WindowChroma"/>); the text is the same in every window.
    /// </summary>
    public Func<LongFormWindow, MusicGenConditioning> WindowPrefixes(IReadOnlyList<MelodyWaveform?> melodies, ChromaExtractor extractor,
        float[]? textStates, int textLength, double frameRate, int windowFrames)
    {
        ArgumentNullException.ThrowIfNull(melodies);
        ArgumentNullException.ThrowIfNull(extractor);
        if (extractor.Config.NumChroma != NumChroma)
            throw new ArgumentException($"the chroma extractor gives {extractor.Config.NumChroma} bins per frame, the model's projection takes {NumChroma}", nameof(extractor));
        if (!(frameRate > 0) || !double.IsFinite(frameRate)) throw new ArgumentOutOfRangeException(nameof(frameRate), frameRate, "the frame rate must be positive");
        if (windowFrames < 1) throw new ArgumentOutOfRangeException(nameof(windowFrames), windowFrames, "a window holds at least one frame");
        var items = melodies.ToArray();
        return w => Prefix(items.Select(m => m?.WindowChroma(extractor, w.Start / frameRate, windowFrames / frameRate)).ToArray(), textStates, textLength);
    }
}
