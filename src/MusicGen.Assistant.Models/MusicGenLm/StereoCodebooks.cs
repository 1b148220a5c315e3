namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The stereo codebook layout of MusicGen's stereo models: the mono EnCodec codes the left and right channels
/// separately and the LM sees the 2K codebooks interleaved [L0, R0, L1, R1, ...] (row 2q + c = quantizer q of channel
/// c). Left and right of one quantizer share that quantizer's delay.
/// </summary>
public static class StereoCodebooks
{
    /// <summary>
    /// Per-channel delays doubled for the interleaved order: [0, 1, 2, 3] gives [0, 0, 1, 1, 2, 2, 3, 3] (the released
    /// "stereo delay"), [0, 1, 1, 1] gives [0, 0, 1, 1, 1, 1, 1, 1].
    /// </summary>
    public static int[] InterleaveDelays(IReadOnlyList<int> perChannelDelays)
    {
        ArgumentNullException.ThrowIfNull(perChannelDelays);
        if (perChannelDelays.Count == 0)
            throw new ArgumentException("no per-channel delays given", nameof(perChannelDelays));
        return perChannelDelays.SelectMany(d => new[] { d, d }).ToArray();
    }

    /// <summary>Interleaves left and right codes [K, T] into [2K, T] in the order [L0, R0, L1, R1, ...].</summary>
    public static int[,] Interleave(int[,] left, int[,] right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.GetLength(0) != right.GetLength(0) || left.GetLength(1) != right.GetLength(1))
            throw new ArgumentException(
                $"left codes are [{left.GetLength(0)}, {left.GetLength(1)}] but right codes are [{right.GetLength(0)}, {right.GetLength(1)}]",
                nameof(right));
        var (k, t) = (left.GetLength(0), left.GetLength(1));
        var both = new int[2 * k, t];
        for (var q = 0; q < k; q++)
            for (var i = 0; i < t; i++)
            {
                both[2 * q, i] = left[q, i];
                both[2 * q + 1, i] = right[q, i];
            }
        return both;
    }

    /// <summary>Splits interleaved codes [2K, T] back into left (even rows) and right (odd rows), each [K, T].</summary>
    public static (int[,] Left, int[,] Right) Split(int[,] interleaved)
    {
        ArgumentNullException.ThrowIfNull(interleaved);
        var (rows, t) = (interleaved.GetLength(0), interleaved.GetLength(1));
        if (rows == 0 || rows % 2 != 0)
            throw new ArgumentException($"interleaved stereo codes need an even, non-zero number of codebooks, got {rows}", nameof(interleaved));
        var left = new int[rows / 2, t];
        var right = new int[rows / 2, t];
        for (var q = 0; q < rows / 2; q++)
            for (var i = 0; i < t; i++)
            {
                left[q, i] = interleaved[2 * q, i];
                right[q, i] = interleaved[2 * q + 1, i];
            }
        return (left, right);
    }
}
