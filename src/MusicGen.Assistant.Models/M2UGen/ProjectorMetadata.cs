using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The output projector's config to and from GGUF metadata (keys in <see cref="ProjectorKeys"/>).</summary>
public static class ProjectorMetadata
{
    public static void Write(GgufWriter writer, ProjectorConfig c)
    {
        writer.SetMetadata(ProjectorKeys.InDim, c.InDim);
        writer.SetMetadata(ProjectorKeys.DModel, c.DModel);
        writer.SetMetadata(ProjectorKeys.HeadCount, c.Heads);
        writer.SetMetadata(ProjectorKeys.EncoderLayers, c.EncoderLayers);
        writer.SetMetadata(ProjectorKeys.DecoderLayers, c.DecoderLayers);
        writer.SetMetadata(ProjectorKeys.FeedForwardDim, c.FeedForwardDim);
        writer.SetMetadata(ProjectorKeys.InputTokens, c.InputTokens);
        writer.SetMetadata(ProjectorKeys.OutputTokens, c.OutputTokens);
        writer.SetMetadata(ProjectorKeys.OutDim, c.OutDim);
        writer.SetMetadata(ProjectorKeys.LayerNormEps, c.LayerNormEps);
        writer.SetMetadata(ProjectorKeys.OutputScale, c.OutputScale);
    }

    /// <summary>Whether a GGUF file holds an output projector.</summary>
    public static bool IsPresent(GgufMetadata m) => m.ContainsKey(ProjectorKeys.DModel);

    /// <summary>Reads the projector config of a GGUF file; says which key is missing or wrong.</summary>
    public static ProjectorConfig Read(GgufMetadata m)
    {
        if (!IsPresent(m))
            throw new ModelConfigException($"{m.SourcePath}: no M2UGen output projector in this GGUF (missing '{ProjectorKeys.DModel}'); convert an M2UGen checkpoint with `mga convert`");
        try
        {
            return new ProjectorConfig
            {
                InDim = m.GetInt32(ProjectorKeys.InDim),
                DModel = m.GetInt32(ProjectorKeys.DModel),
                Heads = m.GetInt32(ProjectorKeys.HeadCount),
                EncoderLayers = m.GetInt32(ProjectorKeys.EncoderLayers),
                DecoderLayers = m.GetInt32(ProjectorKeys.DecoderLayers),
                FeedForwardDim = m.GetInt32(ProjectorKeys.FeedForwardDim),
                InputTokens = m.GetInt32(ProjectorKeys.InputTokens),
                OutputTokens = m.GetInt32(ProjectorKeys.OutputTokens),
                OutDim = m.GetInt32(ProjectorKeys.OutDim),
                LayerNormEps = m.GetFloat64(ProjectorKeys.LayerNormEps),
                OutputScale = m.GetFloat64(ProjectorKeys.OutputScale),
            }.Validate();
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: M2UGen output projector metadata is incomplete: {e.Message}");
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
        }
    }
}
