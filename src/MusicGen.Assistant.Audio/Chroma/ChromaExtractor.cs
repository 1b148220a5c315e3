using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// MusicGen-Melody's melody feature extractor (HF MusicgenMelodyFeatureExtractor / audiocraft ChromaExtractor without
/// demucs): waveform → mono → the extractor's rate → first <see cref="ChromaConfig.MaxSamples"/> samples → power
/// spectrogram (<see cref="PowerSpectrogram"/>) → chroma filter bank (<see cref="ChromaFilterBank"/>) → per-frame
/// max-normalisation → argmax one-hot (<see cref="ChromaFeatures"/>).
/// <para>Another sample rate is resampled with the project's polyphase <see cref="Resampler"/> (HF uses torchaudio's
/// sinc resampler; both are band-limited, so the chroma differs only in near-ties). Stereo is averaged to mono first,
/// as both references do. Source separation (demucs, which audiocraft runs and HF leaves to the caller) is not done.</para>
/// <para>Frames: 1 + max(samples, n_fft) / hop, e.g. 235 for 30 s at the defaults; fit them to the model's
/// chroma_length with <see cref="ChromaFeatures.FitToLength"/>. Immutable and thread-safe.</para>
/// </summary>
public sealed class ChromaExtractor
{
    /// <summary>Floor of the per-frame maximum the chroma is divided by (torch <c>normalize(eps=1e-6)</c>).</summary>
    public const double NormalizationEpsilon = 1e-6;

    public ChromaExtractor(ChromaConfig? config = null)
    {
        Config = config ?? ChromaConfig.Default;
        Config.Validate();
        FilterBank = ChromaFilterBank.Get(Config.SamplingRate, Config.NFft, Config.NumChroma);
        Spectrogram = new PowerSpectrogram(Config.NFft, Config.HopLength);
    }

    /// <summary>An extractor configured by a preprocessor_config.json.</summary>
    public static ChromaExtractor FromPreprocessorConfig(string path) => new(ChromaConfig.FromFile(path));

    public ChromaConfig Config { get; }

    public ChromaFilterBank FilterBank { get; }

    public PowerSpectrogram Spectrogram { get; }

    /// <summary>Frames <see cref="Extract(ReadOnlySpan{float}, int)"/> returns for this many samples at the extractor's rate.</summary>
    public int FrameCount(long samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        return Spectrogram.FrameCount((int)Math.Min(samples, Config.MaxSamples));
    }

    /// <summary>One-hot chroma of a mono waveform at any sample rate.</summary>
    /// <exception cref="ArgumentException">The waveform is empty or holds NaN or infinity.</exception>
    public ChromaFeatures Extract(ReadOnlySpan<float> mono, int sampleRate)
    {
        ReadOnlySpan<float> signal = Prepare(mono, sampleRate, "waveform");
        return Run(signal, null, null);
    }

    /// <summary>One-hot chroma of a buffer with any channel count (averaged to mono) and rate.</summary>
    public ChromaFeatures Extract(AudioBuffer audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        float[] mono = audio.ChannelCount == 1 ? audio.Channels[0] : ChannelMixer.ToMono(audio).Channels[0];
        return Extract(mono, audio.SampleRate);
    }

    /// <summary>
    /// A batch as HF processes one: each waveform resampled and truncated, then all padded with
    /// <see cref="ChromaConfig.PaddingValue"/> (on <see cref="ChromaConfig.PadLeft"/>'s side) to the longest, so every
    /// result has the same frame count. A shorter waveform's features therefore differ from extracting it alone.
    /// </summary>
    public IReadOnlyList<ChromaFeatures> ExtractBatch(IReadOnlyList<float[]> monoWaveforms, int sampleRate)
    {
        float[][] padded = PadBatch(monoWaveforms, sampleRate);
        var results = new ChromaFeatures[padded.Length];
        for (int b = 0; b < padded.Length; b++)
            results[b] = Run(padded[b], null, null);
        return results;
    }

    /// <summary>Like <see cref="ExtractBatch"/>, keeping every intermediate stage of each item.</summary>
    public IReadOnlyList<ChromaAnalysis> AnalyzeBatch(IReadOnlyList<float[]> monoWaveforms, int sampleRate)
    {
        float[][] padded = PadBatch(monoWaveforms, sampleRate);
        var results = new ChromaAnalysis[padded.Length];
        for (int b = 0; b < padded.Length; b++)
            results[b] = Analyze(padded[b], Config.SamplingRate);
        return results;
    }

