using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// The settings of transformers' ViTImageProcessor, read from a preprocessor_config.json (missing keys take
/// transformers' defaults, which google/vit-base-patch16-224 uses: 224×224 bilinear, 1/255, mean = std = 0.5).
/// </summary>
public sealed record ViTImageProcessorSettings
{
    public bool DoResize { get; init; } = true;
    public int Height { get; init; } = 224;
    public int Width { get; init; } = 224;
    public PilResample Resample { get; init; } = PilResample.Bilinear;
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 255.0;
    public bool DoNormalize { get; init; } = true;
    public float[] ImageMean { get; init; } = [0.5f, 0.5f, 0.5f];
    public float[] ImageStd { get; init; } = [0.5f, 0.5f, 0.5f];

    /// <summary>Reads a preprocessor_config.json as ViTImageProcessor.from_pretrained does ("size" may be one number).</summary>
    public static ViTImageProcessorSettings FromJson(string json, string source)
    {
        var o = PreprocessorConfigJson.Parse(json, source);
        var d = new ViTImageProcessorSettings();
        var size = PreprocessorConfigJson.Size(o, "size", ResizeTarget.Exact(d.Height, d.Width), numberIsSquare: true, source);
        if (size.ShortestEdge is not null)
            throw new ModelConfigException($"{source}: ViTImageProcessor resizes to an exact height and width; 'size' {size} is not supported");
        return new ViTImageProcessorSettings
        {
            DoResize = Bool(o, "do_resize", d.DoResize, source),
            Height = size.Height,
            Width = size.Width,
            Resample = PreprocessorConfigJson.Resample(o, "resample", d.Resample, source),
            DoRescale = Bool(o, "do_rescale", d.DoRescale, source),
            RescaleFactor = Double(o, "rescale_factor", d.RescaleFactor, source),
            DoNormalize = Bool(o, "do_normalize", d.DoNormalize, source),
            ImageMean = PreprocessorConfigJson.Floats(o, "image_mean", d.ImageMean, 3, source),
            ImageStd = PreprocessorConfigJson.Floats(o, "image_std", d.ImageStd, 3, source),
        };
    }

    public static ViTImageProcessorSettings FromFile(string path) => FromJson(ReadFile(path, "preprocessor_config.json"), path);
}

/// <summary>
/// transformers' ViTImageProcessor on decoded images: convert to RGB (as PIL's convert("RGB")), resize to the
/// configured height × width with PIL's filter (<see cref="PilResampler"/>), rescale, normalize, CHW. Returns the
/// pixel_values a <see cref="VisionEncoder"/> of the ViT family takes.
/// </summary>
/// <remarks>
/// M2UGen feeds ViT torchvision's ToTensor() output (floats u/255) with do_rescale=False; transformers then converts
/// those floats back to the same bytes for PIL and divides by 255 after resizing, so on RGB24 input this processor,
/// with the checkpoint's own config, gives the same values. (Not reproduced: an image whose every value is 0 or 255
/// takes another path there, where the floats 0 and 1 are resized as the bytes 0 and 1, so resized edges come out as
/// 0 or 1 instead of in-between values.)
/// </remarks>
public sealed class ViTImageProcessor(ViTImageProcessorSettings settings)
{
    public ViTImageProcessorSettings Settings { get; } = Validate(settings);

    public static ViTImageProcessor FromPreprocessorConfig(string path) => new(ViTImageProcessorSettings.FromFile(path));

    public PixelValues Preprocess(ImageFrame image) => Preprocess([image]);

    /// <summary>pixel_values [batch, 3, height, width] for a batch of images (all of one size once resized).</summary>
    public PixelValues Preprocess(IReadOnlyList<ImageFrame> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images to preprocess", nameof(images));
        var s = Settings;
        var (height, width) = s.DoResize ? (s.Height, s.Width) : (images[0].Height, images[0].Width);
        for (var i = 0; i < images.Count; i++)
            if (!s.DoResize && (images[i].Height != height || images[i].Width != width))
                throw new ArgumentException($"image {i} is {images[i].Width}×{images[i].Height} but image 0 is {width}×{height}; without resizing a batch needs one size", nameof(images));
        var scaling = new PixelScaling(s.DoRescale, s.RescaleFactor, false, s.DoNormalize, s.ImageMean, s.ImageStd);
        var plane = 3 * height * width;
        var data = new float[(long)images.Count * plane];
        Parallel.For(0, images.Count, i =>
        {
            var image = images[i] ?? throw new ArgumentException($"image {i} is null", nameof(images));
            var rgb = image.ToRgb24();
            if (s.DoResize) rgb = PilResampler.Resize(rgb, image.Width, image.Height, 3, width, height, s.Resample);
            scaling.WriteChw(rgb, height, width, data.AsSpan(i * plane, plane));
        });
        return PixelValues.Images(data, images.Count, 3, height, width);
    }

    private static ViTImageProcessorSettings Validate(ViTImageProcessorSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.DoResize && (s.Height < 1 || s.Width < 1)) throw new ModelConfigException($"ViTImageProcessor: size {s.Height}×{s.Width} must be positive");
        if (s.ImageMean.Length != 3 || s.ImageStd.Length != 3)
            throw new ModelConfigException($"ViTImageProcessor: image_mean and image_std need 3 values (RGB), got {s.ImageMean.Length} and {s.ImageStd.Length}");
        return s;
    }
}
