using static MusicGen.Assistant.Models.HfConfigJson;

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

    /// <summary>
    /// The largest sizes accepted (facebook/encodec_32khz: 64 filters, hidden 128, codebooks of 2048, 4 ratios,
    /// 1 residual layer, 2 LSTM layers). Checked before anything is sized by them.
    /// </summary>
    public static class Limits
    {
        public const int SamplingRate = 384_000, AudioChannels = 2, NumFilters = 4096, HiddenSize = 8192, CodebookSize = 1 << 16;
        public const int Ratios = 8, Ratio = 64, HopLength = 1 << 16, ResidualLayers = 16, DilationGrowthRate = 16, Dilation = 1 << 16;
        public const int KernelSize = 1024, LstmLayers = 16, InnerWidth = 1 << 16, Bandwidths = 32, Quantizers = 256;
        public const double BandwidthKbps = 10_000;
    }

    /// <summary>Throws naming the first setting this implementation cannot run, that is inconsistent or out of <see cref="Limits"/>.</summary>
    public EncodecConfig Validate()
    {
        const string family = "EnCodec config";
        void Fail(string what) => throw new ModelConfigException($"{family}: {what}");
        void Range(string key, long value, long min, long max) => ConfigLimits.Range(family, key, value, min, max);
        Range("sampling_rate", SamplingRate, 1, Limits.SamplingRate);
        Range("audio_channels", AudioChannels, 1, Limits.AudioChannels);
        Range("num_filters", NumFilters, 1, Limits.NumFilters);
        Range("hidden_size", HiddenSize, 1, Limits.HiddenSize);
        Range("codebook_size", CodebookSize, 2, Limits.CodebookSize);
        Range("codebook_dim", CodebookDim, 1, Limits.HiddenSize);
        if (CodebookDim != HiddenSize) Fail($"codebook_dim {CodebookDim} differs from hidden_size {HiddenSize} (projected codebooks are not supported)");
        if (UpsamplingRatios is null || UpsamplingRatios.Length == 0) Fail("upsampling_ratios is empty");
        Range("the number of upsampling_ratios", UpsamplingRatios!.Length, 1, Limits.Ratios);
        foreach (var r in UpsamplingRatios) Range("an upsampling ratio", r, 1, Limits.Ratio);
        ConfigLimits.Product(family, "the hop length (product of upsampling_ratios)", Limits.HopLength, UpsamplingRatios.Select(r => (long)r).ToArray());
        ConfigLimits.Product(family, "the inner width (num_filters x 2^len(upsampling_ratios))", Limits.InnerWidth, NumFilters, 1L << UpsamplingRatios.Length);
        Range("num_residual_layers", NumResidualLayers, 0, Limits.ResidualLayers);
        Range("dilation_growth_rate", DilationGrowthRate, 1, Limits.DilationGrowthRate);
        if (NumResidualLayers > 1)
            ConfigLimits.Product(family, "the largest dilation (dilation_growth_rate^(num_residual_layers-1))", Limits.Dilation,
                Enumerable.Repeat((long)DilationGrowthRate, NumResidualLayers - 1).ToArray());
        Range("kernel_size", KernelSize, 1, Limits.KernelSize);
        Range("last_kernel_size", LastKernelSize, 1, Limits.KernelSize);
        Range("residual_kernel_size", ResidualKernelSize, 1, Limits.KernelSize);
        Range("num_lstm_layers", NumLstmLayers, 0, Limits.LstmLayers);
        Range("compress", Compress, 1, NumFilters);
        if (NormType != "weight_norm") Fail($"norm_type '{NormType}' is not supported (only weight_norm, as the 24 and 32 kHz models use)");
        if (Normalize) Fail("normalize=true (the 48 kHz model's chunked, rescaled mode) is not supported");
        if (PadMode is not ("reflect" or "constant")) Fail($"pad_mode '{PadMode}' (reflect or constant supported)");
        ConfigLimits.Range(family, "trim_right_ratio", TrimRightRatio, 0, 1);
        if (TargetBandwidths is null || TargetBandwidths.Length == 0) Fail("target_bandwidths is empty");
        Range("the number of target_bandwidths", TargetBandwidths!.Length, 1, Limits.Bandwidths);
        foreach (var bw in TargetBandwidths) ConfigLimits.Range(family, "a target bandwidth (kbps)", bw, 0, Limits.BandwidthKbps);
        if (NumQuantizers < 1) Fail("the target bandwidths give no quantizer layer");
        Range("the quantizer layers of the largest target bandwidth", NumQuantizers, 1, Limits.Quantizers);
        return this;
    }

    /// <summary>Reads a transformers config.json: an EncodecConfig, or a MusicGen config holding one as audio_encoder.</summary>
    public static EncodecConfig FromHuggingFaceJson(string json, string source)
    {
        var obj = ParseObject(json, source);
        var node = String(obj, "model_type", source) == "encodec" ? obj : Object(obj, "audio_encoder", source);
        if (node is null || String(node, "model_type", source) != "encodec")
            throw new ModelConfigException($"{source}: neither an EnCodec config nor a config with an EnCodec 'audio_encoder'");
        var d = new EncodecConfig();
        try
        {
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
                PadMode = String(node, "pad_mode", source) ?? d.PadMode,
                TrimRightRatio = Double(node, "trim_right_ratio", d.TrimRightRatio, source),
                TargetBandwidths = Doubles(node, "target_bandwidths", d.TargetBandwidths, source),
                Normalize = Bool(node, "normalize", d.Normalize, source),
                UseConvShortcut = Bool(node, "use_conv_shortcut", d.UseConvShortcut, source),
                NormType = String(node, "norm_type", source) ?? d.NormType,
            }.Validate();
        }
        catch (ModelConfigException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new ModelConfigException($"{source}: {e.Message}");
        }
    }
}
