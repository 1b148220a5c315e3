namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// What converting a whole M2UGen checkpoint into one model set takes. The checkpoint holds every trained weight (the
/// LLaMA with its [AUD] rows, adapters, projector; the released ones also the frozen encoders and MusicGen) but no
/// configuration, so the sub-models' configs always come from their Hugging Face folders, and their weights too when the
/// checkpoint lacks them (the m2ugen-tiny fixture has no encoders and no MusicGen).
/// </summary>
public sealed record M2UGenSetSources
{
    /// <summary>The M2UGen checkpoint: a torch.save file (checkpoint.pth) or a folder with model.safetensors.</summary>
    public required string Checkpoint { get; init; }

    /// <summary>An M2UGen config.json (sizes cross-checked, head counts and epsilons taken); a checkpoint folder's own config.json is used when this is null.</summary>
    public string? ConfigJson { get; init; }

    /// <summary>A Hugging Face MusicGen folder: its config.json always (the checkpoint's generation_model.* has none), its weights when the checkpoint has no generation_model.*.</summary>
    public required string MusicGenFolder { get; init; }

    /// <summary>Hugging Face encoder folders (MERT/HuBERT, ViT, ViViT) by modality: config and preprocessing always, weights when the checkpoint lacks them.</summary>
    public IReadOnlyDictionary<M2UGenModality, string> EncoderFolders { get; init; } = new Dictionary<M2UGenModality, string>();

    /// <summary>The LLaMA's SentencePiece tokenizer.model (base vocabulary; the [AUD] tokens are added by the conversion).</summary>
    public required string LlamaTokenizer { get; init; }

    /// <summary>T5's spiece.model when the MusicGen folder has none (the text path needs it).</summary>
    public string? T5Tokenizer { get; init; }

    /// <summary>The set's name in its manifest (default: the checkpoint's file or folder name).</summary>
    public string? Name { get; init; }

    /// <summary>Which path the set's manifest selects for MusicGen (the released model: the reply text).</summary>
    public MusicConditioningPath MusicConditioning { get; init; } = MusicConditioningPath.Text;
}
