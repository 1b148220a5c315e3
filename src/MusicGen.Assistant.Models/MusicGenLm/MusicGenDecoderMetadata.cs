using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>MusicGen decoder config to and from GGUF metadata (keys in <see cref="MusicGenDecoderKeys"/>).</summary>
public static class MusicGenDecoderMetadata
{
    public static void Write(GgufWriter writer, MusicGenDecoderConfig c)
    {
        writer.SetMetadata(MusicGenDecoderKeys.VocabSize, c.VocabSize);
        writer.SetMetadata(MusicGenDecoderKeys.HiddenSize, c.HiddenSize);
        writer.SetMetadata(MusicGenDecoderKeys.NumHiddenLayers, c.NumHiddenLayers);
        writer.SetMetadata(MusicGenDecoderKeys.NumAttentionHeads, c.NumAttentionHeads);
        writer.SetMetadata(MusicGenDecoderKeys.FfnDim, c.FfnDim);
        writer.SetMetadata(MusicGenDecoderKeys.NumCodebooks, c.NumCodebooks);
        writer.SetMetadata(MusicGenDecoderKeys.AudioChannels, c.AudioChannels);
        writer.SetMetadata(MusicGenDecoderKeys.MaxPositionEmbeddings, c.MaxPositionEmbeddings);
        writer.SetMetadata(MusicGenDecoderKeys.ActivationFunction, c.ActivationFunction);
        writer.SetMetadata(MusicGenDecoderKeys.ScaleEmbedding, c.ScaleEmbedding);
        writer.SetMetadata(MusicGenDecoderKeys.PadTokenId, c.PadTokenId);
        writer.SetMetadata(MusicGenDecoderKeys.BosTokenId, c.BosTokenId);
        writer.SetMetadata(MusicGenDecoderKeys.LayerNormEps, c.LayerNormEps);
        writer.SetMetadata(MusicGenDecoderKeys.CrossAttentionEnabled, c.CrossAttention);
        if (c.IsMelody)
        {
            writer.SetMetadata(MusicGenDecoderKeys.ChromaLength, c.ChromaLength);
            writer.SetMetadata(MusicGenDecoderKeys.NumChroma, c.NumChroma);
        }
    }

    /// <summary>Whether the file holds a MusicGen decoder at all.</summary>
    public static bool IsPresent(GgufMetadata m) => m.ContainsKey(MusicGenDecoderKeys.HiddenSize);

    /// <summary>Reads the decoder config stored in a GGUF file; says which key is missing or wrong.</summary>
    public static MusicGenDecoderConfig Read(GgufMetadata m)
    {
        if (!IsPresent(m))
            throw new ModelConfigException($"{m.SourcePath}: no MusicGen decoder in this GGUF (missing '{MusicGenDecoderKeys.HiddenSize}'); convert a MusicGen checkpoint with `mga convert`");
        try
        {
            return new MusicGenDecoderConfig
            {
                VocabSize = m.GetInt32(MusicGenDecoderKeys.VocabSize),
                HiddenSize = m.GetInt32(MusicGenDecoderKeys.HiddenSize),
                NumHiddenLayers = m.GetInt32(MusicGenDecoderKeys.NumHiddenLayers),
                NumAttentionHeads = m.GetInt32(MusicGenDecoderKeys.NumAttentionHeads),
                FfnDim = m.GetInt32(MusicGenDecoderKeys.FfnDim),
                NumCodebooks = m.GetInt32(MusicGenDecoderKeys.NumCodebooks),
                AudioChannels = m.GetInt32(MusicGenDecoderKeys.AudioChannels),
                MaxPositionEmbeddings = m.GetInt32(MusicGenDecoderKeys.MaxPositionEmbeddings),
                ActivationFunction = m.GetString(MusicGenDecoderKeys.ActivationFunction),
                ScaleEmbedding = m.GetBool(MusicGenDecoderKeys.ScaleEmbedding),
                PadTokenId = m.GetInt32(MusicGenDecoderKeys.PadTokenId),
                BosTokenId = m.GetInt32(MusicGenDecoderKeys.BosTokenId),
                LayerNormEps = m.GetFloat32(MusicGenDecoderKeys.LayerNormEps),
                // files written before melody support carry no such keys: a cross-attending decoder
                CrossAttention = !m.ContainsKey(MusicGenDecoderKeys.CrossAttentionEnabled) || m.GetBool(MusicGenDecoderKeys.CrossAttentionEnabled),
                ChromaLength = m.ContainsKey(MusicGenDecoderKeys.ChromaLength) ? m.GetInt32(MusicGenDecoderKeys.ChromaLength) : 0,
                NumChroma = m.ContainsKey(MusicGenDecoderKeys.NumChroma) ? m.GetInt32(MusicGenDecoderKeys.NumChroma) : 0,
            }.Validate(m.SourcePath);
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: MusicGen decoder metadata is incomplete: {e.Message}");
        }
    }
}
