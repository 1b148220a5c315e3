using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>Adapter configs to and from GGUF metadata (keys in <see cref="AdapterKeys"/>); a modality is present when its channels key is.</summary>
public static class AdapterMetadata
{
    public static void Write(GgufWriter writer, AdapterConfig config)
    {
        foreach (var c in config.Modalities)
        {
            var m = c.Modality;
            writer.SetMetadata(AdapterKeys.Channels(m), c.Channels);
            writer.SetMetadata(AdapterKeys.InWidth(m), c.InWidth);
            writer.SetMetadata(AdapterKeys.Dim(m), c.Dim);
            writer.SetMetadata(AdapterKeys.HiddenDim(m), c.HiddenDim);
            writer.SetMetadata(AdapterKeys.Blocks(m), c.Blocks);
            writer.SetMetadata(AdapterKeys.NormEpsilon(m), c.NormEpsilon);
            writer.SetMetadata(AdapterKeys.L2Epsilon(m), c.L2Epsilon);
            writer.SetMetadata(AdapterKeys.InputScale(m), c.InputScale);
        }
    }

    /// <summary>Whether a GGUF file holds at least one M2UGen adapter.</summary>
    public static bool IsPresent(GgufMetadata m) => M2UGenModalities.All.Any(x => m.ContainsKey(AdapterKeys.Channels(x)));

    /// <summary>Reads every adapter stored in a GGUF file; says which key is missing or wrong.</summary>
    public static AdapterConfig Read(GgufMetadata m)
    {
        if (!IsPresent(m))
            throw new ModelConfigException($"{m.SourcePath}: no M2UGen adapters in this GGUF (missing '{AdapterKeys.Channels(M2UGenModality.Music)}' and the image / video equivalents); convert an M2UGen checkpoint with `mga convert`");
        var configs = new List<ModalityAdapterConfig>();
        foreach (var x in M2UGenModalities.All.Where(x => m.ContainsKey(AdapterKeys.Channels(x))))
        {
            try
            {
                configs.Add(new ModalityAdapterConfig
                {
                    Modality = x,
                    Channels = m.GetInt32(AdapterKeys.Channels(x)),
                    InWidth = m.GetInt32(AdapterKeys.InWidth(x)),
                    Dim = m.GetInt32(AdapterKeys.Dim(x)),
                    HiddenDim = m.GetInt32(AdapterKeys.HiddenDim(x)),
                    Blocks = m.GetInt32(AdapterKeys.Blocks(x)),
                    NormEpsilon = m.GetFloat64(AdapterKeys.NormEpsilon(x)),
                    L2Epsilon = m.GetFloat64(AdapterKeys.L2Epsilon(x)),
                    InputScale = m.GetFloat64(AdapterKeys.InputScale(x)),
                }.Validate());
            }
            catch (GgufFormatException e)
            {
                throw new ModelConfigException($"{m.SourcePath}: M2UGen {x.Name()} adapter metadata is incomplete: {e.Message}");
            }
            catch (ModelConfigException e)
            {
                throw new ModelConfigException($"{m.SourcePath}: {e.Message}");
            }
        }
        return new AdapterConfig(configs);
    }
}
