using MusicGen.Assistant.Audio.Loudness;

namespace MusicGen.Assistant.Audio.Tests.Loudness;

public class LoudnessMeterTests
{
    private static float[] Tone(int rate, double seconds, double dbfs, double frequency = 1000, double phase = 0) =>
        Signals.Sine(frequency, rate, (int)(rate * seconds), Math.Pow(10, dbfs / 20), phase);

    [Fact]
    public void A_1_kHz_stereo_tone_at_minus_23_dBFS_measures_minus_23_LUFS()
    {
        // EBU Tech 3341, test 1
        float[] tone = Tone(48000, 10, -23);
        LoudnessMeasurement m = LoudnessMeter.Measure(new AudioBuffer(48000, [tone, tone]), measureTruePeak: false);
        Assert.Equal(-23.0, m.IntegratedLufs, 0.05);
        Assert.Equal(-23.0, m.MaxMomentaryLufs, 0.05);
        Assert.Equal(-23.0, m.MaxShortTermLufs, 0.05);
        Assert.Equal(0, m.LoudnessRangeLu, 0.05);
        Assert.Equal(TimeSpan.FromSeconds(10), m.Duration);
        Assert.Equal(97, m.GatedBlocks); // (10 s − 0.4 s) / 0.1 s + 1
    }

    [Fact]
    public void Channel_weights_count_one_channel_3_dB_under_two_and_surrounds_1_5_dB_over_fronts()
    {
        const int rate = 48000;
        float[] tone = Tone(rate, 2, -23), silent = new float[tone.Length];
        Assert.Equal(-26.01, LoudnessMeter.Measure(new AudioBuffer(rate, [tone]), false).IntegratedLufs, 0.05);

        float[][] surround = [silent, silent, silent, silent, tone, silent]; // L R C LFE Ls Rs
        Assert.Equal(-26.01 + 10 * Math.Log10(ChannelWeights.Surround), LoudnessMeter.Measure(new AudioBuffer(rate, surround), false).IntegratedLufs, 0.05);

        float[][] lfeOnly = [silent, silent, silent, tone, silent, silent];
        Assert.False(LoudnessMeter.Measure(new AudioBuffer(rate, lfeOnly), false).HasLoudness);
    }

    [Fact]
    public void Silence_is_gated_out_absolutely_and_a_much_quieter_part_relatively()
    {
        const int rate = 44100;
        float[] loud = Tone(rate, 6, -20);
        LoudnessMeasurement alone = LoudnessMeter.Measure(new AudioBuffer(rate, [loud]), measureTruePeak: false);
        Assert.Equal(57, alone.GatedBlocks); // (6 s − 0.4 s) / 0.1 s + 1, all of power P

        // Silence after it: its blocks fall under −70 LUFS; the 3 blocks straddling the edge hold 3/4, 1/2 and 1/4 of
        // P and pass both gates, so the mean power is (57 + 1.5)/60 · P.
        LoudnessMeasurement withSilence = LoudnessMeter.Measure(new AudioBuffer(rate, [[.. loud, .. new float[rate * 6]]]), measureTruePeak: false);
        Assert.Equal(60, withSilence.GatedBlocks);
        Assert.Equal(alone.IntegratedLufs + 10 * Math.Log10(58.5 / 60), withSilence.IntegratedLufs, 0.01);

        // 20 dB quieter (q = P/100): above −70 LUFS but under the relative gate (10 LU below the mean of all blocks);
        // the straddling blocks hold (3P + q)/4, (P + q)/2, (P + 3q)/4 and pass.
        LoudnessMeasurement withQuiet = LoudnessMeter.Measure(new AudioBuffer(rate, [[.. loud, .. Tone(rate, 6, -40)]]), measureTruePeak: false);
        Assert.Equal(60, withQuiet.GatedBlocks);
        Assert.Equal(alone.IntegratedLufs + 10 * Math.Log10((57 + 1.5 + 1.5 / 100) / 60), withQuiet.IntegratedLufs, 0.01);
        Assert.InRange(withQuiet.LoudnessRangeLu, 19, 20.5); // two plateaus 20 LU apart, both inside the range gate
    }

