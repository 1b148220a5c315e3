using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// One GGUF of an M2UGen model set: which part it is, its file name in the set's folder, its plan, where it comes from,
/// and for an encoder its modality.
/// </summary>
public sealed record M2UGenSetPart(string Part, string FileName, IConversionPlan Plan, string Source, M2UGenModality? Modality = null);

/// <summary>
/// The GGUFs one M2UGen checkpoint becomes, each planned by the family that owns it: the LLaMA with its [AUD] rows
/// (<see cref="M2UGenSetFamilies"/>), the adapters, the projector, the encoders and MusicGen (T5 + enc_to_dec_proj +
/// decoder + EnCodec in one file). Encoders and MusicGen are read from the checkpoint under their prefixes when it
/// holds them (configs from their Hugging Face folders), else from those folders. Everything that can be checked
/// before writing is checked here: missing folders, a projector that does not fit the LLaMA or MusicGen's text width.
/// Owns the folder checkpoints it opens; the M2UGen checkpoint stays the caller's.
/// </summary>
public sealed class M2UGenSetPlan : IDisposable
{
    public const string LlamaFile = "llama.gguf";
    public const string AdaptersFile = "adapters.gguf";
    public const string ProjectorFile = "projector.gguf";
    public const string MusicGenFile = "musicgen.gguf";

    /// <summary>The prefix of each frozen encoder in an M2UGen state dict, and its file in the set.</summary>
    public static (string Prefix, string FileName, string Option) Encoder(M2UGenModality m) => m switch
    {
        M2UGenModality.Music => ("mert_model.", "mert.gguf", "mert"),
        M2UGenModality.Image => ("vit_model.", "vit.gguf", "vit"),
        _ => ("vivit_model.", "vivit.gguf", "vivit"),
    };

    public const string GenerationPrefix = "generation_model.";

    private readonly List<IDisposable> _opened = [];

