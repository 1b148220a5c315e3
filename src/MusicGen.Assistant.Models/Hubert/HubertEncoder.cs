using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// Runs a HuBERT-architecture encoder (MERT) on mono waveforms at <see cref="HubertPreprocessing.SamplingRate"/> and
/// returns every hidden state. The conv feature encoder runs in time chunks (<see cref="ConvChunkFrames"/>) when its
/// convs are layer-normed, and attention takes queries in blocks (<see cref="AttentionQueryBlock"/>), so memory grows
/// with the frames kept, not with intermediate products. For long tracks use <see cref="MertWindowedEncoder"/>, which
/// never holds more than one window. One call at a time: an encoder is not safe for concurrent use.
/// </summary>
public sealed partial class HubertEncoder : IDisposable
{
    private readonly HubertWeights _weights;
    private GraphExecutor? _executor;
    private int _convChunkFrames = 1024;
    private int _attentionQueryBlock = 1024;

    /// <summary>An encoder over weights already on a backend; the caller keeps owning them.</summary>
    public HubertEncoder(HubertWeights weights, HubertPreprocessing preprocessing)
    {
        _weights = weights ?? throw new ArgumentNullException(nameof(weights));
        Preprocessing = (preprocessing ?? throw new ArgumentNullException(nameof(preprocessing))).Validate();
    }