    /// <summary>Like <see cref="Extract(ReadOnlySpan{float}, int)"/>, keeping the power spectrogram and normalised chroma.</summary>
    public ChromaAnalysis Analyze(ReadOnlySpan<float> mono, int sampleRate)
    {
        ReadOnlySpan<float> signal = Prepare(mono, sampleRate, "waveform");
        int frames = Spectrogram.FrameCount(signal.Length);
        var power = new float[frames * Spectrogram.FrequencyBins];
        var normalized = new float[frames * Config.NumChroma];
        ChromaFeatures features = Run(signal, power, normalized);
        return new ChromaAnalysis(frames, Spectrogram.FrequencyBins, Config.NumChroma, power, normalized, features);
    }

    // The frame loop: one power frame at a time, so memory stays at one FFT buffer unless the stages are kept.
    private ChromaFeatures Run(ReadOnlySpan<float> signal, float[]? keepPower, float[]? keepNormalized)
    {
        PowerSpectrogram.Frames frames = Spectrogram.Open(signal);
        int bins = Spectrogram.FrequencyBins, chromaCount = Config.NumChroma;
        var power = new float[bins];
        var chroma = new double[chromaCount];
        var winners = new int[frames.Count];
        for (int t = 0; t < frames.Count; t++)
        {
            Span<float> frame = keepPower is null ? power : keepPower.AsSpan(t * bins, bins);
            frames.Compute(t, frame);
            FilterBank.Apply(frame, chroma);

            // First maximum wins ties (torch.argmax); silence is all zeros, so its bin is 0 like the null melody.
            int best = 0;
            for (int c = 1; c < chromaCount; c++)
                if (chroma[c] > chroma[best])
                    best = c;
            winners[t] = best;

            if (keepNormalized is not null)
            {
                double scale = 1.0 / Math.Max(chroma[best], NormalizationEpsilon); // chroma >= 0, so max |x| = max x
                for (int c = 0; c < chromaCount; c++)
                    keepNormalized[t * chromaCount + c] = (float)(chroma[c] * scale);
            }
        }
        return new ChromaFeatures(winners, chromaCount);
    }

    private float[][] PadBatch(IReadOnlyList<float[]> monoWaveforms, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(monoWaveforms);
        if (monoWaveforms.Count == 0)
            throw new ArgumentException("The batch holds no waveforms.", nameof(monoWaveforms));
        var prepared = new float[monoWaveforms.Count][];
        for (int b = 0; b < prepared.Length; b++)
        {
            float[] item = monoWaveforms[b] ?? throw new ArgumentException($"Batch waveform {b} is null.", nameof(monoWaveforms));
            prepared[b] = Prepare(item, sampleRate, $"batch waveform {b}").ToArray();
        }
        int longest = prepared.Max(p => p.Length);
        for (int b = 0; b < prepared.Length; b++)
        {
            if (prepared[b].Length == longest)
                continue;
            var padded = new float[longest];
            padded.AsSpan().Fill(Config.PaddingValue);
            prepared[b].CopyTo(padded, Config.PadLeft ? longest - prepared[b].Length : 0);
            prepared[b] = padded;
        }
        return prepared;
    }

    // Checks the samples, brings them to the extractor's rate and cuts them to chunk_length seconds.
    private ReadOnlySpan<float> Prepare(ReadOnlySpan<float> mono, int sampleRate, string what)
    {
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be positive.");
        if (mono.IsEmpty)
            throw new ArgumentException($"The melody {what} is empty: chroma needs at least one sample.", nameof(mono));
        for (int i = 0; i < mono.Length; i++)
        {
            if (!float.IsFinite(mono[i]))
                throw new ArgumentException(
                    $"The melody {what} holds a non-finite sample ({mono[i]}) at index {i} of {mono.Length}.", nameof(mono));
        }

        int max = Config.MaxSamples;
        if (sampleRate == Config.SamplingRate)
            return mono.Length > max ? mono[..max] : mono;

        // Only the input that reaches the first MaxSamples outputs (plus the filter's reach) is resampled.
        var probe = new Resampler(sampleRate, Config.SamplingRate);
        long needed = (long)Math.Ceiling((double)max * sampleRate / Config.SamplingRate) + probe.FilterLength + 1;
        ReadOnlySpan<float> input = mono.Length > needed ? mono[..(int)needed] : mono;
        float[] resampled = Resampler.Resample(input, sampleRate, Config.SamplingRate);
        if (resampled.Length == 0)
            throw new ArgumentException(
                $"The melody {what} has {mono.Length} samples at {sampleRate} Hz, which is no sample at {Config.SamplingRate} Hz.",
                nameof(mono));
        return resampled.Length > max ? resampled.AsSpan(0, max) : resampled;
    }
}
