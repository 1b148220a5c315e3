namespace MusicGen.Assistant.Models.Encodec;

/// <summary>One module of the SEANet encoder or decoder, at its index in transformers' <c>layers</c> list.</summary>
public abstract record EncodecLayer(string Stack, int Index)
{
    /// <summary>Tensor name prefix in our GGUF files, e.g. <c>encodec.decoder.3</c>.</summary>
    public string GgufPrefix => $"{EncodecKeys.TensorPrefix}{Stack}.{Index}";

    /// <summary>Module path in a Hugging Face EncodecModel state dict (before the <c>.conv</c> wrapper).</summary>
    public string HfPrefix => $"{Stack}.layers.{Index}";
}

/// <summary>Weight-normed Conv1d (EncodecConv1d) with the non-causal/causal padding rules; kernel over Ne = {k, in, out}.</summary>
public sealed record ConvSpec(string Stack, int Index, int InChannels, int OutChannels, int Kernel, int Stride = 1, int Dilation = 1,
    string SubPath = "") : EncodecLayer(Stack, Index)
{
    public string Name => SubPath.Length == 0 ? GgufPrefix : $"{GgufPrefix}.{SubPath}";
    public string HfName => SubPath.Length == 0 ? $"{HfPrefix}.conv" : $"{HfPrefix}.{SubPath}.conv";

    /// <summary>Span of the dilated kernel: (k - 1) * d + 1.</summary>
    public int EffectiveKernel => (Kernel - 1) * Dilation + 1;
}

/// <summary>Weight-normed ConvTranspose1d (EncodecConvTranspose1d) with the symmetric (or causal) trim.</summary>
public sealed record ConvTransposeSpec(string Stack, int Index, int InChannels, int OutChannels, int Kernel, int Stride)
    : EncodecLayer(Stack, Index)
{
    public string Name => GgufPrefix;
    public string HfName => $"{HfPrefix}.conv";
}

/// <summary>EncodecResnetBlock: x + conv1x1(ELU(conv_k(ELU(x)))), with an identity or 1x1-conv shortcut.</summary>
public sealed record ResidualBlockSpec(string Stack, int Index, ConvSpec First, ConvSpec Second, ConvSpec? Shortcut)
    : EncodecLayer(Stack, Index);

/// <summary>EncodecLSTM: a stacked nn.LSTM(width, width) over time plus a skip connection.</summary>
public sealed record LstmSpec(string Stack, int Index, int Width, int Layers) : EncodecLayer(Stack, Index);

/// <summary>ELU(alpha = 1).</summary>
public sealed record EluSpec(string Stack, int Index) : EncodecLayer(Stack, Index);

/// <summary>
/// The layer lists of transformers' EncodecEncoder / EncodecDecoder derived from a config, index for index, so
/// checkpoint names, graph code and tests all read one description.
/// </summary>
public static class EncodecLayers
{
    public static IReadOnlyList<EncodecLayer> Encoder(EncodecConfig c)
    {
        var layers = new List<EncodecLayer>();
        const string s = "encoder";
        layers.Add(new ConvSpec(s, 0, c.AudioChannels, c.NumFilters, c.KernelSize));
        var scaling = 1;
        foreach (var ratio in c.UpsamplingRatios.Reverse())
        {
            var width = scaling * c.NumFilters;
            for (int j = 0, dilation = 1; j < c.NumResidualLayers; j++, dilation *= c.DilationGrowthRate)
                layers.Add(Residual(c, s, layers.Count, width, dilation));
            layers.Add(new EluSpec(s, layers.Count));
            layers.Add(new ConvSpec(s, layers.Count, width, width * 2, ratio * 2, ratio));
            scaling *= 2;
        }
        if (c.NumLstmLayers > 0) layers.Add(new LstmSpec(s, layers.Count, scaling * c.NumFilters, c.NumLstmLayers));
        layers.Add(new EluSpec(s, layers.Count));
        layers.Add(new ConvSpec(s, layers.Count, scaling * c.NumFilters, c.HiddenSize, c.LastKernelSize));
        return layers;
    }

    public static IReadOnlyList<EncodecLayer> Decoder(EncodecConfig c)
    {
        var layers = new List<EncodecLayer>();
        const string s = "decoder";
        var scaling = 1 << c.UpsamplingRatios.Length;
        layers.Add(new ConvSpec(s, 0, c.HiddenSize, scaling * c.NumFilters, c.KernelSize));
        if (c.NumLstmLayers > 0) layers.Add(new LstmSpec(s, layers.Count, scaling * c.NumFilters, c.NumLstmLayers));
        foreach (var ratio in c.UpsamplingRatios)
        {
            var width = scaling * c.NumFilters;
            layers.Add(new EluSpec(s, layers.Count));
            layers.Add(new ConvTransposeSpec(s, layers.Count, width, width / 2, ratio * 2, ratio));
            for (int j = 0, dilation = 1; j < c.NumResidualLayers; j++, dilation *= c.DilationGrowthRate)
                layers.Add(Residual(c, s, layers.Count, width / 2, dilation));
            scaling /= 2;
        }
        layers.Add(new EluSpec(s, layers.Count));
        layers.Add(new ConvSpec(s, layers.Count, c.NumFilters, c.AudioChannels, c.LastKernelSize));
        return layers;
    }

    private static ResidualBlockSpec Residual(EncodecConfig c, string stack, int index, int width, int dilation)
    {
        var hidden = width / c.Compress;
        // nn.ModuleList [ELU, conv, ELU, conv]: the convolutions sit at block.1 and block.3
        var first = new ConvSpec(stack, index, width, hidden, c.ResidualKernelSize, 1, dilation, "block.1");
        var second = new ConvSpec(stack, index, hidden, width, 1, 1, 1, "block.3");
        var shortcut = c.UseConvShortcut ? new ConvSpec(stack, index, width, width, 1, 1, 1, "shortcut") : null;
        return new ResidualBlockSpec(stack, index, first, second, shortcut);
    }
}
