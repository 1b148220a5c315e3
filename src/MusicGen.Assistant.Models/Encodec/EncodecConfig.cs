using static MusicGen.Assistant.Models.HfConfigJson;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// Hyper-parameters of an EnCodec model (transformers' EncodecConfig): the SEANet encoder/decoder, the LSTM and the
/// residual vector quantizer. Read from a Hugging Face config.json (standalone, or the <c>audio_encoder</c> part of a
/// MusicGen config) or from GGUF metadata; graph code reads sizes only from here.
/// </summary>
public sealed record EncodecConfig
{
    public int SamplingRate { get; init; } = 32000;
    public int AudioChannels { get; init; } = 1;
    public int NumFilters { get; init; } = 64;
    public int HiddenSize { get; init; } = 128;
    public int CodebookSize { get; init; } = 2048;
    public int CodebookDim { get; init; } = 128;
    public int[] UpsamplingRatios { get; init; } = [8, 5, 4, 4];
    public int NumResidualLayers { get; init; } = 1;
    public int DilationGrowthRate { get; init; } = 2;
    public int KernelSize { get; init; } = 7;
    public int LastKernelSize { get; init; } = 7;
    public int ResidualKernelSize { get; init; } = 3;
    public int NumLstmLayers { get; init; } = 2;
    public int Compress { get; init; } = 2;
    public bool UseCausalConv { get; init; }
    public string PadMode { get; init; } = "reflect";
    public double TrimRightRatio { get; init; } = 1.0;
    public double[] TargetBandwidths { get; init; } = [2.2];
    public bool Normalize { get; init; }
    public bool UseConvShortcut { get; init; }
    public string NormType { get; init; } = "weight_norm";

    /// <summary>facebook/encodec_32khz, the codec MusicGen renders through.</summary>
    public static EncodecConfig Encodec32Khz { get; } = new();

    /// <summary>Samples per code frame: the product of the up-sampling ratios (640 at 32 kHz).</summary>
    public int HopLength => UpsamplingRatios.Aggregate(1, (a, b) => a * b);

    /// <summary>Code frames per second (transformers: ceil(sampling_rate / hop_length)).</summary>
    public int FrameRate => (int)Math.Ceiling(SamplingRate / (double)HopLength);

    /// <summary>Quantizer layers stored in the model: int(1000 * max bandwidth // (frame_rate * 10)).</summary>
    public int NumQuantizers => (int)Math.Floor(1000 * TargetBandwidths[^1] / (FrameRate * 10));

    /// <summary>Width of the LSTM and of the innermost convolutions: num_filters * 2^len(ratios).</summary>
    public int InnerWidth => NumFilters << UpsamplingRatios.Length;

    /// <summary>
    /// Codebooks used for a bandwidth in kbps (transformers' get_num_quantizers_for_bandwidth); null = the first target
    /// bandwidth, as EncodecModel.encode does. Capped by the quantizer layers that exist.
    /// </summary>
    public int QuantizersForBandwidth(double? bandwidthKbps = null)
    {
        var bw = bandwidthKbps ?? TargetBandwidths[0];
        var perQuantizer = Math.Log2(CodebookSize) * FrameRate;
        var n = bw > 0 ? Math.Max(1, (int)Math.Floor(bw * 1000 / perQuantizer)) : NumQuantizers;
        return Math.Min(n, NumQuantizers);
    }

