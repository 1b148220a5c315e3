using System.Text;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Models.Tests.Hubert;
using MusicGen.Assistant.Models.Tests.Vision;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Models.Tests.Fuzzing;

/// <summary>
/// Generated corpora for the model loaders: every fixture's config.json mutated (sizes huge, negative, fractional,
/// overflowing or wrongly typed, keys removed, nesting, invalid UTF-8) and planned against its real checkpoint, part of
/// them converted; preprocessor configs and model-set manifests likewise; and small GGUF files of every family written
/// by the project with one metadata value changed at a time, loaded onto the CPU backend (an EnCodec is also run).
/// Each must load or be refused with the typed error naming the file, without unbounded allocation or time.
/// </summary>
public sealed class ModelCorpusTests(ITestOutputHelper output)
{
    private static readonly Type[] ConfigErrors = [typeof(ModelConfigException), typeof(ModelWeightsException)];
    private static readonly Type[] LoadErrors = [typeof(GgufFormatException), typeof(ModelConfigException), typeof(ModelWeightsException)];

    /// <summary>Fixture folders whose config.json the converter recognises, with their checkpoint.</summary>
    public static IEnumerable<object[]> ConvertibleSets() =>
        FixtureSet.All().Where(s => s.HasModel && ConvertibleTypes.Contains(ModelType(s))).Select(s => new object[] { s.Name });

    private static readonly string[] ConvertibleTypes = ["encodec", "musicgen", "musicgen_melody", "hubert", "mert_model", "vit", "vivit"];

