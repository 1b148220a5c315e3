using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Models.Tests.Vision;

public class ImageFrameTests
{
    [Fact]
    public void Gray_and_alpha_images_convert_to_rgb_as_pillow_does()
    {
        var cases = PilReference.Cases("convert");
        Assert.Equal(3, cases.Count);
        foreach (var c in cases)
        {
            var image = PilReference.Image(c!);
            Assert.Equal(PilReference.Bytes(c!["expected"]!), image.ToRgb24());
        }
    }

    [Fact]
    public void Rgba_drops_alpha_and_gray_fills_every_channel()
    {
        Assert.Equal(new byte[] { 1, 2, 3, 5, 6, 7 }, new ImageFrame(2, 1, ImagePixelFormat.Rgba32, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }).ToRgb24());
        Assert.Equal(new byte[] { 9, 9, 9, 200, 200, 200 }, new ImageFrame(2, 1, ImagePixelFormat.Gray8, new byte[] { 9, 200 }).ToRgb24());
        Assert.Equal(new byte[] { 9, 9, 9 }, new ImageFrame(1, 1, ImagePixelFormat.GrayAlpha16, new byte[] { 9, 0 }).ToRgb24());
    }

    [Fact]
    public void A_buffer_of_the_wrong_length_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageFrame.Rgb24(4, 3, new byte[35]));
        Assert.Contains("a 4×3 Rgb24 image holds 36 bytes, got 35", e.Message);
        Assert.Throws<ArgumentException>(() => new ImageFrame(0, 3, ImagePixelFormat.Gray8, Array.Empty<byte>()));
    }
}
