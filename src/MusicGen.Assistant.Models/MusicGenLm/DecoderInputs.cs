using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The per-call inputs of a decoder graph for n queries over a key range of <see cref="Keys"/> positions: token ids
/// per codebook {n · rows}, position ids {n} (also the cache slots the step writes) and, when asked, the causal mask
/// {keys, n}. The first position is an upload argument, so a graph built once can serve many steps.
/// </summary>
internal sealed class DecoderInputs
{
    private readonly int _rows, _length, _codebooks;
    private readonly int[] _tokens;
    private readonly int[] _positions;
    private readonly float[]? _mask;

    /// <param name="maskType">F32, or F16 for the fused attention over an f16 cache (0 stays 0, the blocking value becomes -inf).</param>
    public DecoderInputs(GgmlContext ctx, MusicGenDecoderConfig config, int rows, int length, int keys, bool withMask, GgmlType maskType = GgmlType.F32)
    {
        if (maskType is not (GgmlType.F32 or GgmlType.F16)) throw new ArgumentOutOfRangeException(nameof(maskType), maskType, "the mask is F32 or F16");
        (_rows, _length, _codebooks, Keys) = (rows, length, config.NumCodebooks, keys);
        Tokens = Enumerable.Range(0, config.NumCodebooks)
            .Select(k => ctx.NewInput($"tokens.{k}", GgmlType.I32, (long)length * rows)).ToArray();
        Positions = ctx.NewInput("positions", GgmlType.I32, length);
        if (withMask)
        {
            CausalMask = ctx.NewInput("causal_mask", maskType, keys, length);
            _mask = new float[(long)keys * length];
        }
        _tokens = new int[length * rows];
        _positions = new int[length];
    }

    public int Keys { get; }

    /// <summary>Queries per row (positions fed by one call).</summary>
    public int Length => _length;
    public IReadOnlyList<Tensor> Tokens { get; }
    public Tensor Positions { get; }
    public Tensor? CausalMask { get; }

    /// <summary>Uploads ids [rows · K, n] (already range-checked) for positions start.., and the mask.</summary>
    public void Upload(int[,] ids, int start)
    {
        for (var k = 0; k < _codebooks; k++)
        {
            for (var r = 0; r < _rows; r++)
                for (var j = 0; j < _length; j++)
                    _tokens[r * _length + j] = ids[r * _codebooks + k, j];
            Tokens[k].SetData<int>(_tokens);
        }
        UploadPositions(start);
    }

    /// <summary>Uploads one token per row and codebook, [rows · K] (already range-checked), at position start.</summary>
    public void Upload(ReadOnlySpan<int> tokens, int start)
    {
        for (var k = 0; k < _codebooks; k++)
        {
            for (var r = 0; r < _rows; r++) _tokens[r] = tokens[r * _codebooks + k];
            Tokens[k].SetData<int>(_tokens.AsSpan(0, _rows));
        }
        UploadPositions(start);
    }

    private void UploadPositions(int start)
    {
        if (start < 0 || start + _length > Keys)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"positions [{start}, {start + _length}) outside the graph's {Keys} keys");
        for (var j = 0; j < _length; j++) _positions[j] = start + j;
        Positions.SetData<int>(_positions);
        if (CausalMask is { } m && _mask is { } mask)
        {
            AttentionMasks.FillCausal(mask, start, _length, Keys);
            if (m.Type == GgmlType.F16) AttentionMasks.SetHalf(m, mask);
            else m.SetData<float>(mask);
        }
    }
}
