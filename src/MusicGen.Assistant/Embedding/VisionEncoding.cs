using System.Diagnostics;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Embedding;

/// <summary>
/// Image or video file → ViT / ViViT last_hidden_state. Pictures are decoded to RGB by ffmpeg and prepared by the
/// transformers-equivalent image processor: M2UGen's settings (ViT: resize to the model's size, /255, mean = std =
/// 0.5; ViViT: shortest edge 256/224 of the crop, center crop, /127.5 with offset) scaled to the model's image size,
/// unless a preprocessor_config.json is given. Video: the model's frame count (32 for ViViT-B), spread evenly over the
/// clip (M2UGen draws 32 consecutive frames at a random position instead).
/// </summary>
internal static class VisionEncoding
{
    public static EncodedMedia Run(ComputeBackend backend, M2UGenModality modality, string mediaPath, string modelPath,
        string? preprocessorConfig, CancellationToken cancellation)
    {
        var family = modality == M2UGenModality.Image ? VisionFamily.ViT : VisionFamily.ViViT;
        using var encoder = VisionEncoder.Load(modelPath, family, backend);
        var c = encoder.Config;
        var clock = Stopwatch.StartNew();
        var (pixels, input, seconds) = Prepare(c, mediaPath, preprocessorConfig, cancellation);
        var decodeTime = clock.Elapsed;

        clock.Restart();
        cancellation.ThrowIfCancellationRequested();
        var output = encoder.Encode(pixels);
        return new EncodedMedia(modality, output.LastHiddenState, [output.SequenceLength, output.HiddenSize],
            $"{input} → pixel values {pixels}",
            $"{c.Name} last_hidden_state, {output.SequenceLength} tokens × {output.HiddenSize}",
            decodeTime, clock.Elapsed, seconds);
    }

    /// <summary>A picture or clip decoded and prepared for an encoder of config <paramref name="c"/> (the assistant's attachments use it too).</summary>
    internal static (PixelValues Pixels, string Input, double? Seconds) Prepare(VisionTransformerConfig c, string mediaPath,
        string? preprocessorConfig, CancellationToken cancellation)
    {
        PixelValues pixels;
        string input;
        double? seconds = null;
        if (c.Family == VisionFamily.ViT)
        {
            var image = ImageDecoder.Decode(mediaPath, cancellation: cancellation);
            var settings = preprocessorConfig is null
                ? new ViTImageProcessorSettings { Height = c.ImageHeight, Width = c.ImageWidth }
                : ViTImageProcessorSettings.FromFile(preprocessorConfig);
            pixels = new ViTImageProcessor(settings).Preprocess(ImageFrame.Rgb24(image.Width, image.Height, image.Pixels));
            input = $"{image.Width}×{image.Height} image";
        }
        else
        {
            var video = VideoDecoder.DecodeFrames(mediaPath, VideoFrameSampling.Evenly(c.NumFrames), cancellation: cancellation);
            var settings = preprocessorConfig is null
                ? new VivitImageProcessorSettings
                {
                    Size = ResizeTarget.Shortest((int)Math.Round(Math.Min(c.ImageHeight, c.ImageWidth) * 256 / 224.0)),
                    CropHeight = c.ImageHeight,
                    CropWidth = c.ImageWidth,
                }
                : VivitImageProcessorSettings.FromFile(preprocessorConfig);
            var frames = video.Frames.Select(f => ImageFrame.Rgb24(f.Width, f.Height, f.Pixels)).ToList();
            if (frames.Count != c.NumFrames)
                throw AssistantException.BadInput($"'{mediaPath}': {frames.Count} frames decoded, but the ViViT model takes {c.NumFrames}");
            pixels = new VivitImageProcessor(settings).Preprocess(frames);
            seconds = video.Source.DurationOf(video.Stream)?.TotalSeconds;
            input = $"{frames.Count} frames of {video.Width}×{video.Height}{(seconds is { } s ? $" spread over {Units.Seconds(s)}" : "")}";
        }
        return (pixels, input, seconds);
    }
}
