using MusicGen.Assistant.Audio.Chroma;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// A reference melody as a mono waveform, for MusicGen-Melody. A generation that fits one window takes the chroma of
/// the whole waveform (the extractor keeps its first 30 s; <see cref="MelodyConditioning"/> tiles or cuts the frames to
/// chroma_length). Long-form generation follows audiocraft's <c>MusicGen._generate_tokens</c>: each window takes the
/// waveform from the window's start time for a whole window's duration, indexing it circularly (position mod length),
/// so a short melody repeats and a long one is followed through the piece.
/// </summary>
public sealed class MelodyWaveform
{
    private readonly float[] _samples;

    public MelodyWaveform(float[] mono, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(mono);
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be positive");
        if (mono.Length == 0) throw new ArgumentException("the melody waveform holds no samples", nameof(mono));
        for (var i = 0; i < mono.Length; i++)
            if (!float.IsFinite(mono[i]))
                throw new ArgumentException($"the melody waveform holds a non-finite sample ({mono[i]}) at index {i} of {mono.Length}", nameof(mono));
        (_samples, SampleRate) = (mono, sampleRate);
    }

    public int SampleRate { get; }
    public ReadOnlySpan<float> Samples => _samples;
    public double Seconds => _samples.Length / (double)SampleRate;

    /// <summary>The chroma of the whole waveform (what a single-window generation is conditioned on).</summary>
    public ChromaFeatures Chroma(ChromaExtractor extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        return extractor.Extract(_samples, SampleRate);
    }

    /// <summary>
    /// The chroma of a long-form window: <paramref name="seconds"/> of melody from <paramref name="startSeconds"/>,
    /// read circularly (audiocraft: <c>ref_wav[..., positions % wav_length]</c> with positions from
    /// <c>int(time_offset · sample_rate)</c> for <c>int(max_duration · sample_rate)</c> samples).
    /// </summary>
    public ChromaFeatures WindowChroma(ChromaExtractor extractor, double startSeconds, double seconds)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        if (!(startSeconds >= 0) || !double.IsFinite(startSeconds))
            throw new ArgumentOutOfRangeException(nameof(startSeconds), startSeconds, "the window start must be a time of at least 0 s");
        if (!(seconds > 0) || !double.IsFinite(seconds))
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "the window must last a positive number of seconds");
        var length = checked((int)(seconds * SampleRate));
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, $"{seconds} s is less than one sample at {SampleRate} Hz");
        return extractor.Extract(CircularSlice(_samples, (long)(startSeconds * SampleRate), length), SampleRate);
    }

    /// <summary>Samples [start, start + length) of <paramref name="wave"/>, each index taken modulo its length.</summary>
    public static float[] CircularSlice(ReadOnlySpan<float> wave, long start, int length)
    {
        if (wave.IsEmpty) throw new ArgumentException("cannot slice an empty waveform", nameof(wave));
        if (start < 0) throw new ArgumentOutOfRangeException(nameof(start), start, "the start must not be negative");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "the length must not be negative");
        var slice = new float[length];
        var from = (int)(start % wave.Length);
        for (var filled = 0; filled < length;)
        {
            var run = Math.Min(length - filled, wave.Length - from);
            wave.Slice(from, run).CopyTo(slice.AsSpan(filled));
            filled += run;
            from = 0;
        }
        return slice;
    }
}
