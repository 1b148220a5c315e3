using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// A whole M2UGen checkpoint (checkpoint.pth, checkpoint_mixed.pth, or the model.safetensors folder) with the encoder
/// fixtures, musicgen-tiny and the LLaMA tokenizer converts into one model set: the manifest loads and names every
/// part, each tensor taken from the checkpoint equals its source (exactly; the mixed file's f16 / bf16 tensors as its
/// ckpt_mixed_* vectors say), the parts from folders equal their own conversion, the tokenizers travel inside, and
/// the gate report is tanh of the checkpoint's gates per injected layer and head.
/// </summary>
public partial class M2UGenSetConversionTests
{
    private static readonly ConcurrentDictionary<string, Lazy<M2UGenSetResult>> Converted = new();

    private static FixtureSet Set => M2UGenSetFixture.Set;

    public static TheoryData<string> Checkpoints() => new(["checkpoint.pth", "checkpoint_mixed.pth", "model.safetensors"]);

    private static M2UGenSetResult Convert(string file) => Converted.GetOrAdd(file, _ => new Lazy<M2UGenSetResult>(() =>
    {
        var input = file == "model.safetensors" ? Set.Directory : Path.Combine(Set.Directory, file);
        var output = Directory.CreateTempSubdirectory("mga-m2ugen-set-").FullName;
        return M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(input), output, StorageType.F32);
    })).Value;

    private static ITensorCheckpoint Open(string file) => file == "model.safetensors"
        ? SafetensorsCheckpoint.OpenDirectory(Set.Directory)
        : PyTorchCheckpoint.Open(Path.Combine(Set.Directory, file));

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void The_manifest_loads_and_names_every_part(string file)
    {
        var result = Convert(file);
        var folder = Path.GetDirectoryName(result.ManifestPath)!;
        var manifest = ModelSetLocator.Resolve(folder);
        Assert.Equal(ModelSetManifest.KindM2UGen, manifest.Kind);
        var a = manifest.Assistant!;
        var musicgen = Path.Combine(folder, M2UGenSetPlan.MusicGenFile);
        Assert.Equal([musicgen, musicgen, musicgen, musicgen], [manifest.TextEncoderPath, manifest.DecoderPath, manifest.CodecPath, manifest.TokenizerPath]);
        Assert.Equal(Path.Combine(folder, M2UGenSetPlan.LlamaFile), a.LlamaPath);
        Assert.Equal(a.LlamaPath, a.LlamaTokenizerPath);
        Assert.Equal(M2UGenModalities.All, a.EncoderPaths.Keys.Order());
        Assert.Equal(MusicConditioningPath.Text, a.MusicConditioning);
        Assert.Equal(8, a.AudioTokens.Count);
        Assert.All(a.Files(), f => Assert.True(File.Exists(f.Path), f.Field));
        Assert.Equal(3.5, manifest.Defaults.GuidanceScale);

        // every part loads with its family's loader and fits the others
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var llama = M2UGenLlama.Load(a.LlamaPath, backend);
        using var adapters = M2UGenAdapters.Load(a.AdaptersPath, backend);
        using var projector = OutputProjector.Load(a.ProjectorPath, backend);
        using var music = EncoderStatesConditioning.Load(manifest.TextEncoderPath, backend);
        music.CheckProjector(projector.Config);
        Assert.Equal(M2UGenModalities.All, adapters.FileConfig.Modalities.Select(c => c.Modality));
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Every_tensor_from_the_checkpoint_equals_its_source(string file)
    {
        var result = Convert(file);
        using var checkpoint = Open(file);
        var fromCheckpoint = result.Files.Where(f => f.Source == checkpoint.Source).ToList();
        Assert.Equal(["llama", "adapters", "projector"], fromCheckpoint.Select(f => f.Part));
        var seen = new HashSet<string>();
        foreach (var part in fromCheckpoint)
        {
            using var gguf = GgufFile.Open(part.Result.Path);
            Assert.Equal(part.Tensors.Count, gguf.Tensors.Count);
            foreach (var (name, source) in part.Tensors)
            {
                Assert.Equal(GgmlType.F32, gguf.GetTensor(name).Type);
                var actual = gguf.ReadFloat32(name);
                var expected = checkpoint.ReadFloat32(source);
                if (expected.Length != actual.Length) expected = InProjPart(expected, name, actual.Length);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{file}: '{name}' differs from '{source}'");
                seen.Add(source);
            }
        }
        // nothing of the trained state dict is left behind
        Assert.Empty(checkpoint.Names.Except(seen));
    }

    [Fact]
    public void The_mixed_checkpoints_f16_and_bf16_tensors_keep_their_stored_values()
    {
        var result = Convert("checkpoint_mixed.pth");
        using var checkpoint = Open("checkpoint_mixed.pth");
        var llama = result.Files.Single(f => f.Part == "llama");
        using var gguf = GgufFile.Open(llama.Result.Path);
        var vectors = Set.Vectors.Where(v => MixedCall().IsMatch(v.Call)).ToList();
        Assert.Equal(2, vectors.Count);
        foreach (var v in vectors)
        {
            var source = MixedCall().Match(v.Call).Groups["name"].Value;
            Assert.Contains(checkpoint.DType(source), new[] { SafetensorsDType.F16, SafetensorsDType.BF16 });
            var name = llama.Tensors.Single(t => t.Source == source).Gguf;
            ToleranceAssert.Matches(v, gguf.ReadFloat32(name).Select(x => (double)x).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void The_encoders_and_musicgen_equal_their_own_folders_conversion(string file)
    {
        var result = Convert(file);
        var folders = M2UGenSetFixture.EncoderSets().ToDictionary(e => $"{e.Key.Name()} encoder", e => e.Value);
        folders["musicgen"] = M2UGenSetFixture.MusicGen;
        Assert.Equal(folders.Keys.Order(), result.Files.Where(f => folders.ContainsKey(f.Part)).Select(f => f.Part).Order());
        foreach (var part in result.Files.Where(f => folders.ContainsKey(f.Part)))
        {
            using var ours = GgufFile.Open(part.Result.Path);
            using var alone = GgufFile.Open(ConvertedFixtures.Gguf(folders[part.Part]));
            Assert.Equal(alone.Tensors.Select(t => t.Name), ours.Tensors.Select(t => t.Name));
            foreach (var t in alone.Tensors) Assert.True(alone.GetTensorBytes(t).SequenceEqual(ours.GetTensorBytes(t.Name)), $"{part.Part}: {t.Name}");
        }
    }

    [Fact]
    public void The_tokenizers_travel_inside_with_the_aud_tokens()
    {
        var result = Convert("checkpoint.pth");
        var llama = TokenizerFiles.LoadLlama(result.Manifest.Assistant!.LlamaTokenizerPath);
        var ids = Set.Vector("aud_token_ids").Values().Select(x => (int)x).ToArray();
        Assert.Equal(ids, result.Manifest.Assistant.AudioTokens.Select(t => llama.FindToken(t)!.Value));
        var prompt = Encoding.UTF8.GetString(Set.Vector("prompt_text_utf8").Values().Select(x => (byte)x).ToArray());
        Assert.Equal(Set.Vector("prompt_input_ids").Values().Select(x => (int)x), llama.Encode(prompt));
        Assert.Equal(ids, llama.Encode(string.Concat(result.Manifest.Assistant.AudioTokens), addSpecialTokens: false));

        var t5 = TokenizerFiles.LoadSentencePiece(result.Manifest.TokenizerPath);
        var original = Text.SentencePieceTokenizer.Load(M2UGenSetFixture.T5Tokenizer);
        Assert.Equal(original.VocabSize, t5.VocabSize);
        Assert.Equal(original.Encode(prompt), t5.Encode(prompt));
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void The_gate_report_is_tanh_of_the_checkpoints_gates(string file)
    {
        var gates = Convert(file).Gates;
        using var checkpoint = Open(file);
        var adapters = M2UGenSetFixture.Config()["adapters"]!;
        int[] Layers(string key) => adapters[key]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        var expectedLayers = new Dictionary<M2UGenModality, int[]>
        {
            [M2UGenModality.Music] = Layers("audio_layers"), [M2UGenModality.Image] = Layers("image_layers"), [M2UGenModality.Video] = Layers("video_layers"),
        };
        Assert.Equal(AdapterLayout.Head, gates.Injection.Layout);
        Assert.Equal(expectedLayers.Values.SelectMany(x => x).Order(), gates.Layers.Select(l => l.Layer));
        foreach (var layer in gates.Layers)
        {
            var raw = checkpoint.ReadFloat32(M2UGenLlamaCheckpointKeys.Gate(layer.Layer));
            Assert.Equal(raw.Select(g => Math.Tanh(g)), layer.TanhGates);
            Assert.Equal([expectedLayers.Single(e => e.Value.Contains(layer.Layer)).Key], layer.Modalities);
        }
        foreach (var s in gates.Summaries)
        {
            var values = gates.Layers.Where(l => expectedLayers[s.Modality].Contains(l.Layer)).SelectMany(l => l.TanhGates).ToList();
            Assert.Equal((values.Min(), values.Max(), values.Average()), (s.Min, s.Max, s.Mean));
            Assert.Equal(expectedLayers[s.Modality], s.Layers);
        }
        // the fixture's gates are non-zero on purpose
        Assert.Empty(gates.Warnings);
        Assert.Contains(gates.Lines(), l => l.Contains("layer " + gates.Layers[0].Layer, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StorageType.F32)]
    [InlineData(StorageType.F16)]
    public void The_sets_llama_and_projector_give_the_aud_embeddings_and_the_projector_output(StorageType storage)
    {
        var output = Directory.CreateTempSubdirectory("mga-m2ugen-set-").FullName;
        var result = storage == StorageType.F32 ? Convert("checkpoint.pth")
            : M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(Path.Combine(Set.Directory, "checkpoint.pth")), output, storage);
        var a = result.Manifest.Assistant!;
        using var llama = GgufFile.Open(a.LlamaPath);
        var (embeddingsVector, idsName) = ProjectorFixtureVectors.Embeddings(Set);
        var ids = Set.Vector(idsName).Values().Select(x => (int)x).ToArray();
        var embeddings = AudTokenEmbeddings.FromLlama(llama, ids);
        if (storage == StorageType.F32) ToleranceAssert.Matches(embeddingsVector, embeddings.Select(x => (double)x).ToArray());
        else Assert.Equal(GgmlType.F16, llama.GetTensor(Models.Llama.LlamaKeys.TokenEmbedding).Type); // rows converted from an f16 table

        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var projector = OutputProjector.Load(a.ProjectorPath, backend);
        foreach (var stage in Set.Vectors.Where(ProjectorFixtureVectors.Handles).Select(ProjectorFixtureVectors.Parse).Where(s => s.Stage == "output"))
        {
            var hidden = Set.Vector(stage.Hidden);
            var projected = projector.Project(hidden.Values().Select(x => (float)x).ToArray(), embeddings, (int)hidden.Shape[0]);
            if (storage == StorageType.F32) ToleranceAssert.Matches(stage.Vector, projected.Output.Select(x => (double)x).ToArray());
            else
            {
                var expected = stage.Vector.Values();
                var error = Math.Sqrt(expected.Select((e, i) => (projected.Output[i] - e) * (projected.Output[i] - e)).Sum() / expected.Sum(e => e * e));
                Assert.True(error is > 0 and < 5e-3, $"{stage.Vector} from an f16 set: relative RMS error {error:E2}");
            }
        }
    }

    private static float[] InProjPart(float[] packed, string ggufName, int size)
    {
        var part = Regex.Match(ggufName, @"\.(attn|cross)_(?<p>[qkv])\.").Groups["p"].Value;
        Assert.False(string.IsNullOrEmpty(part), $"'{ggufName}' has another size than its source and is no in_proj part");
        return packed.AsSpan("qkv".IndexOf(part, StringComparison.Ordinal) * size, size).ToArray();
    }

    [GeneratedRegex(@"\['model'\]\['(?<name>[^']+)'\]\.float\(\)")]
    private static partial Regex MixedCall();
}
