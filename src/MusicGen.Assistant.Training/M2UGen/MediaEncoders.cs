using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// The frozen encoders of a model set turning a dataset's media into what the adapters take: music → MERT hidden
/// states averaged over time (decoded at the encoder's rate, channel mean, 60 s windows, as M2UGen's encode_audio),
/// image → ViT last_hidden_state, video → ViViT last_hidden_state over the model's frame count spread evenly over the
/// clip, with M2UGen's processor settings scaled to the model's image size (the same path as `mga embed`). Encoders
/// load on first use; each file is encoded once per run.
/// </summary>
public sealed class MediaEncoders(IReadOnlyDictionary<M2UGenModality, string> encoderPaths, ComputeBackend backend) : IDisposable
{
    private readonly Dictionary<string, MediaFeatures> _cache = new(StringComparer.Ordinal);
    private HubertEncoder? _mert;
    private VisionEncoder? _vit, _vivit;

    public MediaFeatures Encode(M2UGenModality modality, string path, CancellationToken cancellation = default)
    {
        var key = $"{modality}:{Path.GetFullPath(path)}";
        if (_cache.TryGetValue(key, out var cached)) return cached;
        if (!File.Exists(path)) throw new FileNotFoundException($"the {modality.Name()} file '{path}' named by the dataset does not exist", path);
        var features = modality switch
        {
            M2UGenModality.Music => Music(path, cancellation),
            M2UGenModality.Image => Image(path, cancellation),
            _ => Video(path, cancellation),
        };
        return _cache[key] = features;
    }

    private string EncoderPath(M2UGenModality m) => encoderPaths.TryGetValue(m, out var p) ? p
        : throw new InvalidOperationException($"the model set has no {m.Name()} encoder, but the training data attaches {m.Name()}");

    private MediaFeatures Music(string path, CancellationToken cancellation)
    {
        _mert ??= HubertEncoder.Load(EncoderPath(M2UGenModality.Music), backend);
        var rate = _mert.Preprocessing.SamplingRate;
        var audio = AudioDecoder.Decode(path, new AudioDecodeOptions { SampleRate = rate }, cancellation);
        var mono = new float[audio.FrameCount];
        foreach (var channel in audio.Channels)
            for (var i = 0; i < mono.Length; i++) mono[i] += channel[i] / audio.ChannelCount;
        var feature = new MertWindowedEncoder(_mert).Encode(mono, null, cancellation);
        return new MediaFeatures(M2UGenModality.Music, feature.Values.ToArray(), feature.StateCount, feature.HiddenSize);
    }

    private MediaFeatures Image(string path, CancellationToken cancellation)
    {
        _vit ??= VisionEncoder.Load(EncoderPath(M2UGenModality.Image), VisionFamily.ViT, backend);
        var c = _vit.Config;
        var image = ImageDecoder.Decode(path, cancellation: cancellation);
        var pixels = new ViTImageProcessor(new ViTImageProcessorSettings { Height = c.ImageHeight, Width = c.ImageWidth })
            .Preprocess(ImageFrame.Rgb24(image.Width, image.Height, image.Pixels));
        var output = _vit.Encode(pixels);
        return new MediaFeatures(M2UGenModality.Image, output.LastHiddenState, output.SequenceLength, output.HiddenSize);
    }

    private MediaFeatures Video(string path, CancellationToken cancellation)
    {
        _vivit ??= VisionEncoder.Load(EncoderPath(M2UGenModality.Video), VisionFamily.ViViT, backend);
        var c = _vivit.Config;
        var video = VideoDecoder.DecodeFrames(path, VideoFrameSampling.Evenly(c.NumFrames), cancellation: cancellation);
        var frames = video.Frames.Select(f => ImageFrame.Rgb24(f.Width, f.Height, f.Pixels)).ToList();
        if (frames.Count != c.NumFrames) throw new InvalidDataException($"'{path}': {frames.Count} frames decoded, the ViViT model takes {c.NumFrames}");
        var settings = new VivitImageProcessorSettings
        {
            Size = ResizeTarget.Shortest((int)Math.Round(Math.Min(c.ImageHeight, c.ImageWidth) * 256 / 224.0)),
            CropHeight = c.ImageHeight,
            CropWidth = c.ImageWidth,
        };
        var output = _vivit.Encode(new VivitImageProcessor(settings).Preprocess(frames));
        return new MediaFeatures(M2UGenModality.Video, output.LastHiddenState, output.SequenceLength, output.HiddenSize);
    }

    public void Dispose()
    {
        _mert?.Dispose();
        _vit?.Dispose();
        _vivit?.Dispose();
    }
}
