using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

public sealed class ImageDecoderTests : IDisposable
{
    private const int Width = 7, Height = 5; // odd sizes: no row padding or chroma pairing may hide

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every pixel different: R from x, G from y, B from both.</summary>
    private static byte[] Pattern(int channels)
    {
        var bytes = new byte[Width * Height * channels];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = (y * Width + x) * channels;
                bytes[i] = (byte)(30 * x + 5);
                if (channels == 1) continue;
                bytes[i + 1] = (byte)(50 * y + 3);
                bytes[i + 2] = (byte)(7 * x * y + 11);
                if (channels == 4) bytes[i + 3] = (byte)(40 * x); // alpha from fully transparent to opaque
            }
        return bytes;
    }

    /// <summary>Raw pixels converted to an image file by ffmpeg.</summary>
    private string Image(string name, byte[] raw, string inputPixelFormat, params string[] output)
    {
        string rawPath = _dir.Write(name + ".raw", raw);
        string path = _dir.File(name);
        Ffmpeg.Run(["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", inputPixelFormat, "-s", $"{Width}x{Height}", "-i", rawPath,
            "-frames:v", "1", .. output, "-y", path]);
        return path;
    }

    [Theory]
    [InlineData("a.png", "png")]
    [InlineData("a.bmp", "bmp")]
    [InlineData("a.webp", "libwebp")]
    public void Lossless_images_decode_to_exactly_their_pixels(string name, string codec)
    {
        byte[] rgb = Pattern(3);
        string[] extra = codec == "libwebp" ? ["-lossless", "1"] : [];
        RgbImage image = ImageDecoder.Decode(Image(name, rgb, "rgb24", ["-c:v", codec, .. extra]));
        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.Equal(rgb, image.Pixels);
        Assert.Equal(((byte)35, (byte)103, (byte)25), image[1, 2]);
    }

    [Fact]
    public void Grayscale_is_spread_to_three_equal_channels()
    {
        byte[] gray = Pattern(1);
        RgbImage image = ImageDecoder.Decode(Image("g.png", gray, "gray", "-c:v", "png", "-pix_fmt", "gray"));
        for (int p = 0; p < gray.Length; p++)
            Assert.Equal((gray[p], gray[p], gray[p]), (image.Pixels[3 * p], image.Pixels[3 * p + 1], image.Pixels[3 * p + 2]));
    }

    [Fact]
    public void Alpha_is_dropped_and_colours_kept_even_where_fully_transparent()
    {
        byte[] rgba = Pattern(4);
        RgbImage image = ImageDecoder.Decode(Image("a.png", rgba, "rgba", "-c:v", "png", "-pix_fmt", "rgba"));
        for (int p = 0; p < Width * Height; p++)
            Assert.Equal((rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]), (image.Pixels[3 * p], image.Pixels[3 * p + 1], image.Pixels[3 * p + 2]));
    }

    [Fact]
    public void Jpeg_decodes_close_to_its_source()
    {
        // a smooth gradient: what JPEG keeps well
        var rgb = new byte[64 * 48 * 3];
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                (rgb[(y * 64 + x) * 3], rgb[(y * 64 + x) * 3 + 1], rgb[(y * 64 + x) * 3 + 2]) = ((byte)(2 * x), (byte)(3 * y), 128);
        string raw = _dir.Write("g.raw", rgb);
        Ffmpeg.Run("-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x48", "-i", raw, "-frames:v", "1", "-q:v", "2", "-y", _dir.File("g.jpg"));
        RgbImage image = ImageDecoder.Decode(_dir.File("g.jpg"));
        Assert.Equal((64, 48), (image.Width, image.Height));
        double meanError = rgb.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 3, $"mean error {meanError}");
    }

    [Fact]
    public void The_cover_picture_of_an_mp3_is_an_image()
    {
        string cover = Image("cover.png", Pattern(3), "rgb24", "-c:v", "png");
        string wav = _dir.File("s.wav");
        WavWriter.Write(wav, TestMedia.ToneAndNoise(44100, 0.5));
        string mp3 = _dir.File("s.mp3");
        Ffmpeg.Run("-loglevel", "error", "-i", wav, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "copy",
            "-disposition:v:0", "attached_pic", "-y", mp3);
        Assert.Equal(Pattern(3), ImageDecoder.Decode(mp3).Pixels);
    }

    [Fact]
    public void The_first_frame_of_a_video_is_an_image()
    {
        RgbImage frame = ImageDecoder.Decode(TestMedia.Video(_dir, "v.mp4"));
        Assert.Equal((64, 48), (frame.Width, frame.Height));
    }

    [Fact]
    public void Audio_has_no_picture()
    {
        WavWriter.Write(_dir.File("a.wav"), TestMedia.ToneAndNoise(8000, 0.2));
        var e = Assert.Throws<MediaFormatException>(() => ImageDecoder.Decode(_dir.File("a.wav")));
        Assert.Equal(MediaProblem.NoVideoStream, e.Kind);
        Assert.Contains("has no image or video stream (it holds audio:", e.Message);
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_before_decoding()
    {
        string png = Image("a.png", Pattern(3), "rgb24", "-c:v", "png");
        var e = Assert.Throws<MediaFormatException>(() => ImageDecoder.Decode(png, maxPixels: 34));
        Assert.Equal(MediaProblem.TooLarge, e.Kind);
        Assert.Contains("7x5 = 35 pixels, over the limit of 34 (MaxPixels)", e.Message);
    }

    [Fact]
    public void A_truncated_png_is_an_error_not_a_partial_picture()
    {
        var rgb = new byte[64 * 64 * 3];
        new Random(5).NextBytes(rgb); // incompressible: the cut falls inside the pixel data
        string raw = _dir.Write("n.raw", rgb);
        Ffmpeg.Run("-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x64", "-i", raw, "-frames:v", "1", "-y", _dir.File("n.png"));
        string cut = TestMedia.Truncate(_dir, _dir.File("n.png"), "cut.png");
        var e = Assert.Throws<MediaFormatException>(() => ImageDecoder.Decode(cut));
        Assert.Contains("cut.png", e.Message);
        Assert.Contains(e.Kind, new[] { MediaProblem.Damaged, MediaProblem.DecodeFailed });
    }
}
