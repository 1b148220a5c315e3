using System.Buffers;

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
        var sorted = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            var row = sorted.AsSpan(0, logits.Length);
            logits.CopyTo(row);
            row.Sort();
            var threshold = row[logits.Length - topK];
            for (var i = 0; i < logits.Length; i++)
                if (logits[i] < threshold) logits[i] = float.NegativeInfinity;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sorted);
        }
    }

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
        var total = 0.0;
        foreach (var x in logits) total += Math.Exp(x - max);
        for (var i = 0; i < logits.Length; i++) probabilities[i] = (float)(Math.Exp(logits[i] - max) / total);
    }

    /// <summary>Rejects an empty row, NaN and +inf, naming the index.</summary>
    public static void CheckRow(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 0) throw new ArgumentException("the logits row is empty", nameof(logits));
        for (var i = 0; i < logits.Length; i++)
            if (float.IsNaN(logits[i]) || float.IsPositiveInfinity(logits[i]))
                throw new ArgumentException($"logit {i} of {logits.Length} is {logits[i]}: the model output is not a valid score", nameof(logits));
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