    private static string? ModelType(FixtureSet s) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(s.ConfigPath))?["model_type"]?.GetValue<string>();

    [Theory]
    [MemberData(nameof(ConvertibleSets))]
    public void Damaged_config_json_is_planned_or_refused_by_name(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        var json = File.ReadAllText(set.ConfigPath);
        var seed = setName.Aggregate(17, (h, c) => h * 31 + c);
        var converted = 0;
        void Plan(string path)
        {
            var folder = Path.GetDirectoryName(path)!;
            // the folder's other settings, as a checkpoint directory holds them
            foreach (var extra in new[] { "preprocessor_config.json", "generation_config.json" })
                if (File.Exists(Path.Combine(set.Directory, extra))) File.Copy(Path.Combine(set.Directory, extra), Path.Combine(folder, extra));
            var detected = CheckpointConversion.Detect(folder, checkpoint);
            // converting reads every tensor against the config's sizes; a share of the inputs goes that far
            if (converted++ % 4 == 0)
            {
                var plan = detected.Plans.Count == 1 ? detected.Plans[0] : new Combined(detected.Plans);
                var output = Path.Combine(folder, "out.gguf");
                GgufConverter.Write(plan, output, StorageType.F32, "fuzz");
            }
        }
        var tally = new FuzzCorpus { Format = $"{setName} config.json", Read = Plan, Typed = ConfigErrors, NamesFile = NamesConfigOr(((ITensorCheckpoint)checkpoint).Source) }
            .AssertHolds(JsonMutations.Mutate(json, "config.json", seed, 60).Concat(JsonMutations.Sweep(json, "config.json", 60)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > 0 && tally.Read > 0, tally.ToString());
    }

    // A weights error names the checkpoint (and the tensor the config asked for) rather than config.json.
    private static Func<Exception, string, bool> NamesConfigOr(string checkpoint) =>
        (e, path) => e.Message.Contains(path, StringComparison.Ordinal) || e.Message.Contains(checkpoint, StringComparison.Ordinal);

    private sealed class Combined(IReadOnlyList<IConversionPlan> plans) : IConversionPlan
    {
        public string Architecture => string.Join("+", plans.Select(p => p.Architecture));
        public IReadOnlyList<PlannedTensor> Tensors { get; } = plans.SelectMany(p => p.Tensors).ToList();
        public void WriteMetadata(GgufWriter writer) { foreach (var p in plans) p.WriteMetadata(writer); }
    }

    [Fact]
    public void Damaged_preprocessor_configs_are_read_or_refused_by_name()
    {
        var hubert = """{"do_normalize": true, "feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1, "padding_side": "right", "padding_value": 0.0, "return_attention_mask": true, "sampling_rate": 24000}""";
        var vit = """{"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"height": 224, "width": 224}}""";
        var vivit = """{"do_center_crop": true, "crop_size": {"height": 224, "width": 224}, "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "offset": true, "resample": 2, "rescale_factor": 0.0078431372549, "size": {"shortest_edge": 256}}""";
        var total = new FuzzTally();
        foreach (var (name, json, read) in new (string, string, Action<string>)[]
                 {
                     ("hubert", hubert, p => HubertPreprocessing.FromHuggingFaceJson(HfConfigJson.ReadFile(p), p)),
                     ("vit", vit, p => ViTImageProcessor.FromPreprocessorConfig(p)),
                     ("vivit", vivit, p => VivitImageProcessor.FromPreprocessorConfig(p)),
                 })
        {
            var tally = new FuzzCorpus { Format = $"{name} preprocessor_config.json", Read = read, Typed = [typeof(ModelConfigException)] }
                .AssertHolds(JsonMutations.Mutate(json, "preprocessor_config.json", name.Length, 40).Concat(JsonMutations.Sweep(json, "preprocessor_config.json", 40)));
            output.WriteLine($"{name}: {tally}");
            total.Total += tally.Total;
        }
        Assert.True(total.Total >= 200);
    }

    [Fact]
    public void Damaged_model_set_manifests_are_read_or_refused_by_name()
    {
        var json = """{"name": "set", "kind": "musicgen", "demo": false, "build_version": "1", "text_encoder": "m.gguf", "decoder": "m.gguf", "codec": "m.gguf", "tokenizer": "spiece.model", "defaults": {"guidance_scale": 3.0, "top_k": 250, "top_p": 0, "temperature": 1.0, "max_duration_seconds": 30}}""";
        var tally = new FuzzCorpus { Format = "model set manifest", Read = p => ModelSetManifestFile.Read(p), Typed = [typeof(ModelConfigException)] }
            .AssertHolds(JsonMutations.Mutate(json, ModelSetManifest.FileName, 77, 60).Concat(JsonMutations.Sweep(json, ModelSetManifest.FileName, 60)));
        output.WriteLine(tally.ToString());
    }

    // ---- GGUF metadata ---------------------------------------------------------------------------------------------

    private static readonly EncodecConfig SmallCodec = new()
    {
        SamplingRate = 8000, NumFilters = 2, HiddenSize = 8, CodebookSize = 16, CodebookDim = 8, UpsamplingRatios = [2, 2],
        NumLstmLayers = 1, TargetBandwidths = [40.0], Compress = 2, // 2000 frames/s: 2 quantizer layers
    };

    private static readonly MusicGenDecoderConfig SmallDecoder = new()
    {
        VocabSize = 16, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, FfnDim = 16, NumCodebooks = 2,
        MaxPositionEmbeddings = 32, PadTokenId = 16, BosTokenId = 16,
    };

    private static readonly T5Config SmallT5 = new()
    {
        VocabSize = 20, DModel = 8, DKv = 4, NumHeads = 2, DFf = 16, NumLayers = 1, RelativeAttentionNumBuckets = 8, RelativeAttentionMaxDistance = 16,
    };

    public static IEnumerable<object[]> Families() => new[] { "encodec", "t5", "decoder", "hubert", "vit", "vivit" }.Select(f => new object[] { f });

    private static IConversionPlan RandomPlan(string family) => family switch
    {
        "encodec" => new EncodecRandomPlan(SmallCodec, 3),
        "t5" => new T5RandomPlan(SmallT5, 3),
        "decoder" => new MusicGenDecoderRandomPlan(SmallDecoder, 3),
        "hubert" => new HubertRandomPlan(RandomHubertModels.Variant("stable"), 3),
        "vit" => new VisionRandomPlan(RandomVisionModels.OddViT, 3),
        _ => new VisionRandomPlan(RandomVisionModels.OddViViT, 3),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Gguf_metadata_the_tensors_cannot_back_is_loaded_or_refused_by_name(string family)
    {
        var folder = Directory.CreateTempSubdirectory("mga-fuzz-seed-").FullName;
        try
        {
            var seed = Path.Combine(folder, family + ".gguf");
            GgufConverter.Write(RandomPlan(family), seed, StorageType.F32, "fuzz seed");
            using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            LoadAndRun(seed, backend); // the original loads
            var bytes = File.ReadAllBytes(seed);
            var inputs = GgufMetadataMutations.Each(seed, "model.gguf")
                .Concat(ByteMutations.Mutate(bytes, "model.gguf", family.Length * 7919, 30));
            var tally = new FuzzCorpus { Format = $"{family} GGUF", Read = p => LoadAndRun(p, backend), Typed = LoadErrors }.AssertHolds(inputs);
            output.WriteLine(tally.ToString());
            Assert.True(tally.Refused > tally.Total / 3, tally.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Loads every family the file holds; runs the codec and the text encoder on a few frames and tokens.</summary>
    private static void LoadAndRun(string path, ComputeBackend backend)
    {
        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        if (m.ContainsKey(EncodecKeys.SamplingRate))
        {
            using var codec = EncodecCodec.Load(path, backend);
            var codes = Enumerable.Range(0, codec.Config.QuantizersForBandwidth()).Select(_ => new[] { 0, 0, 0 }).ToArray();
            codec.Decode(codes);
        }
        if (T5Metadata.IsPresent(m))
        {
            using var t5 = T5Encoder.Load(file, backend);
            t5.Encode(new[,] { { 0, 0, 0 } }, new[,] { { 1, 1, 1 } });
        }
        if (MusicGenDecoderMetadata.IsPresent(m)) MusicGenDecoder.Load(path, backend).Dispose();
        if (HubertMetadata.IsPresent(m)) HubertEncoder.Load(file, backend).Dispose();
        foreach (var family in new[] { VisionFamily.ViT, VisionFamily.ViViT })
            if (VisionMetadata.IsPresent(m, family)) VisionEncoder.Load(file, family, backend).Dispose();
    }
}
