using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using Xunit.Abstractions;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// Block and head matrices kept repacked for the CPU's kernels (where ggml repacks their type on this CPU: q4_0 on
/// AVX2) give the logits the plain layout gives, teacher-forced (matrix-matrix kernels) and step by step from the
/// cache (matrix-vector kernels); both paths quantize the activations to q8_0 alike, so they differ only by the
/// order of float sums. A repacked weight cannot be read back or written in part.
/// </summary>
public class LlamaRepackTests(ITestOutputHelper output)
{
    private static readonly LlamaConfig Config = new()
    {
        VocabSize = 512, ContextLength = 64, EmbeddingLength = 256, BlockCount = 2, FeedForwardLength = 512,
        HeadCount = 4, HeadCountKv = 2, HeadDim = 64, RopeDimensionCount = 64, RmsNormEps = 1e-5f,
    };

    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-llama-repack-").FullName, "q4_0.gguf");
        GgufConverter.Write(new LlamaRandomPlan(Config, seed: 13), path, StorageType.Q4_0, "random llama");
        return path;
    });

    private static readonly int[] Tokens = Enumerable.Range(0, 20).Select(i => (i * 53 + 7) % Config.VocabSize).ToArray();

    [Fact]
    public void Repacked_matrices_give_the_plain_layouts_logits()
    {
        using var backend = Cpu();
        using var repacked = LlamaModel.Load(Model.Value, backend);
        using var plain = LlamaModel.Load(Model.Value, backend, repackMatrices: false);
        var takes = CpuRepack.Takes(backend, GgmlType.Q4_0, [Config.EmbeddingLength, Config.FeedForwardLength]);
        output.WriteLine($"q4_0 repacked on this CPU: {takes}; repacked bytes {repacked.Weights.RepackedBytes} of {repacked.Weights.ResidentBytes}");
        Assert.Equal(0, plain.Weights.RepackedBytes);
        // every block matrix and the head (7 per block + 1) when ggml repacks q4_0 here; none otherwise
        Assert.Equal(takes, repacked.Weights.RepackedBytes > 0);
        if (takes) Assert.True(repacked.Weights.Layers.All(l => LlamaWeights.Projections(l).All(p => p.Base.Weight.IsRepacked)) && repacked.Weights.Output.IsRepacked);
        Assert.False(repacked.Weights.TokenEmbedding.IsRepacked); // gathered by token: never repacked

        var expected = plain.Forward(Tokens).Logits!;
        var forced = repacked.Forward(Tokens).Logits!;
        AssertClose(expected, forced, "teacher-forced");

        using var a = plain.StartSession(32);
        using var b = repacked.StartSession(32);
        AssertClose(a.Prefill(Tokens[..5]).Logits, b.Prefill(Tokens[..5]).Logits, "prefill");
        foreach (var t in Tokens[5..12]) AssertClose(a.Step(t).Logits, b.Step(t).Logits, $"step {t}");
    }

    [Fact]
    public void A_repacked_weight_is_neither_read_back_nor_written_in_part()
    {
        using var backend = Cpu();
        using var model = LlamaModel.Load(Model.Value, backend);
        var w = model.Weights.Layers[0].FeedForward.Up.Base.Weight;
        if (!w.IsRepacked)
        {
            output.WriteLine("q4_0 is not repacked on this CPU: nothing to refuse");
            return;
        }
        var read = Assert.Throws<GgmlException>(() => w.GetData<byte>(new byte[32]));
        Assert.Contains(w.Name, read.Message);
        Assert.Contains("repacked", read.Message);
        Assert.Throws<GgmlException>(() => w.SetData<byte>(new byte[18]));
        using var ctx = new GgmlContext(4);
        var x = ctx.NewTensor(GgmlType.F32, Config.EmbeddingLength, 1, 1, 2);
        Assert.Contains("repacked", Assert.Throws<GgmlException>(() => ctx.MulMat(w, x)).Message);
    }

    private void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        var relative = Math.Sqrt(diff / norm);
        output.WriteLine($"{what}: relative RMS difference {relative:E2}");
        Assert.True(relative < 1e-5, $"{what}: repacked logits differ from the plain layout's by {relative:E2} (relative RMS)");
    }
}
