using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>The adapter runtime on inputs the fixture does not record (batches, other lengths), and its input checks.</summary>
public class ModalityAdapterTests
{
    private static FixtureSet Set => DerivedCheckpoints.Set;

    [Theory]
    [InlineData(M2UGenModality.Music, 2, 3, 11, 32)]
    [InlineData(M2UGenModality.Music, 1, 3, 1, 32)]
    [InlineData(M2UGenModality.Image, 3, 17, 1, 32)]
    [InlineData(M2UGenModality.Video, 2, 65, 1, 32)]
    public void A_batch_matches_the_float64_definition_item_by_item(M2UGenModality m, int batch, int channels, int frames, int width)
    {
        var features = Random(batch * channels * frames * width, seed: (int)m * 100 + batch);
        int[] shape = m == M2UGenModality.Music ? [batch, channels, frames, width] : [batch, channels, width];
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [m]);
        var result = adapters.Embed(m, features, shape);

        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var expected = new AdapterHostReference(checkpoint, m).Tokens(features, batch, channels, frames, width);
        Assert.Equal(batch, result.Batch);
        Assert.Equal(batch * 64, result.Token.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(result.Token[i] - expected[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]),
                $"token[{i / 64}][{i % 64}]: {result.Token[i]} vs float64 {expected[i]}");
        // the L2 normalisation leaves unit vectors (times M2UGen's 1/(1+1e-6) mixing weight)
        for (var b = 0; b < batch; b++)
            Assert.Equal(1 / (1 + 1e-6), Math.Sqrt(result.Normalized.Skip(b * width).Take(width).Sum(x => (double)x * x)), 5);
        Assert.Equal(m == M2UGenModality.Music, result.LayerMeans is not null);
        Assert.Equal(1, result.TokenOf(batch - 1).Length / 64);
    }

    [Fact]
    public void Items_of_a_batch_do_not_influence_each_other()
    {
        var one = Random(3 * 37 * 32, seed: 7);
        var two = one.Concat(Random(3 * 37 * 32, seed: 8)).ToArray();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Music]);
        var single = adapters.Embed(M2UGenModality.Music, one, 3, 37, 32);
        var batched = adapters.Embed(M2UGenModality.Music, two, 2, 3, 37, 32);
        // equal up to summation order (ggml picks other matrix-product kernels for a batch)
        for (var i = 0; i < 64; i++) Assert.Equal(single.Token[i], batched.Token[i], 1e-5f);
        Assert.Equal(single.Aggregated, batched.Aggregated[..32]);
        Assert.NotEqual(batched.Token[..64], batched.Token[64..]);
        Assert.True(adapters[M2UGenModality.Music].Timings["compute"] > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(M2UGenModality.Music, new[] { 3, 37, 16 }, "the music adapter takes width 32, got 16")]
    [InlineData(M2UGenModality.Music, new[] { 25, 37, 32 }, "the music adapter aggregates 3 hidden states, got 25")]
    [InlineData(M2UGenModality.Music, new[] { 37, 32 }, "the music adapter takes MERT hidden states [3, frames, 32] or [batch, 3, frames, 32]; got shape [37, 32]")]
    [InlineData(M2UGenModality.Image, new[] { 1, 197, 32 }, "the image adapter aggregates 17 tokens, got 197")]
    [InlineData(M2UGenModality.Video, new[] { 65, 768 }, "the video adapter takes width 32, got 768")]
    [InlineData(M2UGenModality.Video, new[] { 1, 1, 65, 32 }, "ViViT last_hidden_state [65, 32] or [batch, 65, 32]; got shape [1, 1, 65, 32]")]
    public void Input_of_the_wrong_shape_is_refused_with_what_was_expected(M2UGenModality m, int[] shape, string message)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [m]);
        var e = Assert.Throws<ArgumentException>(() => adapters.Embed(m, new float[shape.Aggregate(1, (a, d) => a * d)], shape));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_value_count_that_does_not_fit_the_shape_or_a_nan_is_refused()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Image]);
        var e = Assert.Throws<ArgumentException>(() => adapters.Embed(M2UGenModality.Image, new float[17 * 32 - 1], 17, 32));
        Assert.Contains("shape [17, 32] holds 544 values, but 543 were given", e.Message);
        var values = new float[17 * 32];
        values[40] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => adapters.Embed(M2UGenModality.Image, values, 17, 32));
        Assert.Contains("non-finite value (NaN) at flat index 40", e.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => adapters[M2UGenModality.Video]);
        Assert.Contains("the video adapter is not loaded (loaded: image)", missing.Message);
    }

    [Fact]
    public void Time_means_give_the_same_token_as_the_hidden_states_they_average()
    {
        var hidden = Random(2 * 3 * 9 * 32, seed: 3);
        var means = new float[2 * 3 * 32];
        for (var b = 0; b < 2; b++)
            for (var c = 0; c < 3; c++)
                for (var w = 0; w < 32; w++)
                    means[(b * 3 + c) * 32 + w] = (float)Enumerable.Range(0, 9).Average(t => (double)hidden[((b * 3 + c) * 9 + t) * 32 + w]);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Music, M2UGenModality.Video]);
        var music = adapters[M2UGenModality.Music];
        var fromStates = music.Embed(hidden, 2, 3, 9, 32);
        var fromMeans = music.EmbedTimeMeans(means, batch: 2);
        Assert.Equal(means, fromMeans.LayerMeans);
        for (var i = 0; i < means.Length; i++) Assert.Equal(means[i], fromStates.LayerMeans![i], 1e-6f);
        for (var i = 0; i < fromMeans.Token.Length; i++) Assert.Equal(fromStates.Token[i], fromMeans.Token[i], 1e-5f);

        var e = Assert.Throws<ArgumentException>(() => music.EmbedTimeMeans(means, batch: 3));
        Assert.Contains("3 item(s) need 288 values, got 192", e.Message);
        var notMusic = Assert.Throws<InvalidOperationException>(() => adapters[M2UGenModality.Video].EmbedTimeMeans(new float[65 * 32]));
        Assert.Contains("the video adapter takes tokens", notMusic.Message);
    }

    [Fact]
    public void A_gguf_missing_an_adapter_tensor_is_named()
    {
        var source = ConvertedFixtures.Gguf(Set);
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-m2ugen-gguf-").FullName, "broken.gguf");
        using (var file = GgufFile.Open(source))
        using (var writer = new GgufWriter(path))
        {
            foreach (var kv in file.Metadata) writer.SetMetadata(kv.Key, kv.Value);
            var kept = file.Tensors.Where(t => t.Name != AdapterKeys.Up(M2UGenModality.Video, 1)).ToList();
            foreach (var t in kept) writer.AddTensor(t.Name, t.Type, t.Ne);
            writer.WriteHeader();
            foreach (var t in kept) writer.WriteTensorData(t.Name, file.GetTensorBytes(t));
            writer.Finish();
        }
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using (var ok = M2UGenAdapters.Load(path, backend, [M2UGenModality.Music])) Assert.True(ok.Has(M2UGenModality.Music));
        var e = Assert.Throws<ModelWeightsException>(() => M2UGenAdapters.Load(path, backend));
        Assert.Contains($"missing tensor '{AdapterKeys.Up(M2UGenModality.Video, 1)}' (expected shape [64, 64])", e.Message);
    }

    [Fact]
    public void A_gguf_without_adapters_says_so()
    {
        var musicgen = ConvertedFixtures.Gguf(FixtureSet.ByName("musicgen-tiny"));
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        var e = Assert.Throws<ModelConfigException>(() => M2UGenAdapters.Load(musicgen, backend));
        Assert.Contains("no M2UGen adapters in this GGUF", e.Message);
    }

    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
    }
}
