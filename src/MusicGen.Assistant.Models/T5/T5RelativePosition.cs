namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// T5's relative position buckets (transformers' <c>T5Attention._relative_position_bucket</c>, bidirectional as in the
/// encoder): offsets key - query map to num_buckets/2 buckets per direction, the first half exact, the rest spaced
/// logarithmically up to max_distance, beyond which everything shares the last bucket. Positive offsets use the upper
/// half. The log is taken in float32 exactly as PyTorch does, so bucket edges (e.g. offset 64 → +6) agree.
/// These depend only on the sequence length, so they are computed here on the host and the graph gathers the learned
/// bias with them.
/// </summary>
public static class T5RelativePosition
{
    /// <summary>The bucket of one offset (key position - query position).</summary>
    public static int Bucket(int relativePosition, int numBuckets, int maxDistance)
    {
        if (numBuckets < 4) throw new ArgumentOutOfRangeException(nameof(numBuckets), numBuckets, "at least 4 buckets (2 per direction)");
        var half = numBuckets / 2;
        var bucket = relativePosition > 0 ? half : 0;
        var distance = Math.Abs((long)relativePosition);
        var maxExact = half / 2;
        if (distance < maxExact) return bucket + (int)distance;
        if (maxDistance <= maxExact) throw new ArgumentOutOfRangeException(nameof(maxDistance), maxDistance, $"must exceed the {maxExact} exact buckets");
        // torch: max_exact + (log(n.float() / max_exact) / math.log(max_distance / max_exact) * (half - max_exact)).long()
        var ratio = MathF.Log((float)distance / maxExact) / (float)Math.Log(maxDistance / (double)maxExact);
        var large = maxExact + (long)(ratio * (half - maxExact));
        return bucket + (int)Math.Min(large, half - 1);
    }

    /// <summary>
    /// Buckets of every (query, key) pair of a sequence, query-major: element [q * length + k] is the bucket of k - q.
    /// </summary>
    public static int[] Grid(int length, int numBuckets, int maxDistance)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "the sequence must not be empty");
        // the bucket depends only on k - q: compute each of the 2L-1 offsets once
        var byOffset = new int[2 * length - 1];
        for (var d = -(length - 1); d < length; d++) byOffset[d + length - 1] = Bucket(d, numBuckets, maxDistance);
        var grid = new int[checked(length * length)];
        for (var q = 0; q < length; q++)
            for (var k = 0; k < length; k++)
                grid[q * length + k] = byOffset[k - q + length - 1];
        return grid;
    }
}
