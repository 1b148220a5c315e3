using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The assistant set <c>mga chat</c> / <c>mga ask</c> use without --model: a complete tiny M2UGen-shaped set built
/// deterministically by this code into the cache on first use, beside the demo MusicGen set it reuses (T5, decoder,
/// EnCodec of <see cref="DemoModelSet"/>): the arranged LLaMA of <see cref="DemoAssistantLlama"/> with its tokenizer,
/// random MERT-shaped (HuBERT), ViT and ViViT encoders, random adapters and a random output projector whose out_dim is
/// the demo T5's width. UNTRAINED: it answers every request with the same sentence and [AUD0..7], and its music is
/// noise shaped by random weights; the manifest says demo, and every output says so.
/// </summary>
public static class DemoAssistantSet
{
    /// <summary>
    /// Bump the first part when anything below (or the designed LLaMA) changes; the demo MusicGen set's version is part
    /// of it, since the projector's out_dim follows its T5. A cached set of another version is rebuilt.
    /// </summary>
    public static string BuildVersion => $"demo-assistant-2+{DemoModelSet.BuildVersion}";
    public const int Seed = 4321;

    public static HubertConfig MusicEncoderConfig { get; } = new()
    {
        HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
        FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true,
        ConvDim = [16, 16, 16, 16, 16, 16, 16], ConvKernel = [10, 3, 3, 3, 3, 2, 2], ConvStride = [5, 2, 2, 2, 2, 2, 2],
        NumConvPosEmbeddings = 16, NumConvPosEmbeddingGroups = 4,
    };

    public static VisionTransformerConfig ImageEncoderConfig { get; } = new()
    {
        Family = VisionFamily.ViT, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
        HiddenAct = "gelu", LayerNormEps = 1e-12, QkvBias = true, NumChannels = 3, NumFrames = 1,
        ImageHeight = 32, ImageWidth = 32, PatchFrames = 1, PatchHeight = 8, PatchWidth = 8,
    };

    public static VisionTransformerConfig VideoEncoderConfig { get; } = ImageEncoderConfig with
    {
        Family = VisionFamily.ViViT, HiddenAct = "gelu_fast", LayerNormEps = 1e-6, NumFrames = 8, PatchFrames = 2,
    };

    public static string Folder() => Path.Combine(NativeLibraryLocator.CacheRoots().First(), "models", "demo-assistant");

    public static string ManifestPath() => Path.Combine(Folder(), ModelSetManifest.FileName);

    /// <summary>The set's manifest, (re)built first when missing, incomplete or of another build version (stages "create ...").</summary>
    public static (ModelSetManifest Manifest, TimeSpan? Created) Ensure(IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            lock (Gate) return EnsureLocked(progress, cancellation);
        });

    private static readonly Lock Gate = new();

    private static (ModelSetManifest, TimeSpan?) EnsureLocked(IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var (music, musicCreated) = DemoModelSet.Ensure(progress, cancellation);
        var manifestPath = ManifestPath();
        if (Current(manifestPath) is { } cached) return (cached, musicCreated);

        var folder = Folder();
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        string Write(string stage, string file, IConversionPlan plan, string description)
        {
            var path = Path.Combine(folder, file);
            ProgressStage.Run(progress, stage, "tensors", cancellation, s => GgufConverter.Write(plan, path, StorageType.F32, description, s));
            return path;
        }
        var tokenizer = DemoLlamaTokenizer.Create();
        var llamaPlan = new DemoAssistantLlama(tokenizer, Seed);
        var llama = Write("create language model", "llama-demo.gguf", llamaPlan, "demo: UNTRAINED arranged M2UGen LLaMA");
        var adapterWidth = llamaPlan.Config.EmbeddingLength;
        var encoders = new Dictionary<M2UGenModality, string>
        {
            [M2UGenModality.Music] = Write("create music encoder", "mert-random.gguf", new HubertRandomPlan(MusicEncoderConfig, Seed + 1), "demo: untrained MERT-shaped encoder"),
            [M2UGenModality.Image] = Write("create image encoder", "vit-random.gguf", new VisionRandomPlan(ImageEncoderConfig, Seed + 2), "demo: untrained ViT"),
            [M2UGenModality.Video] = Write("create video encoder", "vivit-random.gguf", new VisionRandomPlan(VideoEncoderConfig, Seed + 3), "demo: untrained ViViT"),
        };
        var adapters = Write("create adapters", "adapters-random.gguf", new AdapterRandomPlan(AdapterConfig(adapterWidth), Seed + 4), "demo: untrained M2UGen adapters");
        var projector = Write("create projector", "projector-random.gguf",
            new ProjectorRandomPlan(ProjectorConfig(adapterWidth, DemoModelSet.TextConfig.DModel), Seed + 5), "demo: untrained M2UGen output projector");

        var manifest = music with
        {
            Name = "demo-assistant (UNTRAINED: arranged reply, random encoders, adapters, projector and MusicGen)",
            Kind = ModelSetManifest.KindM2UGen,
            BuildVersion = BuildVersion,
            Demo = true,
            Assistant = new AssistantParts
            {
                LlamaPath = llama, LlamaTokenizerPath = llama, AdaptersPath = adapters, ProjectorPath = projector,
                EncoderPaths = encoders, MusicConditioning = MusicConditioningPath.Projector,
            },
        };
        ModelSetManifestFile.Write(manifestPath, manifest); // last: its presence marks a complete set
        return (ModelSetManifestFile.Read(manifestPath), clock.Elapsed + (musicCreated ?? TimeSpan.Zero));
    }

    private static AdapterConfig AdapterConfig(int dim)
    {
        ModalityAdapterConfig Of(M2UGenModality m, int channels, int width) =>
            new() { Modality = m, Channels = channels, InWidth = width, Dim = dim, HiddenDim = dim };
        return new AdapterConfig(
        [
            Of(M2UGenModality.Music, MusicEncoderConfig.HiddenStateCount, MusicEncoderConfig.HiddenSize),
            Of(M2UGenModality.Image, ImageEncoderConfig.SequenceLength, ImageEncoderConfig.HiddenSize),
            Of(M2UGenModality.Video, VideoEncoderConfig.SequenceLength, VideoEncoderConfig.HiddenSize),
        ]);
    }

    private static ProjectorConfig ProjectorConfig(int inDim, int outDim) => new()
    {
        InDim = inDim, DModel = 32, Heads = 4, EncoderLayers = 1, DecoderLayers = 1, FeedForwardDim = 64,
        InputTokens = DemoReply.AudioTokens.Count, OutputTokens = 8, OutDim = outDim,
    };

    private static ModelSetManifest? Current(string manifestPath)
    {
        if (!File.Exists(manifestPath)) return null;
        try
        {
            var m = ModelSetManifestFile.Read(manifestPath);
            var files = new[] { m.TextEncoderPath, m.DecoderPath, m.CodecPath, m.TokenizerPath }
                .Concat(m.Assistant?.Files().Select(f => f.Path) ?? []);
            return m.BuildVersion == BuildVersion && m.Assistant is not null && files.All(File.Exists) ? m : null;
        }
        catch (Exception e) when (e is IOException or Models.ModelConfigException)
        {
            return null; // a damaged cache entry is rebuilt, not reported
        }
    }
}
