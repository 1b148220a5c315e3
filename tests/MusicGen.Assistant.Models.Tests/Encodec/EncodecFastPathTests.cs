using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.Encodec;

/// <summary>
/// The fast graph (tap-stacked kernels on channels-first frames, with and without the fused CPU kernels) against the
/// reference graph (GGUF layout: im2col, col2im, plain ggml ops) on random-weight models, including the settings the
/// PyTorch fixtures do not cover: causal convs, zero padding, dilations, conv shortcuts, stereo, odd strides, a
/// kernel that is not a multiple of its stride, inputs shorter than the padding, and chunking.
/// </summary>
public class EncodecFastPathTests
{
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-encodec-fast-").FullName;

    public static TheoryData<string> Configs() => new(ConfigsByName.Keys);

    private static readonly Dictionary<string, EncodecConfig> ConfigsByName = new()
    {
        ["fixture-shape"] = new EncodecConfig { NumFilters = 4, HiddenSize = 16, CodebookDim = 16, CodebookSize = 32 },
        ["causal-constant-stereo"] = new EncodecConfig
        {
            NumFilters = 6, HiddenSize = 12, CodebookDim = 12, CodebookSize = 16, AudioChannels = 2, UpsamplingRatios = [3, 2],
            NumResidualLayers = 2, DilationGrowthRate = 3, UseCausalConv = true, PadMode = "constant", TrimRightRatio = 0.5,
            UseConvShortcut = true, KernelSize = 5, LastKernelSize = 3, NumLstmLayers = 1, SamplingRate = 600, TargetBandwidths = [2.0],
        },
        ["dilated-reflect"] = new EncodecConfig
        {
            NumFilters = 5, HiddenSize = 10, CodebookDim = 10, CodebookSize = 16, UpsamplingRatios = [5, 2], NumResidualLayers = 3,
            DilationGrowthRate = 2, ResidualKernelSize = 5, Compress = 1, KernelSize = 3, LastKernelSize = 7, SamplingRate = 1000,
        },
    };

    private static string Model(string name)
    {
        var path = Path.Combine(Root, name + ".gguf");
        if (!File.Exists(path)) GgufConverter.Write(new EncodecRandomPlan(ConfigsByName[name], seed: 5), path, StorageType.F32, "test");
        return path;
    }

    private sealed class Codecs : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public Codecs(string name, int chunk)
        {
            var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
            _owned.Add(backend);
            using var file = GgufFile.Open(Model(name));
            var config = EncodecMetadata.Read(file.Metadata);
            var reference = new EncodecWeights(file, config, backend, ConvLayout.Im2Col);
            var stacked = new EncodecWeights(file, config, backend, ConvLayout.TapStacked);
            var direct = new EncodecWeights(file, config, backend, ConvLayout.Direct);
            _owned.AddRange([reference, stacked, direct]);
            Reference = new EncodecCodec(reference, backend, chunk) { UseCpuKernels = false };
            Variants =
            [
                ("direct", new EncodecCodec(direct, backend, chunk)),
                ("tap-stacked+kernels", new EncodecCodec(stacked, backend, chunk)),
                ("tap-stacked plain ops", new EncodecCodec(stacked, backend, chunk) { UseCpuKernels = false }),
            ];
            _owned.InsertRange(0, [Reference, .. Variants.Select(v => v.Codec)]);
        }

        public EncodecCodec Reference { get; }
        public IReadOnlyList<(string Name, EncodecCodec Codec)> Variants { get; }

