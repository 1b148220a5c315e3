using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Embedding;

/// <summary>
/// <c>mga embed</c> end to end, with every model converted by <c>mga convert</c>: the music path reproduces the
/// PyTorch M2UGen adapter token from the fixture waveform; the image and video paths run ffmpeg-decoded pictures
/// through the processors, encoders and adapters.
/// </summary>
public sealed class EmbedCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static FixtureSet M2UGen => FixtureSet.ByName("m2ugen-tiny");
    private static string Adapters => ConvertedFixtures.Gguf(M2UGen);
    private static string Hubert => ConvertedFixtures.Gguf(FixtureSet.ByName("hubert-tiny"));
    private static string Vit => ConvertedFixtures.Gguf(FixtureSet.ByName("vit-tiny"));
    private static string Vivit => ConvertedFixtures.Gguf(FixtureSet.ByName("vivit-tiny"));

    public void Dispose() => _dir.Dispose();

    // shapes the fixtures record: the adapter token [1, dim], the MERT layer means [C, W], a vision encoder's [tokens, width]
    private static string Shape(IEnumerable<long> dims) => $"[{string.Join(", ", dims)}]";
    private static long[] Token => [1, M2UGen.Vector("audio_feats").Shape[^1]];
    private static long[] LayerMeans => M2UGen.Vector("audio_layer_means").Shape[1..];
    private static long[] Tokens(string set) => FixtureSet.ByName(set).Vector("last_hidden_state").Shape[1..];

    // the MERT stand-in's sampling rate, from its preprocessor_config.json (the fixture waveform is at it)
    private static int HubertRate => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(
        Path.Combine(FixtureSet.ByName("hubert-tiny").Directory, "preprocessor_config.json")))!["sampling_rate"]!.GetValue<int>();

    [Fact]
    public void Music_from_a_wav_gives_the_reference_adapter_token()
    {
        var wav = Waveform();
        var result = Mga.Run("embed", "music", wav, "--model", Hubert, "--adapters", Adapters, "--out", _dir.File("token.npy")).Succeeded();

        var (token, shape) = NpyFile.Read(_dir.File("token.npy"));
        var expected = M2UGen.Vector("audio_feats"); // [1, 1, dim]
        Assert.Equal(Token, shape);
        ToleranceAssert.Matches(expected, token.Select(x => (double)x).ToArray());
        Assert.Contains("Embedded", result.Out);
        var samples = M2UGen.Vector("audio_waveform").Shape[0];
        Assert.Contains($"{samples / (double)HubertRate:0.00} s of audio, 1 channel(s) at {HubertRate} Hz", result.Out);
        Assert.Contains($"features    {Shape(LayerMeans)}  mean ", result.Out);
        Assert.Contains($"token       {Shape(Token)}  mean ", result.Out);
        Assert.Contains("time        decode ", result.Out);
        Assert.Contains("real-time factor", result.Out);
    }

    [Fact]
    public void A_safetensors_output_holds_token_aggregate_and_encoder_feature()
    {
        Mga.Run("embed", "music", Waveform(), "-m", Hubert, "-a", Adapters, "-o", _dir.File("e.safetensors")).Succeeded();
        using var file = SafetensorsFile.Open(_dir.File("e.safetensors"));
        Assert.Equal(Token, file.Get("token").Shape);
        Assert.Equal(M2UGen.Vector("audio_agg").Shape, file.Get("aggregated").Shape);
        Assert.Equal(LayerMeans, file.Get("features").Shape);
        Assert.Equal("music", file.Metadata["modality"]);
        ToleranceAssert.Matches(M2UGen.Vector("audio_agg"), file.ReadFloat32("aggregated").Select(x => (double)x).ToArray());
        ToleranceAssert.Matches(M2UGen.Vector("audio_layer_means"), file.ReadFloat32("features").Select(x => (double)x).ToArray());
    }

    [Fact]
    public void Without_adapters_the_encoder_feature_is_written()
    {
        var result = Mga.Run("embed", "music", Waveform(), "--model", Hubert, "--out", _dir.File("f.npy")).Succeeded();
        var (values, shape) = NpyFile.Read(_dir.File("f.npy"));
        Assert.Equal(LayerMeans, shape);
        ToleranceAssert.Matches(M2UGen.Vector("audio_layer_means"), values.Select(x => (double)x).ToArray());
        Assert.Contains("not computed (give --adapters", result.Out);
    }

    [Fact]
    public void An_image_goes_through_the_vit_processor_encoder_and_adapter()
    {
        var image = TestPictures.Ppm(_dir.File("picture.ppm"), 40, 30);
        var result = Mga.Run("embed", "image", image, "--model", Vit, "--adapters", Adapters, "--out", _dir.File("i.safetensors")).Succeeded();
        Assert.Contains("40×30 image", result.Out);
        Assert.Contains($"features    {Shape(Tokens("vit-tiny"))}", result.Out);

        // the same pipeline through the library: the command adds nothing of its own to the numbers
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(Vit, VisionFamily.ViT, backend);
        var rgb = ImageDecoder.Decode(image);
        var settings = new ViTImageProcessorSettings { Height = encoder.Config.ImageHeight, Width = encoder.Config.ImageWidth };
        var pixels = new ViTImageProcessor(settings).Preprocess(ImageFrame.Rgb24(rgb.Width, rgb.Height, rgb.Pixels));
        var hidden = encoder.Encode(pixels).LastHiddenState;
        using var adapters = M2UGenAdapters.Load(Adapters, backend, [M2UGenModality.Image]);
        var expected = adapters.Embed(M2UGenModality.Image, hidden, encoder.Config.SequenceLength, encoder.Config.HiddenSize).Token;
        using var file = SafetensorsFile.Open(_dir.File("i.safetensors"));
        var token = file.ReadFloat32("token");
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], token[i], 1e-5f);
        Assert.Equal(hidden, file.ReadFloat32("features"));
    }

    [Fact]
    public void A_video_is_sampled_to_the_models_frame_count()
    {
        var video = TestPictures.Video(_dir.File("clip.mp4"), 48, 40, 2, 10);
        var result = Mga.Run("embed", "video", video, "--model", Vivit, "--adapters", Adapters, "--out", _dir.File("v.npy")).Succeeded();
        var frames = FixtureSet.ByName("vivit-tiny").Config["num_frames"]!.GetValue<int>();
        Assert.Contains($"{frames} frames of 48×40", result.Out);
        Assert.Contains($"features    {Shape(Tokens("vivit-tiny"))}", result.Out);
        var (token, shape) = NpyFile.Read(_dir.File("v.npy"));
        Assert.Equal(Token, shape);
        Assert.All(token, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Adapters_without_the_modality_or_a_non_adapter_gguf_are_named()
    {
        var wav = Waveform();
        Mga.Run("embed", "music", wav, "--model", Hubert, "--adapters", Vit)
            .FailedWith(1, "no M2UGen adapters in this GGUF");
    }

    [Fact]
    public void Usage_errors_are_reported_before_any_work()
    {
        var wav = Waveform();
        Mga.Run("embed", "audio", wav, "--model", Hubert).FailedWith(2, "audio");
        Mga.Run("embed", "music", wav).FailedWith(2, "--model");
        Mga.Run("embed", "music", wav, "--model", Hubert, "--preprocessor", wav).FailedWith(2, "--preprocessor applies to images and video");
        Mga.Run("embed", "music", _dir.File("missing.wav"), "--model", Hubert).FailedWith(1, "input file", "does not exist");
        Mga.Run("embed", "music", wav, "--model", Hubert, "--out", _dir.File("t.txt")).FailedWith(1, "use a .npy or .safetensors file name");
        Assert.False(File.Exists(_dir.File("t.txt")));
    }

    [Fact]
    public void Convert_takes_an_m2ugen_checkpoint_pth_and_writes_the_same_adapters_as_the_folder()
    {
        var result = Mga.Run("convert", Path.Combine(M2UGen.Directory, "checkpoint.pth"), _dir.File("a.gguf")).Succeeded();
        Assert.Contains("only the M2UGen understanding adapters are converted", result.Out);
        using var fromPth = GgufFile.Open(_dir.File("a.gguf"));
        using var fromFolder = GgufFile.Open(Adapters);
        Assert.Equal(fromFolder.Tensors.Select(t => t.Name), fromPth.Tensors.Select(t => t.Name));
        foreach (var t in fromFolder.Tensors) Assert.True(fromFolder.GetTensorBytes(t).SequenceEqual(fromPth.GetTensorBytes(t.Name)), t.Name);

        Mga.Run("convert", Path.Combine(FixtureSet.ByName("hubert-tiny").Directory, "model.safetensors"), _dir.File("b.gguf"))
            .FailedWith(1, "is a file; give the folder");
    }

    private string Waveform()
    {
        var path = _dir.File("music.wav");
        if (!File.Exists(path))
            TestAudio.Write(path, HubertRate, WavSampleFormat.Float32, M2UGen.Vector("audio_waveform").Values().Select(x => (float)x).ToArray());
        return path;
    }
}