    public M2UGenSetPlan(ITensorCheckpoint checkpoint, M2UGenSetSources sources, string? configJson, string configSource)
    {
        try
        {
            var parts = new List<M2UGenSetPart>();
            M2UGenSetTokenizers? tokenizers = null;
            Llama = M2UGenSetFamilies.LlamaPlan(checkpoint, configJson, configSource, llama =>
                tokenizers = new M2UGenSetTokenizers(sources.LlamaTokenizer, llama.Config.VocabSize, llama.AudioTokenIds, sources.MusicGenFolder, sources.T5Tokenizer));
            Tokenizers = tokenizers!;
            parts.Add(new M2UGenSetPart("llama", LlamaFile, Llama.Plan, checkpoint.Source));
            var prefix = Llama.StatePrefix;

            var adapters = AdapterCheckpointPlan.ForCheckpoint(checkpoint, configJson, configSource);
            foreach (var c in adapters.Config.Modalities.Where(c => c.Dim != Llama.Dim))
                throw new ModelConfigException($"{checkpoint.Source}: the {c.Modality.Name()} adapter projects to {c.Dim}, but the LLaMA is {Llama.Dim} wide");
            parts.Add(new M2UGenSetPart("adapters", AdaptersFile, adapters, checkpoint.Source));
            var projector = ProjectorCheckpointPlan.ForCheckpoint(checkpoint, configJson, configSource);
            Projector = projector.Config;
            if (Projector.InDim != Llama.Dim)
                throw new ModelConfigException($"{checkpoint.Source}: the output projector takes {Projector.InDim}-wide inputs, but the LLaMA is {Llama.Dim} wide (its hidden states and [AUD] embeddings feed the projector)");
            if (Projector.InputTokens != Llama.AudioTokenIds.Count)
                throw new ModelConfigException($"{configSource}: the output projector takes {Projector.InputTokens} tokens, but the LLaMA has {Llama.AudioTokenIds.Count} [AUD] tokens");
            parts.Add(new M2UGenSetPart("projector", ProjectorFile, projector, checkpoint.Source));

            foreach (var c in adapters.Config.Modalities)
                if (EncoderPart(checkpoint, prefix, c.Modality, sources) is { } part) parts.Add(part);

            parts.Add(MusicGenPart(checkpoint, prefix, sources));
            Parts = parts;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<M2UGenSetPart> Parts { get; }
    public ProjectorConfig Projector { get; }
    public M2UGenLlamaPart Llama { get; }
    public M2UGenSetTokenizers Tokenizers { get; }

    /// <summary>The MusicGen's text encoder width (T5 d_model) the projector output stands in for.</summary>
    public int MusicGenTextWidth { get; private set; }

    /// <summary>What was left out and why (an encoder without a folder), for the report.</summary>
    public List<string> Notes { get; } = [];

    private M2UGenSetPart? EncoderPart(ITensorCheckpoint checkpoint, string prefix, M2UGenModality m, M2UGenSetSources sources)
    {
        var (encoderPrefix, file, option) = Encoder(m);
        var held = new PrefixedCheckpoint(checkpoint, prefix + encoderPrefix);
        if (!sources.EncoderFolders.TryGetValue(m, out var folder))
        {
            if (held.Any)
                throw new ModelConfigException($"{checkpoint.Source}: the checkpoint holds the {m.Name()} encoder ({prefix}{encoderPrefix}*) but no configuration for it; give its Hugging Face folder (--{option})");
            Notes.Add($"the {m.Name()} encoder is not in the checkpoint and no folder was given (--{option}): the set takes no {m.Name()} attachments");
            return null;
        }
        var weights = held.Any ? held : Open(folder);
        var detected = CheckpointConversion.Detect(folder, weights);
        var expected = m == M2UGenModality.Music ? new[] { "hubert", "mert_model" } : [m == M2UGenModality.Image ? "vit" : "vivit"];
        if (!expected.Contains(detected.ModelType))
            throw new ModelConfigException($"{folder}: model_type '{detected.ModelType}' is not a {m.Name()} encoder (expected {string.Join(" or ", expected)})");
        return new M2UGenSetPart($"{m.Name()} encoder", file, Combined(detected.Plans), held.Any ? held.Source : folder, m);
    }

    private M2UGenSetPart MusicGenPart(ITensorCheckpoint checkpoint, string prefix, M2UGenSetSources sources)
    {
        var folder = sources.MusicGenFolder;
        var configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath))
            throw new ModelConfigException($"{folder}: no config.json (the MusicGen configuration comes from a Hugging Face MusicGen folder)");
        var json = HfConfigJson.ReadFile(configPath);
        MusicGenTextWidth = T5Config.FromHuggingFaceJson(json, configPath).DModel;
        if (Projector.OutDim != MusicGenTextWidth)
            throw new ModelConfigException($"the output projector's out_dim is {Projector.OutDim}, but this MusicGen's text encoder ({configPath}: text_encoder d_model) is {MusicGenTextWidth} wide: the projector's output cannot stand in for its T5 output");

        var held = new PrefixedCheckpoint(checkpoint, prefix + GenerationPrefix);
        var weights = held.Any ? held : Open(folder);
        var detected = CheckpointConversion.Detect(folder, weights);
        if (detected.ModelType is not ("musicgen" or "musicgen_melody"))
            throw new ModelConfigException($"{configPath}: model_type '{detected.ModelType}' is not MusicGen");
        var plan = M2UGenSetFamilies.WithT5Tokenizer(Combined(detected.Plans), Tokenizers);
        return new M2UGenSetPart("musicgen", MusicGenFile, plan, held.Any ? held.Source : folder);
    }

    private ITensorCheckpoint Open(string folder)
    {
        var opened = CheckpointConversion.OpenWeights(folder);
        _opened.Add(opened);
        return opened;
    }

    private static IConversionPlan Combined(IReadOnlyList<IConversionPlan> plans) => plans.Count == 1 ? plans[0] : new CombinedPlan(plans);

    public void Dispose()
    {
        foreach (var d in _opened) d.Dispose();
        _opened.Clear();
    }

    // several families in one file (MusicGen: EnCodec + decoder + T5), as CheckpointConversion writes a MusicGen folder
    private sealed class CombinedPlan(IReadOnlyList<IConversionPlan> plans) : IConversionPlan
    {
        public string Architecture => string.Join("+", plans.Select(p => p.Architecture));
        public IReadOnlyList<PlannedTensor> Tensors { get; } = plans.SelectMany(p => p.Tensors).ToList();
        public void WriteMetadata(GgufWriter writer) { foreach (var p in plans) p.WriteMetadata(writer); }
    }
}
