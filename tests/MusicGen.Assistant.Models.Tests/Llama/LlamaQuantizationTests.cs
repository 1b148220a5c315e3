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
/// block is about 2.5σ, so relative to the weights' RMS: f16 ~4e-4 (11 significant bits, 2^-11/√3, and its products round
/// the activations to f16 too), q8_0 ~0.6% (Δ = amax/127; its
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
        GgmlType.F16 => 4e-4,
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

    // a random model whose rows (256, 512) are whole k-quant super-blocks; the fixture's (64, 128) are not
    private static readonly LlamaConfig Wide = new()
    {
        VocabSize = 512, ContextLength = 64, EmbeddingLength = 256, BlockCount = 2, FeedForwardLength = 512,
        HeadCount = 4, HeadCountKv = 2, HeadDim = 64, RopeDimensionCount = 64, RmsNormEps = 1e-5f,
    };

    private static readonly Lazy<string> WideDirectory = new(() => Directory.CreateTempSubdirectory("mga-llama-wide-").FullName);

    private static string WideModel(StorageType t)
    {
        var path = Path.Combine(WideDirectory.Value, $"random-{StorageTypes.Name(t)}.gguf");
        if (!File.Exists(path)) GgufConverter.Write(new LlamaRandomPlan(Wide, seed: 11), path, t, "random llama");
        return path;
    }

    private static readonly int[] WideTokens = Enumerable.Range(0, 24).Select(i => (i * 37 + 5) % Wide.VocabSize).ToArray();

    private static double[] WideReference()
    {
        using var backend = Cpu();
        using var model = LlamaModel.Load(WideModel(StorageType.F32), backend);
        return model.Forward(WideTokens).Logits!.Select(x => (double)x).ToArray();
    }

    [Fact]
    public void Q4_K_logits_of_a_model_with_256_wide_rows_stay_close_to_f32()
    {
        var q4k = WideModel(StorageType.Q4_K);
        AssertMatricesAre(q4k, GgmlType.Q4_K);
        using var backend = Cpu();
        using var model = LlamaModel.Load(q4k, backend);
        var error = RelativeRms(model.Forward(WideTokens).Logits!, WideReference());
        var limit = Limit(GgmlType.Q4_K, Wide);
        output.WriteLine($"random llama q4_K: logits relative RMS error {error:E2}, limit {limit:E2}");
        Assert.True(error > 0 && error < limit, $"q4_K logits: relative RMS error {error:E2} (limit {limit:E2})");
    }

    /// <summary>
    /// The other weight types ggml's CPU backend multiplies (as llama.cpp's quantizer writes them) load and compute.
    /// Their limit uses the uniform-quantizer estimate of the remarks with b bits: 1.44σ / 2^b per stage (the range
    /// of a 32-value block spans about ±2.5σ); bf16 rounds to 8 significant bits, 2^-8/√3, weights and activations alike.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.BF16, 0)]
    [InlineData(GgmlType.Q4_1, 4)]
    [InlineData(GgmlType.Q5_0, 5)]
    [InlineData(GgmlType.Q5_1, 5)]
    [InlineData(GgmlType.Q2_K, 2)]
    [InlineData(GgmlType.Q3_K, 3)]
    [InlineData(GgmlType.Q5_K, 5)]
    [InlineData(GgmlType.Q6_K, 6)]
    public void Every_weight_type_the_cpu_multiplies_loads_and_computes(GgmlType type, int bits)
    {
        var f32 = WideModel(StorageType.F32);
        var path = GgufEdits.Rewrite(f32, $"wide-{GgmlTypeInfo.Get(type).Name}", t => t.Ne.Length != 2 ? t
            : t with { Type = type, Bytes = Quantizer.Quantize(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.Bytes), t.Ne[0], type) });
        AssertMatricesAre(path, type);
        using var backend = Cpu();
        using var model = LlamaModel.Load(path, backend);
        var error = RelativeRms(model.Forward(WideTokens).Logits!, WideReference());
        var perStage = bits == 0 ? Math.Sqrt(2) * Math.Pow(2, -8) / Math.Sqrt(3) : 1.44 / Math.Pow(2, bits);
        var limit = 1.5 * perStage * Math.Sqrt(2 + 2 * Wide.BlockCount);
        output.WriteLine($"random llama {GgmlTypeInfo.Get(type).Name}: logits relative RMS error {error:E2}, limit {limit:E2}");
        Assert.True(error > 0 && error < limit, $"{GgmlTypeInfo.Get(type).Name} logits: relative RMS error {error:E2} (limit {limit:E2})");
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
