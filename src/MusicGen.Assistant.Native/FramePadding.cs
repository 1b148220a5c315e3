namespace MusicGen.Assistant.Native;

/// <summary>
/// Padding of a sequence of frames (columns of a channels-first {channels, time} tensor): zeros, or reflection as
/// PyTorch's F.pad(mode="reflect") with transformers' rule for short inputs (when the input is not longer than the
/// padding it is first extended with zeros on the right, reflected, and the extension dropped again). <see cref="Tail"/>
/// more zero frames may follow the right padding (room that a grouped strided convolution reads with zero taps).
/// </summary>
public readonly record struct FramePadding(int Left, int Right, bool Reflect, int Tail = 0)
{
    public static FramePadding None => new(0, 0, false);
    public bool IsNone => Left == 0 && Right == 0 && Tail == 0;

    /// <summary>Frames added in all.</summary>
    public int Total => Left + Right + Tail;

    /// <summary>The input frame that padded frame <paramref name="j"/> copies, or -1 for a zero frame.</summary>
    public long SourceFrame(long j, long length)
    {
        var p = j - Left;
        if (p >= 0 && p < length) return p;
        if (!Reflect || p >= length + Right) return -1;
        var extra = length > Math.Max(Left, Right) ? 0 : Math.Max(Left, Right) - length + 1;
        var extended = length + extra;
        var q = p < 0 ? -p : 2 * (extended - 1) - p;
        return q < length ? q : -1;
    }

    internal void Validate(long length)
    {
        if (Left < 0 || Right < 0 || Tail < 0)
            throw new GgmlException($"frame padding {Left}|{Right}+{Tail} must not be negative");
        if (length < 1) throw new GgmlException("cannot pad an empty sequence");
    }
}