        public void Dispose()
        {
            foreach (var d in _owned) d.Dispose();
        }
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(v => Math.Abs(v));
        Assert.True(scale > 1e-3, $"{what}: the reference output is all but zero");
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * scale, $"{what}[{i}]: {actual[i]} vs reference {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Decode_matches_the_reference_graph(string name)
    {
        using var codecs = new Codecs(name, chunk: 9);
        var config = codecs.Reference.Config;
        var rng = new Random(3);
        foreach (var frames in new[] { 1, 2, 23 })                                     // 23 frames: three chunks of 9
        {
            var codes = Enumerable.Range(0, config.NumQuantizers)
                .Select(_ => Enumerable.Range(0, frames).Select(_ => rng.Next(config.CodebookSize)).ToArray()).ToArray();
            var expected = codecs.Reference.Decode(codes);
            Assert.Equal(config.AudioChannels, expected.Length);
            Assert.Equal(frames * config.HopLength, expected[0].Length);
            foreach (var (variant, codec) in codecs.Variants)
            {
                var actual = codec.Decode(codes);
                for (var ch = 0; ch < expected.Length; ch++)
                    Close(expected[ch], actual[ch], $"{name} {variant} decode of {frames} frames, channel {ch}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Encode_matches_the_reference_graph(string name)
    {
        using var codecs = new Codecs(name, chunk: 9);
        var config = codecs.Reference.Config;
        foreach (var samples in new[] { 1, config.HopLength * 2 + 7, config.HopLength * 21 })
        {
            var rng = new Random(samples);
            var audio = Enumerable.Range(0, config.AudioChannels)
                .Select(c => Enumerable.Range(0, samples).Select(i => (float)(0.5 * Math.Sin(i * 0.05 * (c + 1)) + 0.1 * (rng.NextDouble() - 0.5))).ToArray())
                .ToArray();
            var expected = codecs.Reference.Encode(new ArraySampleSource(audio), keepEmbeddings: true).Embeddings!;
            foreach (var (variant, codec) in codecs.Variants)
                Close(expected, codec.Encode(new ArraySampleSource(audio), keepEmbeddings: true).Embeddings!, $"{name} {variant} encode of {samples} samples");
        }
    }

    [Theory]
    [InlineData(ConvLayout.Direct)]
    [InlineData(ConvLayout.TapStacked)]
    public void A_file_for_another_config_is_refused_naming_the_tensor(ConvLayout layout)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var file = GgufFile.Open(Model("fixture-shape"));
        var wider = EncodecMetadata.Read(file.Metadata) with { NumFilters = 8 };
        var e = Assert.Throws<ModelWeightsException>(() => new EncodecWeights(file, wider, backend, layout));
        Assert.Contains("encodec.encoder.0", e.Message);
        Assert.Contains("has shape", e.Message);
    }

    [Fact]
    public void Direct_weights_without_the_cpu_kernels_fail_clearly()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var file = GgufFile.Open(Model("fixture-shape"));
        using var weights = new EncodecWeights(file, EncodecMetadata.Read(file.Metadata), backend, ConvLayout.Direct);
        using var codec = new EncodecCodec(weights, backend) { UseCpuKernels = false };
        var e = Assert.Throws<InvalidOperationException>(() => codec.Decode([[1, 2, 3], [0, 0, 0], [4, 4, 4], [5, 6, 7]]));
        Assert.Contains("direct weights need the CPU kernels", e.Message);
    }

    [Fact]
    public void Direct_transposed_blocks_put_each_tap_where_its_output_sample_lands()
    {
        // k = 5, stride 2: taps round up to windows of 3 frames; output r = j*out + o, input q*in + i holds tap (3-1-q)*2 + j
        var t = new ConvTransposeSpec("decoder", 2, InChannels: 2, OutChannels: 9, Kernel: 5, Stride: 2);
        var columns = Enumerable.Range(0, 2 * 5 * 9).Select(i => (float)(i + 1)).ToArray();   // row o*5 + tap, column i
        var w = ConvLayouts.Direct(columns, t);
        Assert.Equal(new long[] { 16, 6, 2 }, ConvLayouts.DirectShape(t));                      // 18 outputs: two blocks of 16
        Assert.Equal(16 * 6 * 2, w.Length);
        for (var r = 0; r < 32; r++)
            for (var q = 0; q < 3; q++)
                for (var i = 0; i < 2; i++)
                {
                    var (j, o) = (r / 9, r % 9);
                    var tap = (2 - q) * 2 + j;
                    var expected = r < 18 && tap < 5 ? columns[(o * 5 + tap) * 2 + i] : 0;
                    Assert.Equal(expected, w[(r / 16 * 6 + q * 2 + i) * 16 + r % 16]);
                }
    }

    [Fact]
    public void Direct_conv_blocks_hold_every_kernel_value_once()
    {
        var conv = new ConvSpec("decoder", 1, InChannels: 3, OutChannels: 20, Kernel: 2);
        var kernel = Enumerable.Range(0, 2 * 3 * 20).Select(i => (float)(i + 1)).ToArray();      // W[o, i, k] = 1 + (o*3 + i)*2 + k
        var w = ConvLayouts.Direct(kernel, conv);
        for (var o = 0; o < 20; o++)
            for (var i = 0; i < 3; i++)
                for (var q = 0; q < 2; q++)
                    Assert.Equal(1 + (o * 3 + i) * 2 + q, w[(o / 16 * 6 + q * 3 + i) * 16 + o % 16]);
        Assert.Equal(kernel.Order(), w.Where(v => v != 0).Order());
    }

    [Fact]
    public void Tap_stacking_moves_every_kernel_value_once()
    {
        var conv = new ConvSpec("encoder", 1, InChannels: 3, OutChannels: 2, Kernel: 5, Stride: 2);
        var kernel = Enumerable.Range(0, 5 * 3 * 2).Select(i => (float)(i + 1)).ToArray();       // W[o, i, k] = 1 + (o*3 + i)*5 + k
        var stacked = TapPlan.StackConv(kernel, conv);
        var plan = TapPlan.For(conv);
        Assert.Equal((2, 3, 1), (plan.Group, plan.Taps, plan.Shift));
        Assert.Equal(TapPlan.StackedShape(conv).Aggregate(1L, (a, b) => a * b), stacked.Length);
        // row m*out + o, column kl*in + i holds W[o, i, m*2 + kl]; the sixth tap does not exist
        for (var m = 0; m < 3; m++)
            for (var o = 0; o < 2; o++)
                for (var kl = 0; kl < 2; kl++)
                    for (var i = 0; i < 3; i++)
                    {
                        var tap = m * 2 + kl;
                        var expected = tap < 5 ? 1 + (o * 3 + i) * 5 + tap : 0;
                        Assert.Equal(expected, stacked[(m * 2 + o) * 6 + kl * 3 + i]);
                    }
        Assert.Equal(kernel.Order(), stacked.Where(v => v != 0).Order());
    }
}
