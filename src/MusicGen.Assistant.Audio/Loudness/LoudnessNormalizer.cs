namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// Scales audio to a target integrated loudness (default −14 LUFS, the level of the MusicGen paper's listening tests)
/// with one linear gain, lowered if needed so the peak stays under a ceiling: the result never clips.
/// </summary>
public static class LoudnessNormalizer
{
    public const double DefaultTargetLufs = -14;

    /// <summary>−1 dBTP, the usual headroom for lossy encoding.</summary>
    public const double DefaultPeakCeilingDb = -1;

    /// <param name="audio">The audio to scale (not modified).</param>
    /// <param name="targetLufs">Integrated loudness wanted, −70 to 0 LUFS.</param>
    /// <param name="peakCeilingDb">Highest peak allowed after the gain, at most 0 dB; true peak is used.</param>
    public static LoudnessNormalization Normalize(AudioBuffer audio, double targetLufs = DefaultTargetLufs,
        double peakCeilingDb = DefaultPeakCeilingDb)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (!(targetLufs is >= -70 and <= 0))
            throw new ArgumentOutOfRangeException(nameof(targetLufs), targetLufs, "The loudness target must be between -70 and 0 LUFS.");
        if (!(peakCeilingDb is >= -60 and <= 0))
            throw new ArgumentOutOfRangeException(nameof(peakCeilingDb), peakCeilingDb, "The peak ceiling must be between -60 and 0 dB.");
        LoudnessMeasurement before = LoudnessMeter.Measure(audio, measureTruePeak: true);
        if (!before.HasLoudness)
            return new LoudnessNormalization
            {
                Audio = audio, Before = before, TargetLufs = targetLufs, PeakCeilingDb = peakCeilingDb, GainDb = 0, PeakLimited = false,
                SkippedBecause = audio.Duration < TimeSpan.FromMilliseconds(400)
                    ? $"the audio ({audio.Duration.TotalSeconds:0.###} s) is shorter than one 400 ms measuring block"
                    : "the audio is silent (nothing above -70 LUFS)",
            };

        double gainDb = targetLufs - before.IntegratedLufs;
        bool limited = before.PeakDb + gainDb > peakCeilingDb;
        if (limited)
            gainDb = peakCeilingDb - before.PeakDb;
        float gain = (float)Math.Pow(10, gainDb / 20);
        // Float rounding must not lift the largest sample past the ceiling.
        float ceiling = (float)Math.Pow(10, peakCeilingDb / 20);
        float samplePeak = (float)before.SamplePeak; // exact: it is the largest |float| sample
        while (samplePeak * gain > ceiling)
            gain = MathF.BitDecrement(gain);

        var channels = new float[audio.ChannelCount][];
        for (int c = 0; c < channels.Length; c++)
        {
            float[] src = audio.Channels[c];
            var dst = new float[src.Length];
            for (int i = 0; i < src.Length; i++)
                dst[i] = src[i] * gain;
            channels[c] = dst;
        }
        return new LoudnessNormalization
        {
            Audio = new AudioBuffer(audio.SampleRate, channels),
            Before = before,
            TargetLufs = targetLufs,
            PeakCeilingDb = peakCeilingDb,
            GainDb = 20 * Math.Log10(gain),
            PeakLimited = limited,
        };
    }
}
