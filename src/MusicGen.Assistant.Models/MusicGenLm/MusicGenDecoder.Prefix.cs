using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicGen-Melody's way of conditioning: no cross-attention; the conditioning states [chroma | text] are prepended to
/// the token embeddings as P extra positions (transformers' MusicgenMelodyDecoder concatenates them to inputs_embeds;
/// audiocraft's ConditionFuser "prepend"). The prefix takes sinusoidal positions 0..P-1 and the causal mask like any
/// other position, so it is not bidirectional; the tokens start at position P.
/// </summary>
public sealed partial class MusicGenDecoder
{
    /// <summary>Positions the conditioning takes ahead of the tokens: its length on a melody decoder, else 0.</summary>
    public int PrefixLength(MusicGenConditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        return Config.IsMelody ? conditioning.Length : 0;
    }

    // transformers 4.40.2 (what the fixtures record) and audiocraft put no mask on the prefix: padded text positions are
    // zero vectors that still take attention. A masked position here would mean a caller expected masking we do not do.
    private void CheckPrefix(MusicGenConditioning c)
    {
        var blocked = Array.IndexOf(c.Keep, false);
        if (blocked >= 0)
            throw new ArgumentException(
                $"conditioning position {blocked % c.Length} of row {blocked / c.Length} is masked, but a melody decoder attends to every prefix position " +
                "(padded text positions are zero vectors, unmasked, as in transformers 4.40.2 and audiocraft); build the prefix with MelodyConditioning", "conditioning");
        if (c.Length <= Config.ChromaLength)
            throw new ArgumentException(
                $"the melody prefix has {c.Length} positions; it must hold chroma_length {Config.ChromaLength} chroma frames and at least one text position " +
                "(build it with MelodyConditioning)", "conditioning");
    }

    private float[] ForwardWithPrefix(int[,] ids, int rows, int n, MusicGenConditioning prefix)
    {
        var p = prefix.Length;
        if (p + n > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{p} prefix + {n} token positions exceed max_position_embeddings {Config.MaxPositionEmbeddings}", nameof(ids));
        var build = Timings.Measure("build");
        using var ctx = new GgmlContext(GraphCapacity);
        var graph = new MusicGenDecoderGraph(ctx, _weights);
        var inputs = new DecoderInputs(ctx, Config, rows, n, keys: p + n, withMask: false);
        var states = ctx.NewInput("prefix", GgmlType.F32, Config.HiddenSize, p, rows);
        var prefixPositions = ctx.NewInput("prefix_positions", GgmlType.I32, p);
        var mask = ctx.NewInput("causal_mask", GgmlType.F32, p + n, p + n);
        var x = ctx.Concat(graph.EmbedPrefix(states, prefixPositions), graph.Embed(inputs.Tokens, inputs.Positions, rows), 1);
        var (self, noCross) = graph.Uncached(states); // melody blocks never call the cross memory
        var hidden = graph.Hidden(x, self, noCross, mask, null);
        var logits = ctx.MarkOutput(graph.Logits(hidden));
        var g = ctx.NewGraph().Expand(logits);
        build.Dispose();

        using (Timings.Measure("allocate")) Allocate(g);
        using (Timings.Measure("upload"))
        {
            inputs.Upload(ids, p);
            states.SetData<float>(prefix.HiddenStates);
            prefixPositions.SetData<int>(Enumerable.Range(0, p).ToArray());
            mask.SetData<float>(AttentionMasks.Causal(0, p + n));
        }
        using (Timings.Measure("compute")) Executor.Compute(g);
        using (Timings.Measure("download")) return logits.ToFloatArray();
    }
}
