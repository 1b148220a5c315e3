using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// An M2UGen assistant set (manifest kind m2ugen) loaded onto one backend: the MusicGen set (T5, decoder, EnCodec), the
/// LLaMA with its bridge weights and tokenizer, the understanding encoders and adapters, the output projector and the
/// [AUD] embeddings. Every part is checked against the others at load (widths, token counts), so a mismatched set
/// fails with one line naming both files.
/// Thread safety: a turn holds the set's gate (the MusicGen set's) from its first encoder to its last EnCodec chunk,
/// so turns of all conversations sharing a set run one after another; a waiting turn can be cancelled. Dispose only
/// when no turn runs.
/// </summary>
public sealed class AssistantModelSet : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<M2UGenModality, bool> _reachesReply = [];

    private AssistantModelSet(ModelSetManifest manifest, AssistantParts parts, MusicGenModelSet music) =>
        (Manifest, Parts, Music) = (manifest, parts, music);

    public ModelSetManifest Manifest { get; }
    public AssistantParts Parts { get; }

    /// <summary>The MusicGen half (also usable by the track jobs; it shares the gate).</summary>
    public MusicGenModelSet Music { get; }

    /// <summary>The embedded demo set or another set marked demo: every output is labelled UNTRAINED.</summary>
    public bool IsUntrained => Manifest.Demo;

    public string Name => Manifest.Name;

    /// <summary>The path the manifest selects for turning [AUD] tokens into music (a turn may choose the other).</summary>
    public MusicConditioningPath DefaultConditioning => Parts.MusicConditioning;

    /// <summary>Positions the LLaMA holds: prompt (history included) plus reply.</summary>
    public int ContextLength => Llama.Config.ContextLength;

    /// <summary>The kinds of attachment this set takes (an encoder and an adapter are loaded for them).</summary>
    public IReadOnlyList<AttachmentKind> AttachmentKinds =>
        M2UGenModalities.All.Where(m => Encoder(m) is not null).Select(Attachments.KindOf).ToList();

    internal M2UGenLlama Llama { get; private set; } = null!;
    internal LlamaTokenizer Tokenizer { get; private set; } = null!;
    internal ILlamaTextDecoder TextDecoder { get; private set; } = null!;
    internal M2UGenAdapters Adapters { get; private set; } = null!;
    internal HubertEncoder? MusicEncoder { get; private set; }
    internal VisionEncoder? ImageEncoder { get; private set; }
    internal VisionEncoder? VideoEncoder { get; private set; }
    internal OutputProjector Projector { get; private set; } = null!;
    internal EncoderStatesConditioning ProjectorConditioning { get; private set; } = null!;
    internal IReadOnlyList<int> AudioTokenIds { get; private set; } = [];

    /// <summary>tok_embeddings of [AUD0..7], [n, dim]: the projector's second input.</summary>
    internal float[] AudEmbeddings { get; private set; } = [];

    internal object? Encoder(M2UGenModality m) => m switch
    {
        M2UGenModality.Music => MusicEncoder,
        M2UGenModality.Image => ImageEncoder,
        _ => VideoEncoder,
    };

    /// <summary>False when every gate of the layers that take this modality is zero: its attachment cannot change the reply.</summary>
    internal bool ReachesReply(M2UGenModality m) => _reachesReply.GetValueOrDefault(m);

    public static AssistantModelSet Load(ModelSetManifest manifest, ComputeOptions compute) => AssistantException.Guard(() =>
    {
        var parts = manifest.Assistant ?? throw AssistantException.ModelSet(
            $"'{manifest.Source}' is a MusicGen set (kind {manifest.Kind}) without the assistant's parts; chat needs an M2UGen set (convert an M2UGen checkpoint with `mga convert checkpoint.pth FOLDER`)");
        foreach (var (field, path) in parts.Files())
            if (!File.Exists(path)) throw AssistantException.ModelSet($"{manifest.Source}: {field} '{path}' does not exist");
        var music = MusicGenModelSet.Load(manifest, compute);
        var set = new AssistantModelSet(manifest, parts, music);
        set._owned.Add(music);
        try
        {
            set.LoadParts();
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    });

    private void LoadParts()
    {
        var backend = Music.Backend;
        T Own<T>(T part) where T : IDisposable { _owned.Insert(0, part); return part; }
        Llama = Own(M2UGenLlama.Load(Parts.LlamaPath, backend));
        Tokenizer = TokenizerFiles.LoadLlama(Parts.LlamaTokenizerPath);
        TextDecoder = Tokenizer.AsTextDecoder();
        if (Tokenizer.VocabSize > Llama.Config.VocabSize)
            Fail($"the LLaMA tokenizer '{Parts.LlamaTokenizerPath}' has {Tokenizer.VocabSize} tokens but the LLaMA '{Parts.LlamaPath}' only {Llama.Config.VocabSize} rows");
        AudioTokenIds = Llama.AudioTokenIds.Count > 0 ? Llama.AudioTokenIds
            : Parts.AudioTokens.Select(t => Tokenizer.FindToken(t) ?? Fail<int>($"the LLaMA tokenizer '{Parts.LlamaTokenizerPath}' has no {t} token")).ToList();
        using (var file = Formats.Gguf.GgufFile.Open(Parts.LlamaPath)) AudEmbeddings = AudTokenEmbeddings.FromLlama(file, AudioTokenIds);

        Adapters = Own(M2UGenAdapters.Load(Parts.AdaptersPath, backend));
        foreach (var a in Adapters.Loaded)
            if (a.Config.Dim != Llama.Config.EmbeddingLength)
                Fail($"the {a.Modality.Name()} adapter in '{Parts.AdaptersPath}' makes {a.Config.Dim}-wide tokens but the LLaMA '{Parts.LlamaPath}' is {Llama.Config.EmbeddingLength} wide");
        foreach (var (m, path) in Parts.EncoderPaths)
        {
            if (!Adapters.Has(m)) continue; // an encoder without its adapter cannot reach the LLaMA
            var adapter = Adapters[m].Config;
            if (m == M2UGenModality.Music)
            {
                MusicEncoder = Own(HubertEncoder.Load(path, backend));
                Check(path, m, MusicEncoder.Config.HiddenStateCount, MusicEncoder.Config.HiddenSize, adapter, "hidden states");
            }
            else
            {
                var encoder = Own(VisionEncoder.Load(path, m == M2UGenModality.Image ? VisionFamily.ViT : VisionFamily.ViViT, backend));
                Check(path, m, encoder.Config.SequenceLength, encoder.Config.HiddenSize, adapter, "tokens");
                if (m == M2UGenModality.Image) ImageEncoder = encoder; else VideoEncoder = encoder;
            }
        }

        Projector = Own(OutputProjector.Load(Parts.ProjectorPath, backend));
        var p = Projector.Config;
        if (p.InDim != Llama.Config.EmbeddingLength || p.InputTokens != AudioTokenIds.Count)
            Fail($"the projector '{Parts.ProjectorPath}' takes {p.InputTokens} tokens × {p.InDim}, but the LLaMA '{Parts.LlamaPath}' gives {AudioTokenIds.Count} [AUD] states × {Llama.Config.EmbeddingLength}");
        ProjectorConditioning = Own(EncoderStatesConditioning.Load(Manifest.TextEncoderPath, backend, Music.Config.HiddenSize));
        ProjectorConditioning.CheckProjector(p);

        var injection = Llama.Bridge.Injection;
        foreach (var m in M2UGenModalities.All)
            _reachesReply[m] = Enumerable.Range(injection.FirstLayer, injection.PrefixRows)
                .Where(layer => injection.Contributors(layer).Contains(m))
                .Any(layer => Llama.Bridge.Gate(layer).ToFloatArray().Any(g => g != 0));
    }

    private static void Check(string path, M2UGenModality m, int channels, int width, ModalityAdapterConfig adapter, string what)
    {
        if (channels != adapter.Channels || width != adapter.InWidth)
            Fail($"the {m.Name()} encoder '{path}' gives {channels} {what} × {width}, but its adapter takes {adapter.Channels} × {adapter.InWidth}");
    }

    private static void Fail(string message) => throw AssistantException.ModelSet(message);

    private static T Fail<T>(string message) => throw AssistantException.ModelSet(message);

    internal IDisposable EnterTurn(CancellationToken cancellation) => Music.EnterJob(cancellation);

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
