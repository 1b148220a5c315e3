using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// EBU R128 / ITU-R BS.1770-4 loudness meter, fed block by block: K-weighting at the signal's own rate, channel
/// weights, 400 ms gating blocks with 75 % overlap (so 100 ms steps) gated at −70 LUFS and −10 LU for the integrated
/// loudness; 3 s windows every 100 ms gated at −70 LUFS and −20 LU for the loudness range (EBU Tech 3342); sample
/// peak and, optionally, true peak from a 4x oversampled signal. Memory: one number per 100 ms of audio.
/// </summary>
public sealed class LoudnessMeter
{
    private const int StepsPerSecond = 10;
    private const int StepsPerBlock = 4;      // 400 ms
    private const int StepsPerShortTerm = 30; // 3 s
    private const int OversampleChunk = 1 << 13;

    // Flat to 90 % of Nyquist, 70 dB down beyond (96 taps): full-band content such as white noise keeps its
    // inter-sample overshoots, which a narrower interpolator would under-read by most of a dB.
    private static readonly ResamplerQuality TruePeakQuality = new(70, 0.90);

    private readonly KWeightingFilter[] _filters;
    private readonly double[] _weights;
    private readonly Resampler[]? _oversamplers;
    private readonly List<double> _stepEnergy = [];
    private readonly List<int> _stepFrames = [];
    private float[] _oversampled = [];
    private double _energy;
    private int _framesInStep;
    private long _frames;
    private double _samplePeak, _truePeak;

