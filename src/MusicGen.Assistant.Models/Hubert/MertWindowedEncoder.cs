namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// M2UGen's music encoding of a whole track: the signal is cut into back-to-back windows (60 s by default, as
/// m2ugen.py's encode_audio intends), each window is prepared by the feature extractor on its own (normalized over its
/// samples) and encoded, and each hidden state is averaged over all frames of all windows. Unlike the original, whose
/// loop step (<c>range(0, n, 60)</c> over window indices) only ever encodes the first 60 s, every window counts. The
/// signal is streamed from an <see cref="ISampleSource"/> one window at a time, so an hour-long track costs one
/// window's memory. Multi-channel sources are downmixed by the channel mean, as M2UGen does.
/// </summary>
public sealed class MertWindowedEncoder
{
    public const double DefaultWindowSeconds = 60;

    /// <param name="encoder">The MERT encoder; the source must be at its <see cref="HubertPreprocessing.SamplingRate"/>.</param>
    /// <param name="windowSeconds">Window length in seconds.</param>
    public MertWindowedEncoder(HubertEncoder encoder, double windowSeconds = DefaultWindowSeconds)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        if (!(windowSeconds > 0) || double.IsInfinity(windowSeconds))
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, "the window length must be a positive number of seconds");
        var samples = Math.Round(windowSeconds * encoder.Preprocessing.SamplingRate);
        var minimum = encoder.Config.ReceptiveField;
        if (samples < minimum || samples > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds,
                $"a window of {samples} samples at {encoder.Preprocessing.SamplingRate} Hz: it must hold {minimum}..{Array.MaxLength} samples");
        WindowSeconds = windowSeconds;
        WindowSamples = (int)samples;
    }

    public HubertEncoder Encoder { get; }
    public double WindowSeconds { get; }
    public int WindowSamples { get; }

    /// <summary>
    /// The windows [start, start + length) of a signal of <paramref name="length"/> samples: back to back from 0, the
    /// last one shorter. A trailing piece shorter than <paramref name="minimumSamples"/> (the receptive field of one
    /// frame) gives no frame and is left out.
    /// </summary>
    public static IReadOnlyList<(long Start, int Length)> Windows(long length, int windowSamples, int minimumSamples)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "a signal length cannot be negative");
        if (windowSamples < 1 || minimumSamples < 1 || minimumSamples > windowSamples)
            throw new ArgumentOutOfRangeException(nameof(windowSamples), $"windows of {windowSamples} samples, each needing at least {minimumSamples}");
        var windows = new List<(long, int)>();
        for (long start = 0; start < length; start += windowSamples)
        {
            var count = (int)Math.Min(windowSamples, length - start);
            if (count >= minimumSamples) windows.Add((start, count));
        }
        return windows;
    }

    /// <summary>The music feature of a whole in-memory mono signal.</summary>
    public MertMusicFeature Encode(float[] mono, IProgress<ChunkProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Encode(new ArraySampleSource(mono), progress, cancellationToken);

    /// <summary>
    /// The music feature of a whole signal, read window by window. Progress counts samples.
    /// </summary>
    public MertMusicFeature Encode(ISampleSource source, IProgress<ChunkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Channels < 1) throw new ArgumentException($"the source has {source.Channels} channels", nameof(source));
        var config = Encoder.Config;
        var windows = Windows(source.Length, WindowSamples, config.ReceptiveField);
        if (windows.Count == 0)
            throw new ArgumentException($"the source has {source.Length} samples, fewer than the {config.ReceptiveField} samples one MERT frame needs", nameof(source));

        var width = config.HiddenSize;
        var sums = new double[config.HiddenStateCount * width];
        long frames = 0;
        var buffer = new float[windows.Max(w => w.Length)];
        var channel = source.Channels > 1 ? new float[buffer.Length] : null;
        foreach (var (start, length) in windows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var window = buffer.AsSpan(0, length);
            ReadMono(source, start, window, channel);
            if (Encoder.Preprocessing.DoNormalize) HubertPreprocessing.NormalizeInPlace(window);
            var (windowSums, windowFrames) = Encoder.SumOverFrames(window);
            for (var i = 0; i < sums.Length; i++) sums[i] += windowSums[i];
            frames += windowFrames;
            progress?.Report(new ChunkProgress(start + length, source.Length, "mert"));
        }
        var means = new float[sums.Length];
        for (var i = 0; i < sums.Length; i++) means[i] = (float)(sums[i] / frames);
        return new MertMusicFeature(means, config.HiddenStateCount, width, frames, windows.Count);
    }

    // torch.mean(waveform, 0) in float32: the channel sum, then divided by the channel count
    private static void ReadMono(ISampleSource source, long start, Span<float> window, float[]? scratch)
    {
        source.Read(0, start, window);
        if (scratch is null) return;
        var part = scratch.AsSpan(0, window.Length);
        for (var c = 1; c < source.Channels; c++)
        {
            source.Read(c, start, part);
            for (var i = 0; i < part.Length; i++) window[i] += part[i];
        }
        for (var i = 0; i < window.Length; i++) window[i] /= source.Channels;
    }
}
