using MusicGen.Assistant.Audio.Chroma;

namespace MusicGen.Assistant.Audio.Tests.Chroma;

public class ChromaFeaturesTests
{
    [Fact]
    public void One_hot_rows_are_row_major_with_a_single_one_at_each_bin()
    {
        var features = new ChromaFeatures([9, 0, 11], 12);
        Assert.Equal(3, features.FrameCount);
        Assert.Equal(12, features.NumChroma);
        float[] oneHot = features.OneHot.ToArray();
        Assert.Equal(36, oneHot.Length);
        Assert.Equal(3f, oneHot.Sum());
        Assert.Equal(1f, oneHot[0 * 12 + 9]);
        Assert.Equal(1f, oneHot[1 * 12 + 0]);
        Assert.Equal(1f, oneHot[2 * 12 + 11]);
    }

    [Fact]
    public void Fitting_repeats_the_whole_sequence_then_cuts()
    {
        var features = new ChromaFeatures([1, 2, 3], 12);
        Assert.Equal([1, 2, 3, 1, 2, 3, 1, 2], features.FitToLength(8).Bins);
        Assert.Equal([1, 2], features.FitToLength(2).Bins);
        Assert.Same(features, features.FitToLength(3));
        var tiled = features.FitToLength(235);
        Assert.Equal(235, tiled.FrameCount);
        Assert.Equal(1f, tiled.OneHot[234 * 12 + 1]); // frame 234 repeats frame 234 % 3 = 0, bin 1
    }

    [Fact]
    public void The_null_melody_is_one_hot_at_bin_zero()
    {
        var silence = ChromaFeatures.Null(235);
        Assert.Equal(235, silence.FrameCount);
        Assert.All(silence.Bins, b => Assert.Equal(0, b));
        for (int t = 0; t < 235; t++)
            Assert.Equal(1f, silence.OneHot[t * 12]);
        Assert.Equal(235f, silence.OneHot.ToArray().Sum());
    }

    [Fact]
    public void Invalid_bins_and_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ChromaFeatures([0, 12], 12));
        Assert.Contains("Frame 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChromaFeatures([-1], 12));
        Assert.Throws<ArgumentException>(() => new ChromaFeatures([], 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChromaFeatures([0], 0).FitToLength(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChromaFeatures([0], 12).FitToLength(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChromaFeatures.Null(0));
    }
}
