using MusicGen.Assistant.Audio.Chroma;

namespace MusicGen.Assistant.Audio.Tests.Chroma;

public class ChromaFilterBankTests
{
    private const int Rate = 32000, NFft = 16384;

    [Fact]
    public void The_default_bank_is_12_by_8193_and_built_once()
    {
        var bank = ChromaFilterBank.Get(Rate, NFft, 12);
        Assert.Equal(12, bank.NumChroma);
        Assert.Equal(8193, bank.FrequencyBins);
        Assert.Equal(12 * 8193, bank.Weights.Length);
        Assert.Same(bank, ChromaFilterBank.Get(Rate, NFft, 12));
        Assert.NotSame(bank, ChromaFilterBank.Get(Rate, 4096, 12));
        foreach (float w in bank.Weights)
            Assert.True(float.IsFinite(w) && w >= 0);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(24)]
    public void Each_column_has_the_l2_norm_of_its_octave_weight(int chroma)
    {
        // Columns are L2-normalised and then scaled by exp(-½((octave - 5)/2)²), octave = log2(f / 27.5 Hz).
        var bank = ChromaFilterBank.Get(Rate, NFft, chroma);
        for (int j = 1; j < bank.FrequencyBins; j += 7)
        {
            double octave = Math.Log2(j * (double)Rate / NFft / 27.5);
            double weight = Math.Exp(-0.5 * Math.Pow((octave - 5) / 2, 2));
            double sumSquares = 0;
            for (int c = 0; c < chroma; c++)
                sumSquares += Math.Pow(bank.Row(c)[j], 2);
            Assert.Equal(weight, Math.Sqrt(sumSquares), tolerance: 1e-6);
        }
    }

    [Fact]
    public void Each_bin_weighs_most_on_its_nearest_pitch_class_counted_from_c()
    {
        var bank = ChromaFilterBank.Get(Rate, NFft, 12);
        int checkedBins = 0;
        for (int j = 40; j < bank.FrequencyBins; j++)
        {
            double semitonesAboveA0 = 12 * Math.Log2(j * (double)Rate / NFft / 27.5);
            double fraction = semitonesAboveA0 - Math.Floor(semitonesAboveA0);
            if (Math.Abs(fraction - 0.5) < 0.1)
                continue; // about equally far from two pitch classes
            int expected = ((int)Math.Round(semitonesAboveA0) + 9) % 12; // A is 9 when C is 0
            int best = 0;
            for (int c = 1; c < 12; c++)
                if (bank.Row(c)[j] > bank.Row(best)[j])
                    best = c;
            Assert.True(expected == best, $"bin {j} ({j * (double)Rate / NFft:0.#} Hz): pitch class {best}, expected {expected}");
            checkedBins++;
        }
        Assert.True(checkedBins > 6000);
    }

    [Fact]
    public void Apply_is_the_matrix_product_and_checks_sizes()
    {
        var bank = ChromaFilterBank.Get(Rate, 1024, 12);
        var power = Signals.Noise(bank.FrequencyBins, seed: 5).Select(Math.Abs).ToArray();
        var chroma = new double[12];
        bank.Apply(power, chroma);
        for (int c = 0; c < 12; c++)
        {
            double expected = 0;
            for (int f = 0; f < power.Length; f++)
                expected += bank.Row(c)[f] * (double)power[f];
            Assert.Equal(expected, chroma[c], 10);
        }
        Assert.Throws<ArgumentException>(() => bank.Apply(new float[10], new double[12]));
        Assert.Throws<ArgumentException>(() => bank.Apply(power, new double[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => bank.Row(12));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromaFilterBank.Get(Rate, 1023, 12));
    }
}
