namespace MusicGen.Assistant.Formats.Codes;

/// <summary>
/// What a stream of codec codes means: the codec's sample rate and hop (so frames map back to samples), its codebook
/// size, how many codebooks each frame holds, and how many audio channels the codes decode to.
/// </summary>
/// <param name="SampleRate">Samples per second of the audio the codes decode to.</param>
/// <param name="HopLength">Samples per code frame (640 for the 32 kHz EnCodec).</param>
/// <param name="CodebookSize">Entries per codebook; every code is in [0, CodebookSize). At most 65536 (uint16 codes).</param>
/// <param name="Codebooks">Codes per frame (residual quantizer stages used).</param>
/// <param name="Channels">Audio channels the decoder produces; the codes are one stream whatever this is.</param>
public sealed record AudioCodesFormat(int SampleRate, int HopLength, int CodebookSize, int Codebooks, int Channels)
{
    /// <summary>Largest codebook a uint16 code can index.</summary>
    public const int MaxCodebookSize = 1 << 16;

    /// <summary>Frame rate as the exact fraction SampleRate / HopLength in lowest terms (32000 / 640 = 50 / 1).</summary>
    public (int Numerator, int Denominator) FrameRate
    {
        get
        {
            var g = Gcd(SampleRate, HopLength);
            return (SampleRate / g, HopLength / g);
        }
    }

    /// <summary>Code frames per second as a double.</summary>
    public double FramesPerSecond => SampleRate / (double)HopLength;

    /// <summary>Code frames that cover <paramref name="samples"/> samples: ceil(samples / hop).</summary>
    public long FramesFor(long samples) => (samples + HopLength - 1) / HopLength;

    /// <summary>The first field that is out of range, or null when the format is usable.</summary>
    public string? Problem()
    {
        if (SampleRate <= 0) return $"sample rate {SampleRate} must be positive";
        if (HopLength <= 0) return $"hop length {HopLength} must be positive";
        if (CodebookSize is < 2 or > MaxCodebookSize) return $"codebook size {CodebookSize} is outside 2..{MaxCodebookSize}";
        if (Codebooks is < 1 or > ushort.MaxValue) return $"codebook count {Codebooks} is outside 1..{ushort.MaxValue}";
        if (Channels is < 1 or > ushort.MaxValue) return $"channel count {Channels} is outside 1..{ushort.MaxValue}";
        return null;
    }

    /// <summary>Whether <paramref name="samples"/> is a sample count <paramref name="frames"/> frames can hold.</summary>
    /// <remarks>frames = ceil(samples / hop): the last frame is partly used, never unused.</remarks>
    public bool FitsSampleCount(long frames, long samples) =>
        frames == 0 ? samples == 0 : samples > (frames - 1) * HopLength && samples <= frames * HopLength;

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return Math.Max(1, Math.Abs(a));
    }
}

/// <summary>A codes file's header: the stream format, the original sample count and the number of frames.</summary>
/// <param name="SampleCount">Samples of the audio that was encoded; decoding trims its output to this many.</param>
/// <param name="FrameCount">Code frames stored.</param>
public sealed record AudioCodesHeader(AudioCodesFormat Format, long SampleCount, long FrameCount)
{
    /// <summary>Length of the encoded audio.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(SampleCount / (double)Format.SampleRate);
}
