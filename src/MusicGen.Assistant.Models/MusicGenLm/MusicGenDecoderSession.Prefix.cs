using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The melody decoder's conditioning prefix in a session: its P positions run once through every block when the
/// session starts, leaving their keys and values in the self-attention cache at slots 0..P-1 (their logits are not
/// needed: transformers and audiocraft drop them). Tokens are then fed from position P on, and the causal mask lets
/// each of them see the whole prefix.
/// </summary>
public sealed partial class MusicGenDecoderSession
{
    /// <summary>Positions taken by the conditioning prefix (a melody decoder's; 0 otherwise): the first token's position.</summary>
    public int PrefixLength { get; private set; }

    private void PrefillPrefix(MusicGenConditioning prefix)
    {
        var p = prefix.Length;
        if (p >= Capacity)
            throw new ArgumentOutOfRangeException(nameof(prefix), p, $"the conditioning prefix of {p} positions leaves no room in a session of {Capacity}");
        using var time = Timings.Measure("prefix");
        using var ctx = new GgmlContext(_decoder.GraphCapacity);
        var graph = new MusicGenDecoderGraph(ctx, _decoder.Weights);
        var g = ctx.NewGraph();
        var states = ctx.NewInput("prefix", GgmlType.F32, _c.HiddenSize, p, Rows);
        var positions = ctx.NewInput("prefix_positions", GgmlType.I32, p);
        var mask = ctx.NewInput("causal_mask", GgmlType.F32, p, p);
        SelfAttentionMemory self = (layer, k, v) =>
        {
            _self.Write(g, layer, k, v, positions);
            return (_self.Keys(ctx, layer, p), _self.ValuesTransposed(ctx, layer, p));
        };
        CrossAttentionMemory none = layer => throw new InvalidOperationException($"block {layer} of a melody decoder has no cross-attention");
        g.Expand(graph.Hidden(graph.EmbedPrefix(states, positions), self, none, mask, null));
        _decoder.Allocate(g);
        states.SetData<float>(prefix.HiddenStates);
        positions.SetData<int>(Enumerable.Range(0, p).ToArray());
        mask.SetData<float>(AttentionMasks.Causal(0, p));
        _decoder.Executor.Compute(g);
        Position = PrefixLength = p;
    }
}
