using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>Vision encoder config to and from GGUF metadata (keys in <see cref="VisionKeys"/>, one prefix per family).</summary>
public static class VisionMetadata
{
    public static void Write(GgufWriter writer, VisionTransformerConfig c)
    {
        var k = VisionKeys.For(c.Family);
        writer.SetMetadata(k.HiddenSize, c.HiddenSize);
        writer.SetMetadata(k.NumHiddenLayers, c.NumHiddenLayers);
        writer.SetMetadata(k.NumAttentionHeads, c.NumAttentionHeads);
        writer.SetMetadata(k.IntermediateSize, c.IntermediateSize);
        writer.SetMetadata(k.HiddenAct, c.HiddenAct);
        writer.SetMetadata(k.LayerNormEps, c.LayerNormEps);
        writer.SetMetadata(k.QkvBias, c.QkvBias);
        writer.SetMetadata(k.NumChannels, c.NumChannels);
        writer.SetMetadata(k.NumFrames, c.NumFrames);
        writer.SetMetadata(k.ImageSize, GgufArray.Of(new[] { c.ImageHeight, c.ImageWidth }));
        writer.SetMetadata(k.PatchSize, GgufArray.Of(new[] { c.PatchFrames, c.PatchHeight, c.PatchWidth }));
    }

    /// <summary>Whether a GGUF file holds an encoder of this family.</summary>
    public static bool IsPresent(GgufMetadata m, VisionFamily family) => m.ContainsKey(VisionKeys.For(family).HiddenSize);

    /// <summary>Reads the config of the family's encoder stored in a GGUF file; says which key is missing or wrong.</summary>
    public static VisionTransformerConfig Read(GgufMetadata m, VisionFamily family)
    {
        var k = VisionKeys.For(family);
        var name = family == VisionFamily.ViT ? "ViT" : "ViViT";
        if (!IsPresent(m, family))
            throw new ModelConfigException($"{m.SourcePath}: no {name} encoder in this GGUF (missing '{k.HiddenSize}'); convert a Hugging Face {k.Architecture} checkpoint with `mga convert`");
        try
        {
            var image = m.GetInt32Array(k.ImageSize).ToArray();
            var patch = m.GetInt32Array(k.PatchSize).ToArray();
            if (image.Length != 2) throw new ModelConfigException($"'{k.ImageSize}' holds {image.Length} values, expected [height, width]");
            if (patch.Length != 3) throw new ModelConfigException($"'{k.PatchSize}' holds {patch.Length} values, expected [frames, height, width]");
            return new VisionTransformerConfig
            {
                Family = family,
                HiddenSize = m.GetInt32(k.HiddenSize),
                NumHiddenLayers = m.GetInt32(k.NumHiddenLayers),
                NumAttentionHeads = m.GetInt32(k.NumAttentionHeads),
                IntermediateSize = m.GetInt32(k.IntermediateSize),
                HiddenAct = m.GetString(k.HiddenAct),
                LayerNormEps = m.GetFloat64(k.LayerNormEps),
                QkvBias = m.GetBool(k.QkvBias),
                NumChannels = m.GetInt32(k.NumChannels),
                NumFrames = m.GetInt32(k.NumFrames),
                ImageHeight = image[0],
                ImageWidth = image[1],
                PatchFrames = patch[0],
                PatchHeight = patch[1],
                PatchWidth = patch[2],
            }.Validate();
        }
        catch (GgufFormatException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {name} metadata is incomplete: {e.Message}");
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
        }
    }
}
