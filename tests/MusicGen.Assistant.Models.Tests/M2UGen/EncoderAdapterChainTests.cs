using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// End to end: our encoder (HuBERT / ViT / ViViT, converted from the tiny encoder fixtures m2ugen-tiny was built on)
/// feeds our adapter, and every adapter stage matches what the PyTorch M2UGen recorded from the same raw input.
/// </summary>
[Trait("Category", "Parity")]
public class EncoderAdapterChainTests
{
    private static FixtureSet M2UGen => DerivedCheckpoints.Set;

    public static TheoryData<string> AudioStages() => Stages(M2UGenModality.Music);
    public static TheoryData<string> ImageStages() => Stages(M2UGenModality.Image);
    public static TheoryData<string> VideoStages() => Stages(M2UGenModality.Video);

    [Theory]
    [MemberData(nameof(AudioStages))]
    public void Waveform_through_our_mert_and_music_adapter_matches(string vectorName)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = HubertEncoder.Load(HubertGguf(), backend);
        var states = encoder.Encode(Floats(M2UGen.Vector("audio_waveform")));
        var stacked = new float[states.Count * states.Frames * states.HiddenSize];
        for (var i = 0; i < states.Count; i++) states[i].CopyTo(stacked.AsSpan(i * states.Frames * states.HiddenSize));
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(M2UGen), backend, [M2UGenModality.Music]);
        Check(vectorName, adapters.Embed(M2UGenModality.Music, stacked, states.Count, states.Frames, states.HiddenSize));
    }

    [Theory]
    [MemberData(nameof(AudioStages))]
    public void Our_windowed_mert_feature_fed_as_time_means_matches(string vectorName)
    {
        // the 0.5 s waveform is one window, so the windowed mean is encode_audio's mean over frames
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = HubertEncoder.Load(HubertGguf(), backend);
        var feature = new MertWindowedEncoder(encoder).Encode(Floats(M2UGen.Vector("audio_waveform")));
        Assert.Equal(1, feature.Windows);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(M2UGen), backend, [M2UGenModality.Music]);
        Check(vectorName, adapters[M2UGenModality.Music].EmbedTimeMeans(feature.Values));
    }

    [Theory]
    [MemberData(nameof(ImageStages))]
    public void Pixels_through_our_vit_and_image_adapter_match(string vectorName)
    {
        var pixels = M2UGen.Vector("image_pixel_values");
        Check(vectorName, Vision(FixtureSet.ByName("vit-tiny"), VisionFamily.ViT, M2UGenModality.Image,
            PixelValues.Images(Floats(pixels), 1, (int)pixels.Shape[0], (int)pixels.Shape[1], (int)pixels.Shape[2])));
    }

    [Theory]
    [MemberData(nameof(VideoStages))]
    public void Frames_through_our_vivit_and_video_adapter_match(string vectorName)
    {
        var frames = M2UGen.Vector("video_pixel_values");
        var s = frames.Shape.Select(d => (int)d).ToArray();
        Check(vectorName, Vision(FixtureSet.ByName("vivit-tiny"), VisionFamily.ViViT, M2UGenModality.Video,
            PixelValues.Videos(Floats(frames), 1, s[0], s[1], s[2], s[3])));
    }

    private static AdapterResult Vision(FixtureSet encoderSet, VisionFamily family, M2UGenModality modality, PixelValues pixels)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(ConvertedFixtures.Gguf(encoderSet), family, backend);
        var output = encoder.Encode(pixels);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(M2UGen), backend, [modality]);
        return adapters.Embed(modality, output.LastHiddenState, output.Batch, output.SequenceLength, output.HiddenSize);
    }

    private static void Check(string vectorName, AdapterResult result)
    {
        var vector = M2UGen.Vector(vectorName);
        var (values, shape) = AdapterFixtureVectors.Stage(result, AdapterFixtureVectors.Parse(vector).Stage);
        ToleranceAssert.Matches(vector, values.Select(x => (double)x).ToArray(), shape);
    }

    private static TheoryData<string> Stages(M2UGenModality m)
    {
        var data = new TheoryData<string>();
        foreach (var v in M2UGen.Vectors.Where(AdapterFixtureVectors.Handles).Select(AdapterFixtureVectors.Parse).Where(s => s.Modality == m))
            data.Add(v.Vector.Name);
        return data;
    }

    private static readonly Lazy<string> Hubert = new(() =>
    {
        var set = FixtureSet.ByName("hubert-tiny");
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-chain-").FullName, "hubert-tiny.gguf");
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        GgufConverter.Write(HubertCheckpointPlan.FromDirectory(set.Directory, new CheckpointReader(checkpoint)), path, StorageType.F32, set.Name);
        return path;
    });

    private static string HubertGguf() => Hubert.Value;

    private static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();
}