    public LoudnessMeter(int sampleRate, int channelCount, IReadOnlyList<double>? channelWeights = null, bool measureTruePeak = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channelCount);
        double[] weights = channelWeights?.ToArray() ?? ChannelWeights.For(channelCount);
        if (weights.Length != channelCount)
            throw new ArgumentException($"{weights.Length} channel weights given for {channelCount} channels.", nameof(channelWeights));
        if (weights.Any(w => !(w >= 0 && double.IsFinite(w))))
            throw new ArgumentException("Channel weights must be finite and non-negative.", nameof(channelWeights));
        SampleRate = sampleRate;
        ChannelCount = channelCount;
        _weights = weights;
        _filters = new KWeightingFilter[channelCount];
        for (int c = 0; c < channelCount; c++)
            _filters[c] = new KWeightingFilter(sampleRate);
        int factor = sampleRate < 96_000 ? 4 : sampleRate < 192_000 ? 2 : 1;
        if (measureTruePeak && factor > 1)
        {
            _oversamplers = new Resampler[channelCount];
            for (int c = 0; c < channelCount; c++)
                _oversamplers[c] = new Resampler(sampleRate, sampleRate * factor, TruePeakQuality);
        }
        MeasuresTruePeak = measureTruePeak;
    }

    public int SampleRate { get; }

    public int ChannelCount { get; }

    public bool MeasuresTruePeak { get; }

    /// <summary>Measures a whole buffer with the default channel weights.</summary>
    public static LoudnessMeasurement Measure(AudioBuffer audio, bool measureTruePeak = true)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var meter = new LoudnessMeter(audio.SampleRate, audio.ChannelCount, measureTruePeak: measureTruePeak);
        meter.Add(audio);
        return meter.Result();
    }

    public void Add(AudioBuffer block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.SampleRate != SampleRate || block.ChannelCount != ChannelCount)
            throw new ArgumentException(
                $"Block is {block.ChannelCount} ch at {block.SampleRate} Hz; this meter measures {ChannelCount} ch at {SampleRate} Hz.",
                nameof(block));
        Add(block.Channels, 0, block.FrameCount);
    }

    /// <summary>Adds <c>channels[c][offset..offset+frames]</c> for every channel.</summary>
    public void Add(float[][] channels, int offset, int frames)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != ChannelCount)
            throw new ArgumentException($"Got {channels.Length} channels; this meter measures {ChannelCount}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        foreach (float[] channel in channels)
            if (channel.Length - (long)offset < frames)
                throw new ArgumentException($"A channel of {channel.Length} samples has no {frames} frames at offset {offset}.", nameof(channels));

        for (int done = 0; done < frames;)
        {
            int n = Math.Min(frames - done, StepLength(_stepFrames.Count) - _framesInStep);
            for (int c = 0; c < ChannelCount; c++)
                if (_weights[c] > 0)
                    _energy += _weights[c] * _filters[c].SumOfSquares(channels[c].AsSpan(offset + done, n));
            _framesInStep += n;
            done += n;
            if (_framesInStep == StepLength(_stepFrames.Count))
            {
                _stepEnergy.Add(_energy);
                _stepFrames.Add(_framesInStep);
                (_energy, _framesInStep) = (0, 0);
            }
        }
        _frames += frames;
        for (int c = 0; c < ChannelCount; c++)
            TrackPeaks(c, channels[c].AsSpan(offset, frames));
    }

    /// <summary>The measurement of everything added so far (the meter can go on taking audio).</summary>
    public LoudnessMeasurement Result()
    {
        double[] blocks = WindowPowers(StepsPerBlock);
        double[] shortTerm = WindowPowers(StepsPerShortTerm);
        (double integrated, int gated) = LoudnessGating.Integrated(blocks);
        return new LoudnessMeasurement
        {
            IntegratedLufs = integrated,
            LoudnessRangeLu = LoudnessGating.Range(shortTerm),
            MaxMomentaryLufs = blocks.Length == 0 ? double.NegativeInfinity : LoudnessGating.Loudness(blocks.Max()),
            MaxShortTermLufs = shortTerm.Length == 0 ? double.NegativeInfinity : LoudnessGating.Loudness(shortTerm.Max()),
            SamplePeak = _samplePeak,
            // The oversampler holds back its last few interpolated values; the sample peak covers those edges.
            TruePeak = MeasuresTruePeak ? Math.Max(_truePeak, _samplePeak) : null,
            GatedBlocks = gated,
            Duration = AudioBuffer.FramesToDuration(_frames, SampleRate),
        };
    }

    // Step k covers frames [round(k·rate/10), round((k+1)·rate/10)): exact 100 ms steps even at rates like 11025 Hz.
    private int StepLength(int step) => (int)(StepStart(step + 1) - StepStart(step));

    private long StepStart(long step) => (step * SampleRate * 2 + StepsPerSecond) / (2 * StepsPerSecond);

    /// <summary>Mean weighted power of every complete window of <paramref name="steps"/> consecutive steps.</summary>
    private double[] WindowPowers(int steps)
    {
        int count = _stepEnergy.Count - steps + 1;
        if (count <= 0)
            return [];
        var powers = new double[count];
        double energy = 0;
        long frames = 0;
        for (int s = 0; s < _stepEnergy.Count; s++)
        {
            energy += _stepEnergy[s];
            frames += _stepFrames[s];
            if (s >= steps)
            {
                energy -= _stepEnergy[s - steps];
                frames -= _stepFrames[s - steps];
            }
            if (s >= steps - 1)
                powers[s - steps + 1] = Math.Max(0, energy) / frames; // running sums can dip a hair below 0 on silence
        }
        return powers;
    }

    private void TrackPeaks(int channel, ReadOnlySpan<float> samples)
    {
        double peak = _samplePeak;
        foreach (float x in samples)
            peak = Math.Max(peak, Math.Abs(x));
        _samplePeak = peak;
        if (_oversamplers is null)
            return;
        Resampler oversampler = _oversamplers[channel];
        double truePeak = _truePeak;
        for (int done = 0; done < samples.Length; done += OversampleChunk)
        {
            ReadOnlySpan<float> chunk = samples.Slice(done, Math.Min(OversampleChunk, samples.Length - done));
            int length = oversampler.GetOutputLength(chunk.Length);
            if (_oversampled.Length < length)
                _oversampled = new float[length];
            int written = oversampler.Process(chunk, _oversampled);
            foreach (float y in _oversampled.AsSpan(0, written))
                truePeak = Math.Max(truePeak, Math.Abs(y));
        }
        _truePeak = truePeak;
    }
}