    [Fact]
    public void Less_than_one_400_ms_block_has_no_loudness_but_still_a_peak()
    {
        LoudnessMeasurement m = LoudnessMeter.Measure(new AudioBuffer(32000, [Tone(32000, 0.39, -6)]));
        Assert.False(m.HasLoudness);
        Assert.True(double.IsNegativeInfinity(m.IntegratedLufs));
        Assert.Equal(0, m.GatedBlocks);
        Assert.Equal(-6, m.SamplePeakDbfs, 0.01);
    }

    [Fact]
    public void Feeding_in_odd_sized_blocks_gives_the_one_shot_result()
    {
        const int rate = 44100;
        var audio = new AudioBuffer(rate, [Signals.Noise(rate * 4, 1, 0.4f), Tone(rate, 4, -12, 440)]);
        LoudnessMeasurement whole = LoudnessMeter.Measure(audio);
        var meter = new LoudnessMeter(rate, 2);
        var random = new Random(9);
        for (int start = 0; start < audio.FrameCount;)
        {
            int n = Math.Min(random.Next(1, 9000), audio.FrameCount - start);
            meter.Add(audio.Slice(start, n));
            start += n;
        }
        LoudnessMeasurement pieces = meter.Result();
        Assert.Equal(whole.IntegratedLufs, pieces.IntegratedLufs, 1e-9);
        Assert.Equal(whole.LoudnessRangeLu, pieces.LoudnessRangeLu, 1e-9);
        Assert.Equal(whole.TruePeak!.Value, pieces.TruePeak!.Value, 1e-6);
        Assert.Equal(whole.SamplePeak, pieces.SamplePeak);
    }

    [Fact]
    public void A_quarter_rate_tone_between_samples_has_a_true_peak_3_dB_over_its_sample_peak()
    {
        // samples land at ±sin(45°) = ±0.707 while the waveform reaches ±1 between them
        const int rate = 48000;
        float[] tone = Signals.Sine(rate / 4.0, rate, rate, amplitude: 1.0, phase: Math.PI / 4);
        // A tone switched on and off abruptly overshoots at its edges once band-limited: fade it in and out.
        int fade = rate / 100;
        for (int i = 0; i < fade; i++)
        {
            float w = (float)(0.5 - 0.5 * Math.Cos(Math.PI * i / fade));
            tone[i] *= w;
            tone[^(i + 1)] *= w;
        }
        LoudnessMeasurement m = LoudnessMeter.Measure(new AudioBuffer(rate, [tone]));
        Assert.Equal(-3.01, m.SamplePeakDbfs, 0.01);
        Assert.Equal(0.0, m.PeakDb, 0.05);
        Assert.Null(LoudnessMeter.Measure(new AudioBuffer(rate, [tone]), measureTruePeak: false).TruePeak);
    }

    [Fact]
    public void Rates_whose_100_ms_is_not_a_whole_number_of_samples_still_measure_right()
    {
        float[] tone = Tone(11025, 10, -23);
        LoudnessMeasurement m = LoudnessMeter.Measure(new AudioBuffer(11025, [tone, tone]), measureTruePeak: false);
        Assert.Equal(-23.0, m.IntegratedLufs, 0.05);
        Assert.Equal(97, m.GatedBlocks);
    }

    [Fact]
    public void Mismatched_blocks_and_weights_are_refused_with_the_numbers()
    {
        var meter = new LoudnessMeter(48000, 2);
        Assert.Contains("1 ch at 44100 Hz", Assert.Throws<ArgumentException>(() => meter.Add(new AudioBuffer(44100, 1, 10))).Message);
        Assert.Contains("3 channel weights given for 2 channels", Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000, 2, [1, 1, 1])).Message);
        Assert.Contains("No default loudness weights for 4 channels", Assert.Throws<ArgumentException>(() => new LoudnessMeter(48000, 4)).Message);
    }
}
