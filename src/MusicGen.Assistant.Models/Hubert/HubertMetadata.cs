using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>HuBERT config and preprocessing to and from GGUF metadata (keys in <see cref="HubertKeys"/>).</summary>
public static class HubertMetadata
{
    public static void Write(GgufWriter writer, HubertConfig c, HubertPreprocessing p)
    {
        writer.SetMetadata(HubertKeys.HiddenSize, c.HiddenSize);
        writer.SetMetadata(HubertKeys.NumHiddenLayers, c.NumHiddenLayers);
        writer.SetMetadata(HubertKeys.NumAttentionHeads, c.NumAttentionHeads);
        writer.SetMetadata(HubertKeys.IntermediateSize, c.IntermediateSize);
        writer.SetMetadata(HubertKeys.HiddenAct, c.HiddenAct);
        writer.SetMetadata(HubertKeys.LayerNormEps, c.LayerNormEps);
        writer.SetMetadata(HubertKeys.FeatExtractNorm, c.FeatExtractNorm);
        writer.SetMetadata(HubertKeys.FeatExtractActivation, c.FeatExtractActivation);
        writer.SetMetadata(HubertKeys.ConvDim, GgufArray.Of(c.ConvDim));
        writer.SetMetadata(HubertKeys.ConvStride, GgufArray.Of(c.ConvStride));
        writer.SetMetadata(HubertKeys.ConvKernel, GgufArray.Of(c.ConvKernel));
        writer.SetMetadata(HubertKeys.ConvBias, c.ConvBias);
        writer.SetMetadata(HubertKeys.NumConvPosEmbeddings, c.NumConvPosEmbeddings);
        writer.SetMetadata(HubertKeys.NumConvPosEmbeddingGroups, c.NumConvPosEmbeddingGroups);
        writer.SetMetadata(HubertKeys.DoStableLayerNorm, c.DoStableLayerNorm);
        writer.SetMetadata(HubertKeys.FeatProjLayerNorm, c.FeatProjLayerNorm);
        writer.SetMetadata(HubertKeys.SamplingRate, p.SamplingRate);
        writer.SetMetadata(HubertKeys.DoNormalize, p.DoNormalize);
        writer.SetMetadata(HubertKeys.PaddingValue, p.PaddingValue);
        writer.SetMetadata(HubertKeys.ReturnAttentionMask, p.ReturnAttentionMask);
    }

    /// <summary>Whether a GGUF file holds a HuBERT-architecture encoder.</summary>
    public static bool IsPresent(GgufMetadata m) => m.ContainsKey(HubertKeys.HiddenSize);

    /// <summary>Reads the encoder's config and preprocessing; says which key is missing or wrong.</summary>
    public static (HubertConfig Config, HubertPreprocessing Preprocessing) Read(GgufMetadata m)
    {
        if (!IsPresent(m))
            throw new ModelConfigException($"{m.SourcePath}: no HuBERT / MERT encoder in this GGUF (missing '{HubertKeys.HiddenSize}'); convert a HuBERT or MERT checkpoint first");
        try
        {
            var config = new HubertConfig
            {
                HiddenSize = m.GetInt32(HubertKeys.HiddenSize),
                NumHiddenLayers = m.GetInt32(HubertKeys.NumHiddenLayers),
                NumAttentionHeads = m.GetInt32(HubertKeys.NumAttentionHeads),
                IntermediateSize = m.GetInt32(HubertKeys.IntermediateSize),
                HiddenAct = m.GetString(HubertKeys.HiddenAct),
                LayerNormEps = m.GetFloat64(HubertKeys.LayerNormEps),
                FeatExtractNorm = m.GetString(HubertKeys.FeatExtractNorm),
                FeatExtractActivation = m.GetString(HubertKeys.FeatExtractActivation),
                ConvDim = m.GetInt32Array(HubertKeys.ConvDim).ToArray(),
                ConvStride = m.GetInt32Array(HubertKeys.ConvStride).ToArray(),
                ConvKernel = m.GetInt32Array(HubertKeys.ConvKernel).ToArray(),
                ConvBias = m.GetBool(HubertKeys.ConvBias),
                NumConvPosEmbeddings = m.GetInt32(HubertKeys.NumConvPosEmbeddings),
                NumConvPosEmbeddingGroups = m.GetInt32(HubertKeys.NumConvPosEmbeddingGroups),
                DoStableLayerNorm = m.GetBool(HubertKeys.DoStableLayerNorm),
                FeatProjLayerNorm = m.GetBool(HubertKeys.FeatProjLayerNorm),
            }.Validate();
            var preprocessing = new HubertPreprocessing
            {
                SamplingRate = m.GetInt32(HubertKeys.SamplingRate),
                DoNormalize = m.GetBool(HubertKeys.DoNormalize),
                PaddingValue = m.GetFloat32(HubertKeys.PaddingValue),
                ReturnAttentionMask = m.GetBool(HubertKeys.ReturnAttentionMask),
            }.Validate();
            return (config, preprocessing);
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: HuBERT metadata is incomplete: {e.Message}");
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
        }
    }
}
