using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The model set <c>mga generate</c> uses without --model: a tiny random T5 (with the projection to the decoder
/// width), a small random MusicGen decoder (256 wide, 4 layers, 4 codebooks of 2048), the full-size random EnCodec
/// 32 kHz of <see cref="DemoCodec"/>, and the tokenizer of <see cref="DemoTokenizer"/>, all built deterministically
/// by this code into the cache. UNTRAINED: the audio is noise shaped by random weights, not music.
/// </summary>
public static class DemoModelSet
{
    /// <summary>Bump when anything below changes: a cached set of another version is rebuilt.</summary>
    public const string BuildVersion = "demo-musicgen-2"; // 2: the quiet codec
    public const int Seed = 1234;

    public static MusicGenDecoderConfig DecoderConfig { get; } = new()
    {
        HiddenSize = 256, NumHiddenLayers = 4, NumAttentionHeads = 4, FfnDim = 1024, NumCodebooks = 4, VocabSize = 2048,
        PadTokenId = 2048, BosTokenId = 2048, MaxPositionEmbeddings = 2048,
    };

    public static T5Config TextConfig => new()
    {
        VocabSize = DemoTokenizer.VocabSize, DModel = 64, DKv = 16, DFf = 128, NumLayers = 2, NumHeads = 4,
    };

    public static string Folder() => Path.Combine(NativeLibraryLocator.CacheRoots().First(), "models", "demo-musicgen");

    public static string ManifestPath() => Path.Combine(Folder(), ModelSetManifest.FileName);

    /// <summary>The demo set's manifest, (re)built first when missing, incomplete or of another build version.</summary>
    public static (ModelSetManifest Manifest, TimeSpan? Created) Ensure(IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            lock (Gate) return EnsureLocked(progress, cancellation);
        });

    private static readonly Lock Gate = new();

    private static (ModelSetManifest Manifest, TimeSpan? Created) EnsureLocked(IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var manifestPath = ManifestPath();
        var codecPath = DemoCodec.Ensure(progress, cancellation).Path;
        if (Current(manifestPath) is { } cached) return (cached, null);

        var folder = Folder();
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        var t5 = Path.Combine(folder, "t5-random.gguf");
        var decoder = Path.Combine(folder, "decoder-random.gguf");
        var tokenizer = Path.Combine(folder, "spiece.model");
        ProgressStage.Run(progress, "create text encoder", "tensors", cancellation, stage =>
            GgufConverter.Write(new T5RandomPlan(TextConfig, Seed, DecoderConfig.HiddenSize), t5, StorageType.F32,
                "demo: untrained random-weight T5 encoder", stage));
        ProgressStage.Run(progress, "create decoder", "tensors", cancellation, stage =>
            GgufConverter.Write(new MusicGenDecoderRandomPlan(DecoderConfig, Seed), decoder, StorageType.F32,
                "demo: untrained random-weight MusicGen decoder", stage));
        var temp = tokenizer + ".partial";
        File.WriteAllBytes(temp, DemoTokenizer.ModelProtoBytes());
        File.Move(temp, tokenizer, overwrite: true);
        var manifest = new ModelSetManifest
        {
            Name = "demo-musicgen (UNTRAINED, random weights)",
            TextEncoderPath = t5, DecoderPath = decoder, CodecPath = codecPath, TokenizerPath = tokenizer,
            Demo = true, BuildVersion = BuildVersion,
            Defaults = new GenerationDefaults { MaxDurationSeconds = 30 },
        };
        ModelSetManifestFile.Write(manifestPath, manifest); // last: its presence marks a complete set
        return (ModelSetManifestFile.Read(manifestPath), clock.Elapsed);
    }

    private static ModelSetManifest? Current(string manifestPath)
    {
        if (!File.Exists(manifestPath)) return null;
        try
        {
            var m = ModelSetManifestFile.Read(manifestPath);
            var complete = new[] { m.TextEncoderPath, m.DecoderPath, m.CodecPath, m.TokenizerPath }.All(File.Exists);
            return m.BuildVersion == BuildVersion && complete ? m : null;
        }
        catch (Exception e) when (e is IOException or Models.ModelConfigException)
        {
            return null; // a damaged cache entry is rebuilt, not reported
        }
    }
}
