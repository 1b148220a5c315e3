using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Models.Tests.Vision;

public class ImageProcessorTests
{
    public static TheoryData<int> ProcessorCases() => [.. Enumerable.Range(0, PilReference.Cases("processors").Count)];

    [Theory]
    [MemberData(nameof(ProcessorCases))]
    public void Pixel_values_match_the_reference_arithmetic(int index)
    {
        var c = PilReference.Cases("processors")[index]!;
        var settingsJson = c["settings"]!.ToJsonString();
        var images = c["images"]!.AsArray().Select(i => PilReference.Image(i!)).ToArray();
        var pixels = c["processor"]!.GetValue<string>() == "vit"
            ? new ViTImageProcessor(ViTImageProcessorSettings.FromJson(settingsJson, "case")).Preprocess(images)
            : new VivitImageProcessor(VivitImageProcessorSettings.FromJson(settingsJson, "case")).Preprocess(images);
        var shape = c["expected_shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        var expected = PilReference.Floats(c["expected"]!);
        if (shape.Length == 4) Assert.Equal(shape, new[] { pixels.Batch, pixels.Channels, pixels.Height, pixels.Width });
        else Assert.Equal(shape, new[] { pixels.Batch, pixels.Frames, pixels.Channels, pixels.Height, pixels.Width });
        Assert.Equal(expected.Length, pixels.Data.Length);
        for (var i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(pixels.Data[i]))
                Assert.Fail($"case {index}: value {i} is {pixels.Data[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void The_defaults_are_transformers_defaults()
    {
        var vit = ViTImageProcessorSettings.FromJson("{}", "p.json");
        Assert.Equal((224, 224, PilResample.Bilinear, 1 / 255.0), (vit.Height, vit.Width, vit.Resample, vit.RescaleFactor));
        Assert.Equal([0.5f, 0.5f, 0.5f], vit.ImageMean);
        // the old ViTFeatureExtractor style of google/vit-base-patch16-224: "size": 224
        var old = ViTImageProcessorSettings.FromJson("""{"do_normalize": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224}""", "p.json");
        Assert.Equal(vit, old with { ImageMean = vit.ImageMean, ImageStd = vit.ImageStd });

        var vivit = VivitImageProcessorSettings.FromJson("""{"do_zero_centering": true}""", "p.json");
        Assert.Equal(ResizeTarget.Shortest(256), vivit.Size);
        Assert.Equal((224, 224, 1 / 127.5, true, true), (vivit.CropHeight, vivit.CropWidth, vivit.RescaleFactor, vivit.Offset, vivit.DoNormalize));
        // offset then normalize: byte 0 -> (0 - 1 - 0.5) / 0.5 = -3, byte 255 -> (1 - 0.5) / 0.5 = 1
        var clip = new VivitImageProcessor(vivit with { Size = ResizeTarget.Exact(2, 2), CropHeight = 2, CropWidth = 2 })
            .Preprocess([ImageFrame.Rgb24(2, 2, new byte[] { 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255 })]);
        Assert.Equal((1, 1, 3, 2, 2), (clip.Batch, clip.Frames, clip.Channels, clip.Height, clip.Width));
        Assert.Equal(new float[] { -3, 1, -3, 1, 1, -3, 1, -3, -3, 1, -3, 1 }, clip.Data);
    }

    [Fact]
    public void A_constant_image_gives_constant_planes()
    {
        // u = 51: 51/255 = 0.2, (0.2 - mean) / std per channel; resizing a constant image keeps it constant
        var settings = new ViTImageProcessorSettings { Height = 5, Width = 4, ImageMean = [0.1f, 0.2f, 0.3f], ImageStd = [0.5f, 0.25f, 2f] };
        var image = ImageFrame.Rgb24(7, 9, Enumerable.Repeat((byte)51, 7 * 9 * 3).ToArray());
        var pixels = new ViTImageProcessor(settings).Preprocess(image);
        float[] expected = [((float)(51 / 255.0) - 0.1f) / 0.5f, ((float)(51 / 255.0) - 0.2f) / 0.25f, ((float)(51 / 255.0) - 0.3f) / 2f];
        for (var c = 0; c < 3; c++) Assert.All(pixels.Data.AsSpan(c * 20, 20).ToArray(), v => Assert.Equal(expected[c], v));
        Assert.Equal(0.2f, expected[0], 6);
    }

    [Fact]
    public void Shortest_edge_keeps_the_aspect_as_transformers_truncates_it()
    {
        Assert.Equal((256, 455), ResizeTarget.Shortest(256).OutputSize(1080, 1920)); // int(256 * 1920 / 1080) = 455
        Assert.Equal((455, 256), ResizeTarget.Shortest(256).OutputSize(1920, 1080));
        Assert.Equal((20, 20), ResizeTarget.Shortest(20).OutputSize(7, 7));
        Assert.Equal((30, 20), ResizeTarget.Shortest(20).OutputSize(26, 17)); // int(20 * 26 / 17) = 30
        Assert.Equal((3, 4), ResizeTarget.Exact(3, 4).OutputSize(100, 1));
    }

    [Fact]
    public void Center_crop_takes_the_middle_and_pads_small_images_with_zeros()
    {
        // 4 wide × 3 high, 1 channel, values 1..12
        var image = Enumerable.Range(1, 12).Select(v => (byte)v).ToArray();
        // window 2×2: top = (3 - 2) // 2 = 0, left = (4 - 2) // 2 = 1
        Assert.Equal(new byte[] { 2, 3, 6, 7 }, CenterCrop.Apply(image, 3, 4, 1, 2, 2));
        // 5 high × 2 wide: rows padded ceil((5 - 3) / 2) = 1 above, columns cropped from (4 - 2) // 2 = 1
        Assert.Equal(new byte[] { 0, 0, 2, 3, 6, 7, 10, 11, 0, 0 }, CenterCrop.Apply(image, 3, 4, 1, 5, 2));
        // 4 high × 7 wide: pad 1 row above (ceil(1/2)), 2 columns left (ceil(3/2)), 1 right
        var padded = CenterCrop.Apply(image, 3, 4, 1, 4, 7);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 9, 10, 11, 12, 0 }, padded);
    }

    [Theory]
    [InlineData("""{"size": {"shortest_edge": 224}}""", "p.json: ViTImageProcessor resizes to an exact height and width")]
    [InlineData("""{"size": {"longest_edge": 224}}""", "p.json: 'size' {\"longest_edge\":224} is not supported")]
    [InlineData("""{"resample": 9}""", "p.json: 'resample' is 9; PIL's filters are 0 (nearest) to 5 (hamming)")]
    [InlineData("""{"image_mean": [0.5, 0.5]}""", "p.json: 'image_mean' has 2 values, expected one per channel (3)")]
    [InlineData("""{"size": 0}""", "p.json: 'size' 0×0 must be positive")]
    [InlineData("""[1, 2]""", "p.json: expected a JSON object")]
    public void A_bad_vit_preprocessor_config_is_refused_naming_the_key(string json, string message)
    {
        var e = Assert.Throws<ModelConfigException>(() => ViTImageProcessorSettings.FromJson(json, "p.json"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Vivit_refuses_offset_without_rescale_and_mixed_sizes()
    {
        var e = Assert.Throws<ModelConfigException>(() => new VivitImageProcessor(VivitImageProcessorSettings.FromJson("""{"do_rescale": false}""", "p.json")));
        Assert.Contains("offset needs do_rescale", e.Message);
        var e2 = Assert.Throws<ModelConfigException>(() => VivitImageProcessorSettings.FromJson("""{"crop_size": {"shortest_edge": 3}}""", "p.json"));
        Assert.Contains("'crop_size' must give a height and a width", e2.Message);

        var noCrop = new VivitImageProcessor(new VivitImageProcessorSettings { DoCenterCrop = false, Size = ResizeTarget.Shortest(4) });
        var a = ImageFrame.Rgb24(8, 4, new byte[8 * 4 * 3]);
        var b = ImageFrame.Rgb24(4, 8, new byte[8 * 4 * 3]);
        var e3 = Assert.Throws<ArgumentException>(() => noCrop.Preprocess([a, b]));
        Assert.Contains("frames end at different sizes (8×4, 4×8)", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => noCrop.Preprocess(new[] { new[] { a }, new[] { a, a } }));
        Assert.Contains("clip 1 has 2 frames, clip 0 has 1", e4.Message);
    }

    [Fact]
    public void Vit_without_resizing_needs_one_size()
    {
        var p = new ViTImageProcessor(new ViTImageProcessorSettings { DoResize = false });
        var e = Assert.Throws<ArgumentException>(() => p.Preprocess([ImageFrame.Rgb24(2, 2, new byte[12]), ImageFrame.Rgb24(3, 2, new byte[18])]));
        Assert.Contains("image 1 is 3×2 but image 0 is 2×2", e.Message);
        var same = p.Preprocess([ImageFrame.Rgb24(2, 2, new byte[12]), ImageFrame.Rgb24(2, 2, new byte[12])]);
        Assert.Equal((2, 3, 2, 2), (same.Batch, same.Channels, same.Height, same.Width));
        Assert.All(same.Data, v => Assert.Equal(-1f, v)); // (0 - 0.5) / 0.5
    }
}
