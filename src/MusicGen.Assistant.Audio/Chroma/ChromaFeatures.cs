namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// The melody conditioning of MusicGen-Melody: per frame, a one-hot over the pitch classes at the loudest chroma bin
/// (the argmax "information bottleneck"). <see cref="OneHot"/> is the <c>[FrameCount, NumChroma]</c> float matrix the
/// model projects with <c>audio_enc_to_dec_proj</c>; <see cref="Bins"/> holds the same information as indices.
/// Immutable.
/// </summary>
public sealed class ChromaFeatures
{
    private readonly int[] _bins;
    private readonly float[] _oneHot;

    /// <summary>Builds the one-hot rows from per-frame pitch-class indices (each in 0..numChroma-1).</summary>
    public ChromaFeatures(IReadOnlyList<int> bins, int numChroma)
    {
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numChroma);
        if (bins.Count == 0)
            throw new ArgumentException("Chroma features need at least one frame.", nameof(bins));
        _bins = new int[bins.Count];
        _oneHot = new float[bins.Count * numChroma];
        for (int t = 0; t < _bins.Length; t++)
        {
            int bin = bins[t];
            if ((uint)bin >= (uint)numChroma)
                throw new ArgumentOutOfRangeException(nameof(bins), bin, $"Frame {t}: chroma bin {bin} is outside 0..{numChroma - 1}.");
            _bins[t] = bin;
            _oneHot[t * numChroma + bin] = 1f;
        }
        NumChroma = numChroma;
    }

    public int FrameCount => _bins.Length;

    public int NumChroma { get; }

    /// <summary>The winning pitch class of each frame (0 = C, 1 = C#, ..., 9 = A, 11 = B).</summary>
    public IReadOnlyList<int> Bins => _bins;

    /// <summary><c>[FrameCount, NumChroma]</c>, row-major: 1 at each frame's bin, 0 elsewhere.</summary>
    public ReadOnlySpan<float> OneHot => _oneHot;

    /// <summary>
    /// The "null melody" used for classifier-free guidance and for a missing melody: every frame one-hot at bin 0
    /// (audiocraft's zero-length wav gives zero energy, whose argmax is 0; HF sets <c>[..., 0] = 1</c>).
    /// </summary>
    public static ChromaFeatures Null(int frameCount, int numChroma = 12)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameCount);
        return new ChromaFeatures(new int[frameCount], numChroma);
    }

    /// <summary>
    /// Fits the frames to the model's <c>chroma_length</c> (235 for 30 s models): longer is cut, shorter is repeated
    /// whole and then cut, e.g. [a b c] → 8 frames [a b c a b c a b] (audiocraft <c>match_len_on_eval</c>, HF <c>repeat</c>).
    /// </summary>
    public ChromaFeatures FitToLength(int chromaLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chromaLength);
        if (chromaLength == FrameCount)
            return this;
        var bins = new int[chromaLength];
        for (int t = 0; t < chromaLength; t++)
            bins[t] = _bins[t % _bins.Length];
        return new ChromaFeatures(bins, NumChroma);
    }

    public override string ToString() => $"ChromaFeatures({FrameCount} frames × {NumChroma})";
}
