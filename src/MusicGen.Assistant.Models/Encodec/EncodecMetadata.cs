using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>EnCodec config to and from GGUF metadata (keys in <see cref="EncodecKeys"/>).</summary>
public static class EncodecMetadata
{
    public static void Write(GgufWriter writer, EncodecConfig c)
    {
        writer.SetMetadata(EncodecKeys.SamplingRate, c.SamplingRate);
        writer.SetMetadata(EncodecKeys.AudioChannels, c.AudioChannels);
        writer.SetMetadata(EncodecKeys.NumFilters, c.NumFilters);
        writer.SetMetadata(EncodecKeys.HiddenSize, c.HiddenSize);
        writer.SetMetadata(EncodecKeys.CodebookSize, c.CodebookSize);
        writer.SetMetadata(EncodecKeys.CodebookDim, c.CodebookDim);
        writer.SetMetadata(EncodecKeys.UpsamplingRatios, GgufArray.Of(c.UpsamplingRatios));
        writer.SetMetadata(EncodecKeys.NumResidualLayers, c.NumResidualLayers);
        writer.SetMetadata(EncodecKeys.DilationGrowthRate, c.DilationGrowthRate);
        writer.SetMetadata(EncodecKeys.KernelSize, c.KernelSize);
        writer.SetMetadata(EncodecKeys.LastKernelSize, c.LastKernelSize);
        writer.SetMetadata(EncodecKeys.ResidualKernelSize, c.ResidualKernelSize);
        writer.SetMetadata(EncodecKeys.NumLstmLayers, c.NumLstmLayers);
        writer.SetMetadata(EncodecKeys.Compress, c.Compress);
        writer.SetMetadata(EncodecKeys.UseCausalConv, c.UseCausalConv);
        writer.SetMetadata(EncodecKeys.PadMode, c.PadMode);
        writer.SetMetadata(EncodecKeys.TrimRightRatio, c.TrimRightRatio);
        writer.SetMetadata(EncodecKeys.TargetBandwidths, GgufArray.Of(c.TargetBandwidths));
        writer.SetMetadata(EncodecKeys.UseConvShortcut, c.UseConvShortcut);
    }

    /// <summary>Reads the config of the EnCodec stored in a GGUF file; says which key is missing or wrong.</summary>
    public static EncodecConfig Read(GgufMetadata m)
    {
        if (!m.ContainsKey(EncodecKeys.SamplingRate))
            throw new ModelConfigException($"{m.SourcePath}: no EnCodec in this GGUF (missing '{EncodecKeys.SamplingRate}'); convert a MusicGen or EnCodec checkpoint with `mga convert`");
        try
        {
            return new EncodecConfig
            {
                SamplingRate = m.GetInt32(EncodecKeys.SamplingRate),
                AudioChannels = m.GetInt32(EncodecKeys.AudioChannels),
                NumFilters = m.GetInt32(EncodecKeys.NumFilters),
                HiddenSize = m.GetInt32(EncodecKeys.HiddenSize),
                CodebookSize = m.GetInt32(EncodecKeys.CodebookSize),
                CodebookDim = m.GetInt32(EncodecKeys.CodebookDim),
                UpsamplingRatios = m.GetInt32Array(EncodecKeys.UpsamplingRatios).ToArray(),
                NumResidualLayers = m.GetInt32(EncodecKeys.NumResidualLayers),
                DilationGrowthRate = m.GetInt32(EncodecKeys.DilationGrowthRate),
                KernelSize = m.GetInt32(EncodecKeys.KernelSize),
                LastKernelSize = m.GetInt32(EncodecKeys.LastKernelSize),
                ResidualKernelSize = m.GetInt32(EncodecKeys.ResidualKernelSize),
                NumLstmLayers = m.GetInt32(EncodecKeys.NumLstmLayers),
                Compress = m.GetInt32(EncodecKeys.Compress),
                UseCausalConv = m.GetBool(EncodecKeys.UseCausalConv),
                PadMode = m.GetString(EncodecKeys.PadMode),
                TrimRightRatio = m.GetFloat64(EncodecKeys.TrimRightRatio),
                TargetBandwidths = m.GetArray(EncodecKeys.TargetBandwidths, GgufValueType.FLOAT64).AsSpan<double>().ToArray(),
                UseConvShortcut = m.GetBool(EncodecKeys.UseConvShortcut),
            }.Validate();
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: EnCodec metadata is incomplete: {e.Message}");
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
        }
    }
}