    /// <summary>Loads the encoder of a GGUF file (converted by <see cref="HubertCheckpointPlan"/>) onto a backend.</summary>
    public static HubertEncoder Load(string ggufPath, ComputeBackend backend)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend);
    }

    /// <summary>Loads the encoder of an open GGUF file onto a backend; the result owns its weights.</summary>
    public static HubertEncoder Load(GgufFile file, ComputeBackend backend)
    {
        var (config, preprocessing) = HubertMetadata.Read(file.Metadata);
        var weights = new HubertWeights(file, config, backend);
        try { return new HubertEncoder(weights, preprocessing) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public HubertConfig Config => _weights.Config;
    public HubertPreprocessing Preprocessing { get; }
    public ComputeBackend Backend => _weights.Backend;
    public long WeightBytes => _weights.ResidentBytes;

    /// <summary>Wall time per stage ("features", "encoder"), accumulated over calls.</summary>
    public StageTimings Timings { get; } = new();

    private bool OwnsWeights { get; init; }

    /// <summary>
    /// Output frames the conv stack computes per graph when its convs are layer-normed (exact: each frame sees only its
    /// receptive field). A group-normed first conv normalizes over the whole input, so it always runs in one piece.
    /// </summary>
    public int ConvChunkFrames
    {
        get => _convChunkFrames;
        set => _convChunkFrames = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ConvChunkFrames), value, "at least 1 frame");
    }

    /// <summary>Queries attended at once: the score matrix is at most {frames, this, heads} per row.</summary>
    public int AttentionQueryBlock
    {
        get => _attentionQueryBlock;
        set => _attentionQueryBlock = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(AttentionQueryBlock), value, "at least 1 query");
    }

    /// <summary>
    /// One raw mono waveform through the feature extractor (normalized when the preprocessor says so) and the model:
    /// every hidden state, as <c>model(**processor(waveform), output_hidden_states=True).hidden_states</c>.
    /// </summary>
    public HubertHiddenStates Encode(ReadOnlySpan<float> waveform)
    {
        var values = Preprocessing.Prepare(waveform);
        var frames = CheckLength(values.Length, "the waveform");
        return Run(values, 1, values.Length, [frames], masked: false)[0];
    }

    /// <summary>
    /// Raw mono waveforms of any lengths as one padded batch, as the feature extractor builds it: each normalized over
    /// its own samples, right-padded with padding_value, and masked when the preprocessor returns an attention mask.
    /// </summary>
    public IReadOnlyList<HubertHiddenStates> EncodeBatch(IReadOnlyList<float[]> waveforms)
    {
        ArgumentNullException.ThrowIfNull(waveforms);
        if (waveforms.Count == 0) throw new ArgumentException("no waveforms to encode", nameof(waveforms));
        var samples = waveforms.Max(w => w?.Length ?? throw new ArgumentException("a waveform is null", nameof(waveforms)));
        var values = new float[(long)waveforms.Count * samples];
        var valid = new int[waveforms.Count];
        for (var b = 0; b < waveforms.Count; b++)
        {
            valid[b] = CheckLength(waveforms[b].Length, $"waveform {b}");
            var row = values.AsSpan(b * samples, samples);
            Preprocessing.Prepare(waveforms[b]).CopyTo(row);
            row[waveforms[b].Length..].Fill(Preprocessing.PaddingValue);
        }
        return Run(values, waveforms.Count, samples, valid, masked: Preprocessing.ReturnAttentionMask);
    }

    /// <summary>
    /// transformers' <c>model(input_values, attention_mask, output_hidden_states=True)</c> on prepared input values [B,
    /// S]: no normalization here. The attention mask (1 = real sample) must be right-padded; padded frames are zeroed
    /// before the positional conv and never attended to, but still computed.
    /// </summary>
    public IReadOnlyList<HubertHiddenStates> Forward(float[,] inputValues, int[,]? attentionMask = null)
    {
        var (values, batch, samples) = Flatten(inputValues);
        var valid = new int[batch];
        for (var b = 0; b < batch; b++)
            valid[b] = CheckLength(attentionMask is null ? samples : RealSamples(attentionMask, b, batch, samples), $"input row {b}");
        return Run(values, batch, samples, valid, masked: attentionMask is not null);
    }

    /// <summary>
    /// The conv feature encoder alone (<c>model.feature_extractor(input_values)</c>) on prepared input values [B, S]:
    /// [B, frames, conv_dim[-1]] row-major, i.e. transformers' [B, channels, frames] output transposed per row.
    /// </summary>
    public float[] ExtractFeatures(float[,] inputValues)
    {
        var (values, batch, samples) = Flatten(inputValues);
        CheckLength(samples, "the input");
        return RunFeatureEncoder(values, batch, samples).Features;
    }

    private int CheckLength(long samples, string what)
    {
        var frames = Config.FrameCount(samples);
        if (frames < 1)
            throw new ArgumentException($"{what} has {samples} samples, fewer than the {Config.ReceptiveField} samples one output frame needs " +
                                        $"({Config.ReceptiveField * 1000.0 / Preprocessing.SamplingRate:0.#} ms at {Preprocessing.SamplingRate} Hz)");
        if (frames > int.MaxValue) throw new ArgumentException($"{what} has {samples} samples: too many frames for one pass; use {nameof(MertWindowedEncoder)}");
        return (int)frames;
    }

    private static (float[] Values, int Batch, int Samples) Flatten(float[,] inputValues)
    {
        ArgumentNullException.ThrowIfNull(inputValues);
        int batch = inputValues.GetLength(0), samples = inputValues.GetLength(1);
        if (batch < 1 || samples < 1) throw new ArgumentException($"input_values [{batch}, {samples}] is empty", nameof(inputValues));
        var flat = new float[inputValues.Length];
        var i = 0;
        foreach (var v in inputValues) flat[i++] = v;
        return (flat, batch, samples);
    }

    // transformers takes attention_mask.sum(-1) as the real length, which is only right for right padding: refuse others
    private static int RealSamples(int[,] mask, int row, int batch, int samples)
    {
        if (mask.GetLength(0) != batch || mask.GetLength(1) != samples)
            throw new ArgumentException($"attention_mask [{mask.GetLength(0)}, {mask.GetLength(1)}] does not match input_values [{batch}, {samples}]", nameof(mask));
        var length = 0;
        while (length < samples && mask[row, length] == 1) length++;
        for (var s = length; s < samples; s++)
            if (mask[row, s] != 0)
                throw new ArgumentException(mask[row, s] == 1
                    ? $"attention_mask row {row} is not right-padded: sample {s} is real after padding from sample {length}"
                    : $"attention_mask[{row}, {s}] = {mask[row, s]}; expected 0 (padding) or 1 (sample)", nameof(mask));
        return length;
    }

    public void Dispose()
    {
        _executor?.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
