using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// The settings of transformers' VivitImageProcessor, read from a preprocessor_config.json as transformers 4.35–4.40
/// reads it (the versions M2UGen and the fixtures use). Missing keys take that class's defaults: shortest edge 256
/// (bilinear), centre crop 224×224, rescale 1/127.5 with offset (x·s - 1, so [-1, 1]), then normalize with
/// mean = std = 0.5. A key that version does not know (e.g. the older "do_zero_centering") is ignored there, and here.
/// </summary>
public sealed record VivitImageProcessorSettings
{
    public bool DoResize { get; init; } = true;
    public ResizeTarget Size { get; init; } = ResizeTarget.Shortest(256);
    public PilResample Resample { get; init; } = PilResample.Bilinear;
    public bool DoCenterCrop { get; init; } = true;
    public int CropHeight { get; init; } = 224;
    public int CropWidth { get; init; } = 224;
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 127.5;
    public bool Offset { get; init; } = true;
    public bool DoNormalize { get; init; } = true;
    public float[] ImageMean { get; init; } = [0.5f, 0.5f, 0.5f];
    public float[] ImageStd { get; init; } = [0.5f, 0.5f, 0.5f];

    public static VivitImageProcessorSettings FromJson(string json, string source)
    {
        var o = PreprocessorConfigJson.Parse(json, source);
        var d = new VivitImageProcessorSettings();
        var crop = PreprocessorConfigJson.Size(o, "crop_size", ResizeTarget.Exact(d.CropHeight, d.CropWidth), numberIsSquare: true, source);
        if (crop.ShortestEdge is not null) throw new ModelConfigException($"{source}: 'crop_size' must give a height and a width, found {crop}");
        return new VivitImageProcessorSettings
        {
            DoResize = Bool(o, "do_resize", d.DoResize, source),
            Size = PreprocessorConfigJson.Size(o, "size", d.Size, numberIsSquare: false, source),
            Resample = PreprocessorConfigJson.Resample(o, "resample", d.Resample, source),
            DoCenterCrop = Bool(o, "do_center_crop", d.DoCenterCrop, source),
            CropHeight = crop.Height,
            CropWidth = crop.Width,
            DoRescale = Bool(o, "do_rescale", d.DoRescale, source),
            RescaleFactor = Double(o, "rescale_factor", d.RescaleFactor, source),
            Offset = Bool(o, "offset", d.Offset, source),
            DoNormalize = Bool(o, "do_normalize", d.DoNormalize, source),
            ImageMean = PreprocessorConfigJson.Floats(o, "image_mean", d.ImageMean, 3, source),
            ImageStd = PreprocessorConfigJson.Floats(o, "image_std", d.ImageStd, 3, source),
        };
    }

    public static VivitImageProcessorSettings FromFile(string path) => FromJson(HfConfigJson.ReadFile(path, "preprocessor_config.json"), path);
}

/// <summary>
/// transformers' VivitImageProcessor on decoded frames: per frame convert to RGB (PIL's convert("RGB")), resize
/// (shortest edge or exact, PIL filter), centre crop (zero padding where the frame is smaller), rescale with the
/// optional offset, normalize, CHW. Returns pixel_values [clips, frames, 3, height, width] for a
/// <see cref="VisionEncoder"/> of the ViViT family.
/// </summary>
public sealed class VivitImageProcessor(VivitImageProcessorSettings settings)
{
    public VivitImageProcessorSettings Settings { get; } = Validate(settings);

    public static VivitImageProcessor FromPreprocessorConfig(string path) => new(VivitImageProcessorSettings.FromFile(path));

    /// <summary>One clip (M2UGen's <c>processor(list(frames))</c>): pixel_values [1, frames, 3, H, W].</summary>
    public PixelValues Preprocess(IReadOnlyList<ImageFrame> frames) => Preprocess([frames]);

    /// <summary>A batch of clips with equal frame counts whose frames all end at one size.</summary>
    public PixelValues Preprocess(IReadOnlyList<IReadOnlyList<ImageFrame>> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0) throw new ArgumentException("no clips to preprocess", nameof(clips));
        var frameCount = clips[0]?.Count ?? 0;
        for (var v = 0; v < clips.Count; v++)
        {
            if (clips[v] is not { Count: > 0 } clip) throw new ArgumentException($"clip {v} has no frames", nameof(clips));
            if (clip.Count != frameCount) throw new ArgumentException($"clip {v} has {clip.Count} frames, clip 0 has {frameCount}", nameof(clips));
        }
        var all = clips.SelectMany(c => c).ToArray();
        var sizes = all.Select(f => OutputSize(f ?? throw new ArgumentException("a frame is null", nameof(clips)))).Distinct().ToArray();
        if (sizes.Length != 1)
            throw new ArgumentException($"frames end at different sizes ({string.Join(", ", sizes.Select(s => $"{s.Width}×{s.Height}"))}); a batch needs one size", nameof(clips));
        var (height, width) = sizes[0];

        var s = Settings;
        var scaling = new PixelScaling(s.DoRescale, s.RescaleFactor, s.Offset, s.DoNormalize, s.ImageMean, s.ImageStd);
        var plane = 3 * height * width;
        var data = new float[(long)all.Length * plane];
        Parallel.For(0, all.Length, i =>
        {
            var frame = all[i];
            var rgb = frame.ToRgb24();
            int h = frame.Height, w = frame.Width;
            if (s.DoResize)
            {
                var (rh, rw) = s.Size.OutputSize(h, w);
                rgb = PilResampler.Resize(rgb, w, h, 3, rw, rh, s.Resample);
                (h, w) = (rh, rw);
            }
            if (s.DoCenterCrop) rgb = CenterCrop.Apply(rgb, h, w, 3, s.CropHeight, s.CropWidth);
            scaling.WriteChw(rgb, height, width, data.AsSpan(i * plane, plane));
        });
        return PixelValues.Videos(data, clips.Count, frameCount, 3, height, width);
    }

    private (int Height, int Width) OutputSize(ImageFrame f)
    {
        var s = Settings;
        if (s.DoCenterCrop) return (s.CropHeight, s.CropWidth);
        return s.DoResize ? s.Size.OutputSize(f.Height, f.Width) : (f.Height, f.Width);
    }

    private static VivitImageProcessorSettings Validate(VivitImageProcessorSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        // transformers: "For offset, do_rescale must also be set to True."
        if (s.Offset && !s.DoRescale) throw new ModelConfigException("VivitImageProcessor: offset needs do_rescale (transformers refuses offset without rescaling)");
        if (s.DoCenterCrop && (s.CropHeight < 1 || s.CropWidth < 1)) throw new ModelConfigException($"VivitImageProcessor: crop_size {s.CropHeight}×{s.CropWidth} must be positive");
        if (s.ImageMean.Length != 3 || s.ImageStd.Length != 3)
            throw new ModelConfigException($"VivitImageProcessor: image_mean and image_std need 3 values (RGB), got {s.ImageMean.Length} and {s.ImageStd.Length}");
        return s;
    }
}
