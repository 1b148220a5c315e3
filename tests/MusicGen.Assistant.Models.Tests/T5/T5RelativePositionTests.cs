using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>The bucket math against values worked out by hand from transformers' formula.</summary>
public class T5RelativePositionTests
{
    // t5-base: 32 buckets (16 per direction, 8 exact), max_distance 128.
    // n >= 8: 8 + trunc(ln(n/8) / ln(16) * 8), capped at 15; keys after the query (positive offsets) add 16.
    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 1)]
    [InlineData(-7, 7)]
    [InlineData(-8, 8)]      // ln(1) = 0
    [InlineData(-11, 8)]     // ln(1.375)/ln(16)*8 = 0.919
    [InlineData(-12, 9)]     // ln(1.5)/ln(16)*8 = 1.170
    [InlineData(-15, 9)]     // 1.814
    [InlineData(-16, 10)]    // exactly 2 in float32: ln(2) and ln(16) round to the same mantissa
    [InlineData(-32, 12)]    // exactly 4
    [InlineData(-64, 14)]    // exactly 6
    [InlineData(-127, 15)]   // 7.977
    [InlineData(-128, 15)]   // 8, capped at 7
    [InlineData(-100000, 15)]
    [InlineData(1, 17)]
    [InlineData(7, 23)]
    [InlineData(8, 24)]
    [InlineData(12, 25)]
    [InlineData(16, 26)]
    [InlineData(64, 30)]
    [InlineData(500, 31)]
    public void T5_base_buckets(int offset, int bucket) =>
        Assert.Equal(bucket, T5RelativePosition.Bucket(offset, numBuckets: 32, maxDistance: 128));

    // 8 buckets: 4 per direction, 2 exact; n >= 2: 2 + trunc(ln(n/2) / ln(8) * 2), capped at 3
    [Theory]
    [InlineData(-1, 1)]
    [InlineData(-2, 2)]
    [InlineData(-4, 2)]   // 0.667
    [InlineData(-5, 2)]   // 0.881
    [InlineData(-6, 3)]   // 1.057
    [InlineData(-16, 3)]  // 2, capped
    [InlineData(3, 6)]
    [InlineData(9, 7)]
    public void Small_bucket_counts(int offset, int bucket) =>
        Assert.Equal(bucket, T5RelativePosition.Bucket(offset, numBuckets: 8, maxDistance: 16));

    [Fact]
    public void Later_keys_use_the_upper_half_and_distance_never_decreases_the_bucket()
    {
        for (var d = 1; d < 300; d++)
        {
            Assert.Equal(T5RelativePosition.Bucket(-d, 32, 128) + 16, T5RelativePosition.Bucket(d, 32, 128));
            Assert.True(T5RelativePosition.Bucket(-d, 32, 128) >= T5RelativePosition.Bucket(-(d - 1), 32, 128), $"offset {-d}");
        }
    }

    [Fact]
    public void The_grid_is_query_major_with_key_minus_query_offsets()
    {
        var grid = T5RelativePosition.Grid(3, 32, 128);
        // rows: query 0 sees offsets 0, 1, 2; query 1: -1, 0, 1; query 2: -2, -1, 0
        Assert.Equal([0, 17, 18, 1, 0, 17, 2, 1, 0], grid);
        var big = T5RelativePosition.Grid(70, 32, 128);
        Assert.Equal(70 * 70, big.Length);
        Assert.Equal(T5RelativePosition.Bucket(-64, 32, 128), big[66 * 70 + 2]);
    }

    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        Assert.Contains("numBuckets", Assert.Throws<ArgumentOutOfRangeException>(() => T5RelativePosition.Bucket(5, 2, 128)).Message);
        Assert.Contains("maxDistance", Assert.Throws<ArgumentOutOfRangeException>(() => T5RelativePosition.Bucket(20, 32, 8)).Message);
        Assert.Contains("length", Assert.Throws<ArgumentOutOfRangeException>(() => T5RelativePosition.Grid(0, 32, 128)).Message);
    }
}
