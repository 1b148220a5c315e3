using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using Xunit.Sdk;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// RoPE in the mode the original uses: ggml's rotation against a hand-computed one, the Hugging Face row permutation
/// against rotate_half, and the whole model: converted without undoing the permutation, llama-tiny must NOT match.
/// </summary>
public class RotaryEmbeddingTests
{
    private const int HeadDim = 16, Heads = 3;
    private static readonly int[] Positions = [0, 1, 7, 100, 300];

    [Theory]
    [InlineData(RopeMode.Normal)]
    [InlineData(RopeMode.NeoX)]
    public void Ggml_rotation_equals_the_hand_computed_one(RopeMode mode)
    {
        var rope = new RotaryEmbedding(HeadDim, mode, 10000f);
        var x = Random(HeadDim * Heads * Positions.Length, seed: 3);
        var actual = RunRope(rope, x);
        var expected = (float[])x.Clone();
        for (var t = 0; t < Positions.Length; t++)
            for (var h = 0; h < Heads; h++)
                rope.ApplyReference(expected.AsSpan((t * Heads + h) * HeadDim, HeadDim), Positions[t]);
        for (var i = 0; i < x.Length; i++) Assert.Equal(expected[i], actual[i], 2e-4f);

        // the other pairing is a different rotation: this test can tell the modes apart
        var other = RunRope(rope with { Mode = mode == RopeMode.Normal ? RopeMode.NeoX : RopeMode.Normal }, x);
        Assert.True(other.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) > 0.1f);
    }

    [Fact]
    public void Undoing_the_hugging_face_permutation_turns_rotate_half_into_adjacent_pair_rotation()
    {
        // a head's q rows as transformers holds them; rotate_half on them = normal RoPE on Meta's rows, reordered
        var hf = Random(HeadDim * Heads, seed: 5);
        var meta = LlamaCheckpointPlan.UnpermuteRotaryRows(hf, Heads, HeadDim);
        var neox = new RotaryEmbedding(HeadDim, RopeMode.NeoX, 10000f);
        var normal = neox with { Mode = RopeMode.Normal };
        foreach (var p in Positions)
            for (var h = 0; h < Heads; h++)
            {
                var a = hf.AsSpan(h * HeadDim, HeadDim).ToArray();
                var b = meta.AsSpan(h * HeadDim, HeadDim).ToArray();
                neox.ApplyReference(a, p);
                normal.ApplyReference(b, p);
                var back = LlamaParityTests.ToHuggingFaceRows(b, HeadDim);
                for (var i = 0; i < HeadDim; i++) Assert.Equal(a[i], back[i], 1e-5f);
            }
        Assert.NotEqual(hf, meta);
    }

    [Fact]
    public void Without_undoing_the_permutation_the_logits_do_not_match()
    {
        var set = First();
        var ids = Ints(set.Vector("input_ids"));
        var expected = set.Vector("logits");
        using var backend = Cpu();
        using (var right = LlamaModel.Load(Gguf(set), backend))
            ToleranceAssert.Matches(expected, D(right.Forward(ids).Logits!));
        using var wrong = LlamaModel.Load(Gguf(set, layout: QueryKeyLayout.Meta), backend);
        Assert.Throws<XunitException>(() => ToleranceAssert.Matches(expected, D(wrong.Forward(ids).Logits!)));
    }

    private static float[] RunRope(RotaryEmbedding rope, float[] x)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var ctx = new GgmlContext(16);
        var input = ctx.NewInput("x", GgmlType.F32, HeadDim, Heads, Positions.Length);
        var positions = ctx.NewInput("positions", GgmlType.I32, Positions.Length);
        var y = ctx.MarkOutput(rope.Apply(ctx, input, positions));
        var g = ctx.NewGraph().Expand(y);
        using var executor = new GraphExecutor(backend, 64);
        executor.Allocate(g);
        input.SetData<float>(x);
        positions.SetData<int>(Positions);
        executor.Compute(g);
        return y.ToFloatArray();
    }

    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }
}
