namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>An input modality of M2UGen: each has its own encoder and its own adapter producing one LLaMA-width token.</summary>
public enum M2UGenModality
{
    /// <summary>Music through MERT: all hidden states, averaged over time, aggregated over the layers.</summary>
    Music,

    /// <summary>Image through ViT: last_hidden_state (CLS + patches), aggregated over the tokens.</summary>
    Image,

    /// <summary>Video through ViViT: last_hidden_state (CLS + tubelets), aggregated over the tokens.</summary>
    Video,
}

public static class M2UGenModalities
{
    public static IReadOnlyList<M2UGenModality> All { get; } = [M2UGenModality.Music, M2UGenModality.Image, M2UGenModality.Video];

    /// <summary>Lower-case name used in GGUF keys and on the command line.</summary>
    public static string Name(this M2UGenModality m) => m switch
    {
        M2UGenModality.Music => "music",
        M2UGenModality.Image => "image",
        M2UGenModality.Video => "video",
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, "unknown modality"),
    };

    /// <summary>What the aggregation runs over: the encoder's hidden states (music) or its tokens.</summary>
    public static string ChannelName(this M2UGenModality m) => m == M2UGenModality.Music ? "hidden states" : "tokens";

    public static M2UGenModality Parse(string text)
    {
        foreach (var m in All)
            if (string.Equals(m.Name(), text, StringComparison.OrdinalIgnoreCase)) return m;
        throw new ArgumentException($"unknown modality '{text}' (use music, image or video)");
    }
}
