using MusicGen.Assistant.Media;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Media;

public class SpooledSamplesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Windows_read_back_what_was_appended_block_by_block(int channels)
    {
        using var dir = new TempDirectory();
        var signal = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, 50_000).Select(i => i * 0.5f + c * 1e6f).ToArray()).ToArray();
        using (var spool = new SpooledSamples(dir.Path, "x", channels))
        {
            for (var start = 0; start < 50_000; start += 7_001)
            {
                var n = Math.Min(7_001, 50_000 - start);
                spool.Append(signal.Select(ch => ch[start..(start + n)]).ToArray(), n);
            }
            Assert.Equal(50_000, spool.Length);
            Assert.Single(dir.FileNames()); // the hidden spool file

            var window = new float[20_000];
            for (var c = 0; c < channels; c++)
            {
                spool.Read(c, 29_999, window);
                Assert.Equal(signal[c][29_999..49_999], window);
            }
            Assert.Throws<ArgumentOutOfRangeException>(() => spool.Read(0, 40_000, window));
        }
        Assert.Empty(dir.FileNames());
    }
}
