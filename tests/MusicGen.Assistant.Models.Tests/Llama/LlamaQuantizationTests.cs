using Xunit.Abstractions;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// Quantized conversions run and stay close to f32, measured as the relative RMS error of the logits
/// (‖ours − reference‖ / ‖reference‖ over every position and token), not as "mostly the same greedy tokens".
/// </summary>
/// <remarks>
/// Bounds. A block quantizer with step Δ errs by Δ/√12 per weight; for Gaussian weights the largest |w| of a 32-value
/// block is about 2.5σ, so relative to the weights' RMS: f16 ~3e-4 (11-bit mantissa), q8_0 ~0.6% (Δ = amax/127; its
/// products also round the activations to 8 bits: ~0.8% together), q4_0 ~9% (Δ = amax/8), q4_K ~7% (4 bits over
/// each 32-value sub-block's min..max, searched scales). Each quantized stage the residual stream carries to the
/// logits (the embedding, each block's attention and feed-forward outputs, the head) adds such an independent error,
/// so the logits err by about that figure times √stages (√6 for two blocks: q4_0's measured 0.196 = 0.08·2.45). The
/// limit is 1.5 times the estimate. A zero error would mean the weights were not quantized at all.
/// </remarks>
public class LlamaQuantizationTests(ITestOutputHelper output)
{
    // per-stage relative RMS error of each type (see remarks)
    private static double PerStage(GgmlType t) => t switch
    {
        GgmlType.F16 => 3e-4,
        GgmlType.Q8_0 => 0.008,
        GgmlType.Q4_0 => 0.09,
        GgmlType.Q4_K => 0.07,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    private static double Limit(GgmlType t, LlamaConfig c) => 1.5 * PerStage(t) * Math.Sqrt(2 + 2 * c.BlockCount);

    [Theory]
    [InlineData(StorageType.F16, GgmlType.F16)]
    [InlineData(StorageType.Q8_0, GgmlType.Q8_0)]
    [InlineData(StorageType.Q4_0, GgmlType.Q4_0)]
    public void Converted_fixture_logits_stay_close_to_the_reference(StorageType storage, GgmlType type)
    {
        var set = First();
        var ids = Ints(set.Vector("input_ids"));
        var path = Gguf(set, storage);
        AssertMatricesAre(path, type);
        using var backend = Cpu();
        using var model = LlamaModel.Load(path, backend);
        var limit = Limit(type, model.Config);
        var error = RelativeRms(model.Forward(ids).Logits!, set.Vector("logits").Values());
        output.WriteLine($"{set.Name} {StorageTypes.Name(storage)}: logits relative RMS error {error:E2}, limit {limit:E2}");
        Assert.True(error > 0 && error < limit, $"{StorageTypes.Name(storage)} logits: relative RMS error {error:E2} (limit {limit:E2})");
    }

    [Fact]
    public void Q4_K_logits_of_a_model_with_256_wide_rows_stay_close_to_f32()
    {
        // the fixture's rows (64, 128) are not whole 256-value super-blocks; a random model's are
        var config = new LlamaConfig
        {
            VocabSize = 512, ContextLength = 64, EmbeddingLength = 256, BlockCount = 2, FeedForwardLength = 512,
            HeadCount = 4, HeadCountKv = 2, HeadDim = 64, RopeDimensionCount = 64, RmsNormEps = 1e-5f,
        };
        var dir = Directory.CreateTempSubdirectory("mga-llama-q4k-").FullName;
        var plan = new LlamaRandomPlan(config, seed: 11);
        string Write(StorageType t)
        {
            var path = Path.Combine(dir, $"random-{StorageTypes.Name(t)}.gguf");
            GgufConverter.Write(plan, path, t, "random llama");
            return path;
        }
        var f32 = Write(StorageType.F32);
        var q4k = Write(StorageType.Q4_K);
        AssertMatricesAre(q4k, GgmlType.Q4_K);
        var ids = Enumerable.Range(0, 24).Select(i => (i * 37 + 5) % config.VocabSize).ToArray();
        using var backend = Cpu();
        float[] Logits(string path)
        {
            using var model = LlamaModel.Load(path, backend);
            return model.Forward(ids).Logits!;
        }
        var reference = Logits(f32).Select(x => (double)x).ToArray();
        var error = RelativeRms(Logits(q4k), reference);
        var limit = Limit(GgmlType.Q4_K, config);
        output.WriteLine($"random llama q4_K: logits relative RMS error {error:E2}, limit {limit:E2}");
        Assert.True(error > 0 && error < limit, $"q4_K logits: relative RMS error {error:E2} (limit {limit:E2})");
    }

    private static void AssertMatricesAre(string path, GgmlType type)
    {
        using var file = GgufFile.Open(path);
        var matrices = file.Tensors.Where(t => t.Ne.Length == 2).ToList();
        Assert.NotEmpty(matrices);
        Assert.All(matrices, t => Assert.Equal(type, t.Type));
    }

    private static double RelativeRms(float[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff / norm);
    }
}
