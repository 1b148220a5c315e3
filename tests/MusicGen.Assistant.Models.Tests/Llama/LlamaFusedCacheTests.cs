using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using Xunit.Abstractions;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// A session with an f16 cache on the CPU attends in one fused node per layer (ggml's flash attention over the f16
/// keys and head-major values, an F16 mask: llama.cpp's layout and kernel) and gives the logits of the f32 cache's
/// path and of teacher forcing, within f16 rounding of the cached keys and values; grouped-query heads included.
/// </summary>
public class LlamaFusedCacheTests(ITestOutputHelper output)
{
    private static readonly LlamaConfig Config = new()
    {
        VocabSize = 384, ContextLength = 160, EmbeddingLength = 128, BlockCount = 2, FeedForwardLength = 256,
        HeadCount = 4, HeadCountKv = 2, HeadDim = 32, RopeDimensionCount = 32, RmsNormEps = 1e-5f,
    };

    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-llama-fused-").FullName, "f32.gguf");
        GgufConverter.Write(new LlamaRandomPlan(Config, seed: 17), path, StorageType.F32, "random llama");
        return path;
    });

    // a prompt, then steps across a 64-position step bucket (the step graph is rebuilt there)
    private static readonly int[] Tokens = Enumerable.Range(0, 90).Select(i => (i * 71 + 11) % Config.VocabSize).ToArray();

    [Fact]
    public void An_f16_cache_attends_fused_and_matches_the_f32_path()
    {
        using var backend = Cpu();
        using var model = LlamaModel.Load(Model.Value, backend);
        using var plain = model.StartSession(128);
        using var fused = model.StartSession(128, cacheType: GgmlType.F16);
        Assert.False(plain.Fused);
        Assert.True(fused.Fused);
        var forced = model.Forward(Tokens).Logits!;

        const int prompt = 40;
        var worst = 0.0;
        void Compare(float[] reference, float[] a, float[] b, string what)
        {
            var e = Math.Max(ErrorMetrics.RelativeRms(b, reference), ErrorMetrics.RelativeRms(b, a));
            worst = Math.Max(worst, e);
            Assert.True(e < 3e-3, $"{what}: the fused f16 path differs by {e:E2} (relative RMS)");
        }
        Compare(forced.AsSpan((prompt - 1) * Config.VocabSize, Config.VocabSize).ToArray(),
            plain.Prefill(Tokens[..prompt]).Logits, fused.Prefill(Tokens[..prompt]).Logits, "prefill");
        for (var p = prompt; p < Tokens.Length; p++)
            Compare(forced.AsSpan(p * Config.VocabSize, Config.VocabSize).ToArray(), plain.Step(Tokens[p]).Logits, fused.Step(Tokens[p]).Logits, $"step at {p}");
        output.WriteLine($"worst relative RMS difference of the fused f16 path: {worst:E2}");
        Assert.True(worst > 0, "an f16 cache must round something: the paths cannot be bit-identical");
    }
}
