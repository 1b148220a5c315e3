using MusicGen.Assistant.Audio.Loudness;

namespace MusicGen.Assistant.Audio.Tests.Loudness;

public class LoudnessNormalizerTests
{
    [Fact]
    public void Quiet_noise_is_raised_to_minus_14_LUFS()
    {
        var audio = new AudioBuffer(32000, [Signals.Noise(32000 * 5, 1, 0.02f), Signals.Noise(32000 * 5, 2, 0.02f)]);
        LoudnessNormalization result = LoudnessNormalizer.Normalize(audio);
        Assert.False(result.PeakLimited);
        Assert.Null(result.SkippedBecause);
        Assert.Equal(-14, result.OutputLufs, 0.001);
        Assert.Equal(-14, LoudnessMeter.Measure(result.Audio).IntegratedLufs, 0.01); // re-measured, not just predicted
        Assert.Equal(result.Before.IntegratedLufs + result.GainDb, result.OutputLufs);
        float gain = result.Audio.Channels[0][100] / audio.Channels[0][100];
        Assert.Equal(Math.Pow(10, result.GainDb / 20), gain, 1e-5);
        Assert.Equal(0.02f * Signals.Noise(1, 1)[0] / 0.9f, audio.Channels[0][0], 1e-6); // the input is left alone
    }

    [Fact]
    public void A_peaky_signal_is_held_at_the_peak_ceiling_and_never_clips()
    {
        // sparse clicks: quiet on average, with full-scale peaks
        var clicks = new float[48000 * 4];
        for (int i = 0; i < clicks.Length; i += 4800) clicks[i] = 0.5f;
        var audio = new AudioBuffer(48000, [clicks]);
        LoudnessNormalization result = LoudnessNormalizer.Normalize(audio, targetLufs: -14, peakCeilingDb: -1);
        Assert.True(result.PeakLimited);
        Assert.Equal(-1, result.OutputPeakDb, 0.001);
        Assert.True(result.OutputLufs < -14);
        float ceiling = (float)Math.Pow(10, -1 / 20.0);
        Assert.All(result.Audio.Channels[0], x => Assert.True(Math.Abs(x) <= ceiling));
        Assert.True(LoudnessMeter.Measure(result.Audio).PeakDb <= -1 + 1e-4);
        Assert.Contains("held by the -1.0 dB peak ceiling", result.ToString());
    }

    [Fact]
    public void A_zero_dB_ceiling_still_never_exceeds_full_scale()
    {
        float[] tone = Signals.Sine(997, 44100, 44100 * 2, 0.999);
        LoudnessNormalization result = LoudnessNormalizer.Normalize(new AudioBuffer(44100, [tone]), targetLufs: 0, peakCeilingDb: 0);
        Assert.True(result.PeakLimited);
        Assert.All(result.Audio.Channels[0], x => Assert.True(Math.Abs(x) <= 1f));
    }

    [Fact]
    public void Silence_and_too_short_audio_are_left_alone_with_the_reason()
    {
        var silent = new AudioBuffer(32000, 1, 32000 * 2);
        LoudnessNormalization s = LoudnessNormalizer.Normalize(silent);
        Assert.Same(silent, s.Audio);
        Assert.Equal(0, s.GainDb);
        Assert.Contains("silent", s.SkippedBecause);

        var brief = new AudioBuffer(32000, [Signals.Sine(440, 32000, 6000)]);
        Assert.Contains("shorter than one 400 ms measuring block", LoudnessNormalizer.Normalize(brief).SkippedBecause);
    }

    [Fact]
    public void Targets_and_ceilings_out_of_range_are_refused()
    {
        var audio = new AudioBuffer(32000, 1, 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => LoudnessNormalizer.Normalize(audio, targetLufs: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoudnessNormalizer.Normalize(audio, peakCeilingDb: 0.5));
    }
}