    /// <summary>Throws naming the first setting this implementation cannot run or that is inconsistent.</summary>
    public EncodecConfig Validate()
    {
        void Fail(string what) => throw new ModelConfigException($"EnCodec config: {what}");
        if (SamplingRate <= 0) Fail($"sampling_rate {SamplingRate} must be positive");
        if (AudioChannels is < 1 or > 2) Fail($"audio_channels {AudioChannels} (1 or 2 supported)");
        if (NumFilters <= 0 || HiddenSize <= 0 || CodebookSize <= 1 || CodebookDim <= 0) Fail("sizes must be positive");
        if (CodebookDim != HiddenSize) Fail($"codebook_dim {CodebookDim} differs from hidden_size {HiddenSize} (projected codebooks are not supported)");
        if (UpsamplingRatios.Length == 0 || UpsamplingRatios.Any(r => r < 1)) Fail("upsampling_ratios must be positive");
        if (NumResidualLayers < 0 || NumLstmLayers < 0 || Compress < 1) Fail("layer counts must be non-negative");
        if (NormType != "weight_norm") Fail($"norm_type '{NormType}' is not supported (only weight_norm, as the 24 and 32 kHz models use)");
        if (Normalize) Fail("normalize=true (the 48 kHz model's chunked, rescaled mode) is not supported");
        if (PadMode is not ("reflect" or "constant")) Fail($"pad_mode '{PadMode}' (reflect or constant supported)");
        if (TargetBandwidths.Length == 0) Fail("target_bandwidths is empty");
        if (NumQuantizers < 1) Fail("the target bandwidths give no quantizer layer");
        return this;
    }

    /// <summary>Reads a transformers config.json: an EncodecConfig, or a MusicGen config holding one as audio_encoder.</summary>
    public static EncodecConfig FromHuggingFaceJson(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: not valid JSON ({e.Message})"); }
        if (root is not JsonObject obj) throw new ModelConfigException($"{source}: expected a JSON object");
        var node = obj["model_type"]?.GetValue<string>() == "encodec" ? obj : obj["audio_encoder"] as JsonObject;
        if (node is null || node["model_type"]?.GetValue<string>() != "encodec")
            throw new ModelConfigException($"{source}: neither an EnCodec config nor a config with an EnCodec 'audio_encoder'");
        var d = new EncodecConfig();
        return new EncodecConfig
        {
            SamplingRate = Int(node, "sampling_rate", d.SamplingRate, source),
            AudioChannels = Int(node, "audio_channels", d.AudioChannels, source),
            NumFilters = Int(node, "num_filters", d.NumFilters, source),
            HiddenSize = Int(node, "hidden_size", d.HiddenSize, source),
            CodebookSize = Int(node, "codebook_size", d.CodebookSize, source),
            CodebookDim = node["codebook_dim"] is null ? Int(node, "hidden_size", d.HiddenSize, source) : Int(node, "codebook_dim", d.CodebookDim, source),
            UpsamplingRatios = Ints(node, "upsampling_ratios", d.UpsamplingRatios, source),
            NumResidualLayers = Int(node, "num_residual_layers", d.NumResidualLayers, source),
            DilationGrowthRate = Int(node, "dilation_growth_rate", d.DilationGrowthRate, source),
            KernelSize = Int(node, "kernel_size", d.KernelSize, source),
            LastKernelSize = Int(node, "last_kernel_size", d.LastKernelSize, source),
            ResidualKernelSize = Int(node, "residual_kernel_size", d.ResidualKernelSize, source),
            NumLstmLayers = Int(node, "num_lstm_layers", d.NumLstmLayers, source),
            Compress = Int(node, "compress", d.Compress, source),
            UseCausalConv = Bool(node, "use_causal_conv", d.UseCausalConv, source),
            PadMode = node["pad_mode"]?.GetValue<string>() ?? d.PadMode,
            TrimRightRatio = Double(node, "trim_right_ratio", d.TrimRightRatio, source),
            TargetBandwidths = node["target_bandwidths"] is JsonArray bw ? bw.Select(x => x!.GetValue<double>()).ToArray() : d.TargetBandwidths,
            Normalize = Bool(node, "normalize", d.Normalize, source),
            UseConvShortcut = Bool(node, "use_conv_shortcut", d.UseConvShortcut, source),
            NormType = node["norm_type"]?.GetValue<string>() ?? d.NormType,
        }.Validate();
    }
}
