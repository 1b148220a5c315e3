using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Models.Tests.Vision;

public class PilResamplerTests
{
    public static TheoryData<int> ResizeCases() => [.. Enumerable.Range(0, PilReference.Cases("resize").Count)];

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void Resizing_gives_pillows_bytes(int index)
    {
        var c = PilReference.Cases("resize")[index]!;
        var image = PilReference.Image(c);
        int outWidth = c["out_width"]!.GetValue<int>(), outHeight = c["out_height"]!.GetValue<int>();
        var filter = (PilResample)c["filter"]!.GetValue<int>();
        var actual = PilResampler.Resize(image.Pixels.Span, image.Width, image.Height, 3, outWidth, outHeight, filter);
        var expected = PilReference.Bytes(c["expected"]!);
        var first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => actual[i] != expected[i], -1);
        Assert.True(first < 0, $"{image.Width}×{image.Height} -> {outWidth}×{outHeight} {filter}: byte {first} is {(first < 0 ? 0 : actual[first])}, Pillow gives {(first < 0 ? 0 : expected[first])}");
        Assert.Equal(expected.Length, actual.Length);
    }

    [Theory]
    [InlineData(PilResample.Nearest)]
    [InlineData(PilResample.Lanczos)]
    [InlineData(PilResample.Bilinear)]
    [InlineData(PilResample.Bicubic)]
    [InlineData(PilResample.Box)]
    [InlineData(PilResample.Hamming)]
    public void A_constant_image_stays_constant(PilResample filter)
    {
        var pixels = Enumerable.Repeat(new byte[] { 200, 7, 255 }, 11 * 5).SelectMany(p => p).ToArray();
        foreach (var (w, h) in new[] { (3, 2), (30, 13), (11, 5), (4, 9) })
        {
            var resized = PilResampler.Resize(pixels, 11, 5, 3, w, h, filter);
            Assert.Equal(Enumerable.Repeat(new byte[] { 200, 7, 255 }, w * h).SelectMany(p => p), resized);
        }
    }

    [Fact]
    public void Halving_with_bilinear_widens_the_triangle_to_two_pixels()
    {
        // 4 -> 2 columns: scale 2, support 2. Output 0 is centred at 1.0 and reads inputs 0..2 at distances 0.5, 0.5,
        // 1.5 (scaled 0.25, 0.25, 0.75): weights 0.75, 0.75, 0.25 over 1.75 -> (7.5 + 15 + 7.5) / 1.75 = 17.14 -> 17.
        // Output 1 (centre 3.0) reads inputs 1..3 with 0.25, 0.75, 0.75 -> (5 + 22.5 + 30.75) / 1.75 = 33.29 -> 33.
        byte[] gray = [10, 20, 30, 41];
        Assert.Equal(new byte[] { 17, 33 }, PilResampler.Resize(gray, 4, 1, 1, 2, 1, PilResample.Bilinear));
        // the same row twice, halved vertically as well: the vertical pass sees equal rows and keeps them
        Assert.Equal(new byte[] { 17, 33 }, PilResampler.Resize([.. gray, .. gray], 4, 2, 1, 2, 1, PilResample.Bilinear));
    }

    [Fact]
    public void The_same_size_is_a_copy_and_bad_arguments_are_refused()
    {
        byte[] pixels = [1, 2, 3, 4, 5, 6];
        Assert.Equal(pixels, PilResampler.Resize(pixels, 2, 1, 3, 2, 1, PilResample.Lanczos));
        var e = Assert.Throws<ArgumentException>(() => PilResampler.Resize(pixels, 2, 2, 3, 1, 1, PilResample.Bilinear));
        Assert.Contains("a 2×2 image of 3 channels holds 12 bytes, got 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => PilResampler.Resize(pixels, 2, 1, 3, 1, 1, (PilResample)7));
        Assert.Contains("resample 7 is not one of PIL's filters", e.Message);
    }
}
