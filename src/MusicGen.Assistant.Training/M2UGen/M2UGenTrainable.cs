namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>Which groups of an M2UGen model a stage trains (all other tensors stay frozen).</summary>
[Flags]
public enum M2UGenTrainable
{
    None = 0,

    /// <summary>The LLaMA's LoRA pairs (every projection of every layer).</summary>
    Lora = 1,

    /// <summary>The LLaMA's bias-tuning vectors (wq, wo, w1, w2, w3).</summary>
    Bias = 2,

    /// <summary>The LLaMA's RMSNorm weights.</summary>
    Norm = 4,

    /// <summary>The adapter gates of the injected layers (never trained by the release: its adapters stay dead).</summary>
    Gates = 8,

    /// <summary>prefix_query: the per-layer rows added to the modality vectors.</summary>
    Prefix = 16,

    /// <summary>The LLaMA's token embeddings (M2UGen trains them in every stage; large, off by default).</summary>
    Embeddings = 32,

    /// <summary>The understanding adapters (MERT / ViT / ViViT → LLaMA width).</summary>
    Adapters = 64,

    /// <summary>The output projector ([AUD] hidden states → MusicGen conditioning).</summary>
    Projector = 128,
}

/// <summary>M2UGen's stages (§6 of the report) with the gates trained in each.</summary>
public enum M2UGenStage { Stage1 = 1, Stage2 = 2, Stage3 = 3 }

public static class M2UGenStages
{
    /// <summary>
    /// get_trainable_params of the code at HEAD (LoRA/bias/norm tuning of the LLaMA, prefix rows in every stage;
    /// adapters in stage 1, the projector in stage 2, neither in stage 3) plus the gates; token embeddings left out.
    /// </summary>
    public static M2UGenTrainable Default(M2UGenStage stage)
    {
        const M2UGenTrainable llama = M2UGenTrainable.Lora | M2UGenTrainable.Bias | M2UGenTrainable.Norm | M2UGenTrainable.Gates | M2UGenTrainable.Prefix;
        return stage switch
        {
            M2UGenStage.Stage1 => llama | M2UGenTrainable.Adapters,
            M2UGenStage.Stage2 => llama | M2UGenTrainable.Projector,
            _ => llama,
        };
    }
}
