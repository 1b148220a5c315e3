namespace MusicGen.Assistant.Models.Hubert;

/// <summary>The nonlinearities a HuBERT config may name (transformers' ACT2FN keys in the comments).</summary>
public enum HubertActivation
{
    /// <summary>"gelu": exact GELU, x·Φ(x).</summary>
    Gelu,
    /// <summary>"relu".</summary>
    Relu,
    /// <summary>"silu" / "swish".</summary>
    Silu,
}

public static class HubertActivations
{
    public static HubertActivation Parse(string name, string field) => name switch
    {
        "gelu" => HubertActivation.Gelu,
        "relu" => HubertActivation.Relu,
        "silu" or "swish" => HubertActivation.Silu,
        _ => throw new ModelConfigException($"HuBERT config: {field} '{name}' is not supported (gelu, relu, silu/swish)"),
    };
}
