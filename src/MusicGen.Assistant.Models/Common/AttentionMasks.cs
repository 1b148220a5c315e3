namespace MusicGen.Assistant.Models;

/// <summary>
/// Host-side additive attention masks in the layouts <see cref="MultiHeadAttention.Attend"/> takes (row-major
/// [.., n, n_kv], n_kv fastest). Blocked cells hold float.MinValue, transformers' finfo(float32).min, not -inf: a
/// row with every key blocked then softmaxes to a uniform row (as in PyTorch) instead of NaN.
/// </summary>
public static class AttentionMasks
{
    public const float Open = 0f;
    public const float Blocked = float.MinValue;

    /// <summary>
    /// Causal mask for <paramref name="count"/> queries at positions start.. over keys 0..start+count-1:
    /// [count, start + count], query i sees keys j ≤ start + i.
    /// </summary>
    public static float[] Causal(int start, int count) => Causal(start, count, start + count);

    /// <summary>
    /// The causal mask over <paramref name="keys"/> ≥ start + count keys, [count, keys]: keys past the last query
    /// (cache slots not written yet) are blocked too, so a graph may read a longer, padded key range.
    /// </summary>
    public static float[] Causal(int start, int count, int keys)
    {
        var mask = new float[(long)count * keys];
        FillCausal(mask, start, count, keys);
        return mask;
    }

    /// <summary><see cref="Causal(int, int, int)"/> into a caller's buffer of count · keys values.</summary>
    public static void FillCausal(Span<float> mask, int start, int count, int keys)
    {
        if (start < 0 || count < 1 || keys < start + count)
            throw new ArgumentOutOfRangeException(nameof(count), $"causal mask for {count} queries from position {start} over {keys} keys");
        if (mask.Length != (long)count * keys)
            throw new ArgumentException($"mask buffer holds {mask.Length} values, expected {count} x {keys}", nameof(mask));
        for (var i = 0; i < count; i++)
        {
            var row = mask.Slice(i * keys, keys);
            row[..(start + i + 1)].Fill(Open);
            row[(start + i + 1)..].Fill(Blocked);
        }
    }

    /// <summary>
    /// Key-padding mask per row for cross-attention: <paramref name="keep"/> [rows, length] (true = attend) repeated
    /// for <paramref name="queries"/> queries, as [rows, 1, queries, length]. Null when every key of every row is kept
    /// (no mask needed).
    /// </summary>
    public static float[]? KeyPadding(ReadOnlySpan<bool> keep, int rows, int length, int queries)
    {
        if (rows < 1 || length < 1 || queries < 1 || keep.Length != rows * length)
            throw new ArgumentException($"key-padding mask of {keep.Length} values is not [{rows} rows, {length} keys] (for {queries} queries)");
        if (!keep.Contains(false)) return null;
        var mask = new float[(long)rows * queries * length];
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < queries; i++)
                for (var j = 0; j < length; j++)
                    mask[((long)r * queries + i) * length + j] = keep[r * length + j] ? Open : Blocked;
        return mask;
    }

    /// <summary>
    /// Uploads a mask into an F16 input (the fused attention's mask): 0 stays 0, <see cref="Blocked"/> becomes -inf.
    /// </summary>
    public static void SetHalf(Native.Tensor mask, ReadOnlySpan<float> values)
    {
        var halves = values.Length <= 4096 ? stackalloc Half[values.Length] : new Half[values.Length];
        for (var i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
        mask.SetData<Half>(halves);
    }
}
