using MusicGen.Assistant.Audio.Loudness;

namespace MusicGen.Assistant.Audio.Tests.Loudness;

public class KWeightingTests
{
    [Fact]
    public void At_48_kHz_the_filters_are_the_ones_tabulated_in_BS_1770_4()
    {
        Biquad shelf = KWeighting.Shelf(48000);
        Assert.Equal(1.53512485958697, shelf.B0, 1e-9);
        Assert.Equal(-2.69169618940638, shelf.B1, 1e-9);
        Assert.Equal(1.19839281085285, shelf.B2, 1e-9);
        Assert.Equal(-1.69065929318241, shelf.A1, 1e-9);
        Assert.Equal(0.73248077421585, shelf.A2, 1e-9);

        Biquad highPass = KWeighting.HighPass(48000);
        Assert.Equal((1.0, -2.0, 1.0), (highPass.B0, highPass.B1, highPass.B2));
        Assert.Equal(-1.99004745483398, highPass.A1, 1e-9);
        Assert.Equal(0.99007225036621, highPass.A2, 1e-9);
    }

    // The analog prototype matches BS.1770's 48 kHz table exactly; at other rates the bilinear transform warps it a
    // little more the lower the rate goes (a flat offset of hundredths of a dB, what ffmpeg's ebur128 does too).
    [Theory]
    [InlineData(44100, 0.01)]
    [InlineData(32000, 0.04)]
    [InlineData(16000, 0.16)]
    public void Other_rates_have_the_48_kHz_response_within_a_few_hundredths_of_a_dB(int rate, double tolerance)
    {
        foreach (double f in new[] { 20.0, 38, 100, 500, 1000, 1681, 3000, 5000, rate * 0.45 })
        {
            double reference = Db(Response(48000, f));
            Assert.True(Math.Abs(Db(Response(rate, f)) - reference) < tolerance,
                $"{f} Hz at {rate} Hz: {Db(Response(rate, f)):0.000} vs {reference:0.000} dB");
        }
    }

    [Fact]
    public void The_gain_at_1_kHz_is_what_the_minus_0_691_offset_cancels()
    {
        Assert.Equal(0.691, Db(Response(48000, 1000)), 0.01);
        Assert.Equal(4.0, Db(Response(48000, 15000)), 0.1);  // the shelf: +4 dB at high frequencies
        Assert.True(Db(Response(48000, 20)) < -10);          // the RLB high-pass
    }

    private static double Response(int rate, double f) => KWeighting.Shelf(rate).Gain(f, rate) * KWeighting.HighPass(rate).Gain(f, rate);

    private static double Db(double gain) => 20 * Math.Log10(gain);
}
