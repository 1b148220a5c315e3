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

    /// <summary>The adapter sizes the converted fixture checkpoint holds (C channels, W width, D output width).</summary>
    private static ModalityAdapterConfig Cfg(M2UGenModality m)
    {
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Set));
        return AdapterMetadata.Read(file.Metadata)[m];
    }

    [Theory]
    [InlineData(M2UGenModality.Music, 2, 11)]
    [InlineData(M2UGenModality.Music, 1, 1)]
    [InlineData(M2UGenModality.Image, 3, 1)]
    [InlineData(M2UGenModality.Video, 2, 1)]
    public void A_batch_matches_the_float64_definition_item_by_item(M2UGenModality m, int batch, int frames)
    {
        var c = Cfg(m);
        var (channels, width, dim) = (c.Channels, c.InWidth, c.Dim);
        var features = Random(batch * channels * frames * width, seed: (int)m * 100 + batch);
        int[] shape = m == M2UGenModality.Music ? [batch, channels, frames, width] : [batch, channels, width];
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [m]);
        var result = adapters.Embed(m, features, shape);

        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var expected = new AdapterHostReference(checkpoint, m).Tokens(features, batch, channels, frames, width);
        Assert.Equal(batch, result.Batch);
        Assert.Equal(batch * dim, result.Token.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(result.Token[i] - expected[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]),
                $"token[{i / dim}][{i % dim}]: {result.Token[i]} vs float64 {expected[i]}");
        // the L2 normalisation leaves unit vectors (times M2UGen's 1/(1+1e-6) mixing weight)
        for (var b = 0; b < batch; b++)
            Assert.Equal(1 / (1 + 1e-6), Math.Sqrt(result.Normalized.Skip(b * width).Take(width).Sum(x => (double)x * x)), 5);
        Assert.Equal(m == M2UGenModality.Music, result.LayerMeans is not null);
        Assert.Equal(1, result.TokenOf(batch - 1).Length / dim);
    }

    [Fact]
    public void Items_of_a_batch_do_not_influence_each_other()
    {
        var c = Cfg(M2UGenModality.Music);
        var (channels, width, dim, frames) = (c.Channels, c.InWidth, c.Dim, 37);
        var one = Random(channels * frames * width, seed: 7);
        var two = one.Concat(Random(channels * frames * width, seed: 8)).ToArray();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Music]);
        var single = adapters.Embed(M2UGenModality.Music, one, channels, frames, width);
        var batched = adapters.Embed(M2UGenModality.Music, two, 2, channels, frames, width);
        // equal up to summation order (ggml picks other matrix-product kernels for a batch)
        for (var i = 0; i < dim; i++) Assert.Equal(single.Token[i], batched.Token[i], 1e-5f);
        Assert.Equal(single.Aggregated, batched.Aggregated[..width]);
        Assert.NotEqual(batched.Token[..dim], batched.Token[dim..]);
        Assert.True(adapters[M2UGenModality.Music].Timings["compute"] > TimeSpan.Zero);
    }

    public static TheoryData<M2UGenModality, string> WrongShapes => new()
    {
        { M2UGenModality.Music, "narrow" }, { M2UGenModality.Music, "channels" }, { M2UGenModality.Music, "2-d" },
        { M2UGenModality.Image, "channels" }, { M2UGenModality.Video, "wide" }, { M2UGenModality.Video, "4-d" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Input_of_the_wrong_shape_is_refused_with_what_was_expected(M2UGenModality m, string wrong)
    {
        var c = Cfg(m);
        var (C, W) = (c.Channels, c.InWidth);
        var (shape, message) = (m, wrong) switch
        {
            (M2UGenModality.Music, "narrow") => (new[] { C, 37, W / 2 }, $"the music adapter takes width {W}, got {W / 2}"),
            (M2UGenModality.Music, "channels") => (new[] { C + 22, 37, W }, $"the music adapter aggregates {C} hidden states, got {C + 22}"),
            (M2UGenModality.Music, "2-d") => (new[] { 37, W }, $"the music adapter takes MERT hidden states [{C}, frames, {W}] or [batch, {C}, frames, {W}]; got shape [37, {W}]"),
            (M2UGenModality.Image, "channels") => (new[] { 1, C + 180, W }, $"the image adapter aggregates {C} tokens, got {C + 180}"),
            (M2UGenModality.Video, "wide") => (new[] { C, W + 736 }, $"the video adapter takes width {W}, got {W + 736}"),
            _ => (new[] { 1, 1, C, W }, $"ViViT last_hidden_state [{C}, {W}] or [batch, {C}, {W}]; got shape [1, 1, {C}, {W}]"),
        };
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [m]);
        var e = Assert.Throws<ArgumentException>(() => adapters.Embed(m, new float[shape.Aggregate(1, (a, d) => a * d)], shape));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_value_count_that_does_not_fit_the_shape_or_a_nan_is_refused()
    {
        var c = Cfg(M2UGenModality.Image);
        var (tokens, width) = (c.Channels, c.InWidth);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Image]);
        var e = Assert.Throws<ArgumentException>(() => adapters.Embed(M2UGenModality.Image, new float[tokens * width - 1], tokens, width));
        Assert.Contains($"shape [{tokens}, {width}] holds {tokens * width} values, but {tokens * width - 1} were given", e.Message);
        var values = new float[tokens * width];
        values[40] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => adapters.Embed(M2UGenModality.Image, values, tokens, width));
        Assert.Contains("non-finite value (NaN) at flat index 40", e.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => adapters[M2UGenModality.Video]);
        Assert.Contains("the video adapter is not loaded (loaded: image)", missing.Message);
    }

    [Fact]
    public void Time_means_give_the_same_token_as_the_hidden_states_they_average()
    {
        var c = Cfg(M2UGenModality.Music);
        var (C, W) = (c.Channels, c.InWidth);
        var hidden = Random(2 * C * 9 * W, seed: 3);
        var means = new float[2 * C * W];
        for (var b = 0; b < 2; b++)
            for (var h = 0; h < C; h++)
                for (var w = 0; w < W; w++)
                    means[(b * C + h) * W + w] = (float)Enumerable.Range(0, 9).Average(t => (double)hidden[((b * C + h) * 9 + t) * W + w]);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(Set), backend, [M2UGenModality.Music, M2UGenModality.Video]);
        var music = adapters[M2UGenModality.Music];
        var fromStates = music.Embed(hidden, 2, C, 9, W);
        var fromMeans = music.EmbedTimeMeans(means, batch: 2);
        Assert.Equal(means, fromMeans.LayerMeans);
        for (var i = 0; i < means.Length; i++) Assert.Equal(means[i], fromStates.LayerMeans![i], 1e-6f);
        for (var i = 0; i < fromMeans.Token.Length; i++) Assert.Equal(fromStates.Token[i], fromMeans.Token[i], 1e-5f);

        var e = Assert.Throws<ArgumentException>(() => music.EmbedTimeMeans(means, batch: 3));
        Assert.Contains($"3 item(s) need {3 * C * W} values, got {2 * C * W}", e.Message);
        var video = Cfg(M2UGenModality.Video);
        var notMusic = Assert.Throws<InvalidOperationException>(() => adapters[M2UGenModality.Video].EmbedTimeMeans(new float[video.Channels * video.InWidth]));
        Assert.Contains("the video adapter takes tokens", notMusic.Message);
    }

    [Fact]
    public void A_gguf_missing_an_adapter_tensor_is_named()
    {
        var source = ConvertedFixtures.Gguf(Set);
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-m2ugen-gguf-").FullName, "broken.gguf");
        long[] shape;
        using (var file = GgufFile.Open(source))
        using (var writer = new GgufWriter(path))
        {
            shape = file.GetTensor(AdapterKeys.Up(M2UGenModality.Video, 1)).Ne;
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
        Assert.Contains($"missing tensor '{AdapterKeys.Up(M2UGenModality.Video, 1)}' (expected shape [{string.Join(", ", shape)}])", e.Message);
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
