using System.Buffers;
using System.Numerics;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The logit filters of transformers' sampling chain, one row at a time and in place: a filtered token's logit becomes
/// -inf, so its probability after softmax is exactly 0. Applied in transformers' order: temperature, top-k, top-p.
/// Rows must not hold NaN or +inf (a clear error, since softmax would turn them into NaN probabilities); -inf is a
/// token already filtered out.
/// </summary>
public static class LogitsWarpers
{
    /// <summary>TemperatureLogitsWarper: logits / temperature (float32, as transformers divides).</summary>
    public static void ApplyTemperature(Span<float> logits, float temperature)
    {
        if (!float.IsFinite(temperature) || temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be a positive finite number");
        CheckRow(logits);
        for (var i = 0; i < logits.Length; i++) logits[i] /= temperature;
    }

    /// <summary>
    /// TopKLogitsWarper: removes every logit below the k-th largest. Ties with the k-th largest are all kept, so more
    /// than k tokens can survive. k ≥ the vocabulary keeps everything.
    /// </summary>
    public static void ApplyTopK(Span<float> logits, int topK)
    {
        if (topK < 1)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k must keep at least one token");
        CheckRow(logits);
        if (topK >= logits.Length) return;
        var scratch = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            var row = scratch.AsSpan(0, logits.Length);
            logits.CopyTo(row);
            // a selection, not a sort: only the k-th largest value matters (O(n) instead of O(n log n) per row)
            var threshold = KthLargest(row, topK);
            for (var i = 0; i < logits.Length; i++)
                if (logits[i] < threshold) logits[i] = float.NegativeInfinity;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The k-th largest value of <paramref name="values"/> (k = 1: the maximum), reordering them; the values must not
    /// hold NaN (rows are checked by <see cref="CheckRow"/> first). Quickselect with a
    /// median-of-three pivot; after too many rounds (an adversarial order) the remaining range is sorted instead.
    /// </summary>
    public static float KthLargest(Span<float> values, int k)
    {
        if (k < 1 || k > values.Length)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {values.Length}]");
        var target = values.Length - k; // its index in ascending order
        int lo = 0, hi = values.Length - 1;
        for (var rounds = 0; hi - lo > 16; rounds++)
        {
            if (rounds > 64)
            {
                values[lo..(hi + 1)].Sort();
                return values[target];
            }
            var mid = lo + (hi - lo) / 2;
            // order lo, mid, hi so that the pivot (at mid) is their median and the ends are sentinels
            if (values[mid] < values[lo]) Swap(values, mid, lo);
            if (values[hi] < values[lo]) Swap(values, hi, lo);
            if (values[hi] < values[mid]) Swap(values, hi, mid);
            var pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) Swap(values, i++, j--);
            }
            // [lo, j] ≤ pivot ≤ [i, hi]; anything strictly between j and i equals the pivot
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return values[target];
        }
        values[lo..(hi + 1)].Sort();
        return values[target];
    }

    private static void Swap(Span<float> v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);

    /// <summary>
    /// TopPLogitsWarper: sorts ascending, takes the cumulative softmax and removes every token whose cumulative
    /// probability is ≤ 1 - topP, never the <paramref name="minTokensToKeep"/> largest. What survives is the smallest
    /// set of top tokens holding more than topP of the mass.
    /// </summary>
    /// <remarks>
    /// Equal logits are ordered so that the lower token id counts as the larger one (as argmax's first-max rule);
    /// torch leaves the order of ties unspecified, so only a cut falling inside a tie can differ from it.
    /// </remarks>
    public static void ApplyTopP(Span<float> logits, float topP, int minTokensToKeep = 1)
    {
        if (!(topP >= 0 && topP <= 1))
            throw new ArgumentOutOfRangeException(nameof(topP), topP, "top-p must be in [0, 1]");
        if (minTokensToKeep < 1)
            throw new ArgumentOutOfRangeException(nameof(minTokensToKeep), minTokensToKeep, "must keep at least one token");
        CheckRow(logits);
        var n = logits.Length;
        var keys = ArrayPool<float>.Shared.Rent(n);
        var order = ArrayPool<int>.Shared.Rent(n);
        try
        {
            SortAscending(logits, keys.AsSpan(0, n), order.AsSpan(0, n));
            var max = keys[n - 1];
            if (float.IsNegativeInfinity(max))
                throw new ArgumentException("every logit of the row is -inf: nothing left to keep", nameof(logits));
            var total = 0.0;
            for (var i = 0; i < n; i++) total += Math.Exp(keys[i] - max);
            var removeUpTo = 1.0 - topP;
            var cumulative = 0.0;
            for (var i = 0; i < n - minTokensToKeep; i++)
            {
                cumulative += Math.Exp(keys[i] - max) / total;
                if (cumulative > removeUpTo) break; // cumulative only grows: nothing further is removed
                logits[order[i]] = float.NegativeInfinity;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    /// <summary>softmax(logits) into <paramref name="probabilities"/>, accumulated in double; -inf gives exactly 0.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"probabilities hold {probabilities.Length} values for {logits.Length} logits", nameof(probabilities));
        CheckRow(logits);
        var max = float.NegativeInfinity;
        foreach (var x in logits) max = Math.Max(max, x);
        if (float.IsNegativeInfinity(max))
            throw new ArgumentException("every logit of the row is -inf: no distribution to normalise", nameof(logits));
        // filtered tokens (-inf) contribute exactly 0: skipping their exp changes no sum and saves most of the work
        // after a top-k filter
        var total = 0.0;
        foreach (var x in logits)
            if (x != float.NegativeInfinity) total += Math.Exp(x - max);
        for (var i = 0; i < logits.Length; i++)
            probabilities[i] = logits[i] == float.NegativeInfinity ? 0f : (float)(Math.Exp(logits[i] - max) / total);
    }

    /// <summary>Rejects an empty row, NaN and +inf, naming the index.</summary>
    public static void CheckRow(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 0) throw new ArgumentException("the logits row is empty", nameof(logits));
        // valid ⇔ x < +inf (NaN and +inf both fail the comparison): checked a vector at a time, the index found after
        if (AllBelowInfinity(logits)) return;
        for (var i = 0; i < logits.Length; i++)
            if (float.IsNaN(logits[i]) || float.IsPositiveInfinity(logits[i]))
                throw new ArgumentException($"logit {i} of {logits.Length} is {logits[i]}: the model output is not a valid score", nameof(logits));
    }

    private static bool AllBelowInfinity(ReadOnlySpan<float> row)
    {
        var i = 0;
        var limit = new Vector<float>(float.PositiveInfinity);
        for (; i + Vector<float>.Count <= row.Length; i += Vector<float>.Count)
            if (!Vector.LessThanAll(new Vector<float>(row[i..]), limit)) return false;
        for (; i < row.Length; i++)
            if (!(row[i] < float.PositiveInfinity)) return false;
        return true;
    }

    // ascending by value; among equal values the higher token id first, so the lower id ends up "larger"
    private static void SortAscending(ReadOnlySpan<float> logits, Span<float> keys, Span<int> order)
    {
        logits.CopyTo(keys);
        for (var i = 0; i < order.Length; i++) order[i] = i;
        keys.Sort(order);
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1)
            {
                var run = order[start..end];
                run.Sort();
                run.Reverse();
            }
            start = end;
        }
    }
}
