using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.T5;

/// <summary>T5 config to and from GGUF metadata (keys in <see cref="T5Keys"/>).</summary>
public static class T5Metadata
{
    public static void Write(GgufWriter writer, T5Config c)
    {
        writer.SetMetadata(T5Keys.VocabSize, c.VocabSize);
        writer.SetMetadata(T5Keys.DModel, c.DModel);
        writer.SetMetadata(T5Keys.DKv, c.DKv);
        writer.SetMetadata(T5Keys.DFf, c.DFf);
        writer.SetMetadata(T5Keys.NumLayers, c.NumLayers);
        writer.SetMetadata(T5Keys.NumHeads, c.NumHeads);
        writer.SetMetadata(T5Keys.RelativeAttentionNumBuckets, c.RelativeAttentionNumBuckets);
        writer.SetMetadata(T5Keys.RelativeAttentionMaxDistance, c.RelativeAttentionMaxDistance);
        writer.SetMetadata(T5Keys.FeedForwardProj, c.FeedForwardProj);
        writer.SetMetadata(T5Keys.LayerNormEpsilon, c.LayerNormEpsilon);
    }

    /// <summary>Whether a GGUF file holds a T5 encoder.</summary>
    public static bool IsPresent(GgufMetadata m) => m.ContainsKey(T5Keys.DModel);

    /// <summary>Reads the config of the T5 encoder stored in a GGUF file; says which key is missing or wrong.</summary>
    public static T5Config Read(GgufMetadata m)
    {
        if (!IsPresent(m))
            throw new ModelConfigException($"{m.SourcePath}: no T5 text encoder in this GGUF (missing '{T5Keys.DModel}'); convert a MusicGen checkpoint with `mga convert`");
        try
        {
            return new T5Config
            {
                VocabSize = m.GetInt32(T5Keys.VocabSize),
                DModel = m.GetInt32(T5Keys.DModel),
                DKv = m.GetInt32(T5Keys.DKv),
                DFf = m.GetInt32(T5Keys.DFf),
                NumLayers = m.GetInt32(T5Keys.NumLayers),
                NumHeads = m.GetInt32(T5Keys.NumHeads),
                RelativeAttentionNumBuckets = m.GetInt32(T5Keys.RelativeAttentionNumBuckets),
                RelativeAttentionMaxDistance = m.GetInt32(T5Keys.RelativeAttentionMaxDistance),
                FeedForwardProj = m.GetString(T5Keys.FeedForwardProj),
                LayerNormEpsilon = m.GetFloat64(T5Keys.LayerNormEpsilon),
            }.Validate();
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: T5 metadata is incomplete: {e.Message}");
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
        }
    }
}
