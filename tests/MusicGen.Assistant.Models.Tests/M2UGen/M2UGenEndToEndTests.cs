using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The whole understanding path on our own code: the raw waveform, image and video through our MERT (HuBERT), ViT
/// and ViViT, our adapters (converted from the same checkpoint), our LLaMA with the injection, and greedy generation:
/// the tokens M2UGen generated from the same raw inputs, and its [AUD] hidden states.
/// </summary>
[Trait("Category", "Parity")]
public class M2UGenEndToEndTests
{
    [Fact]
    public void Raw_inputs_through_our_encoders_adapters_and_llama_generate_m2ugen_s_reply()
    {
        var set = First();
        var tokens = set.Vector("gen_all_tokens");
        var call = ParseGenerate(set, tokens);
        using var backend = Cpu();
        var inputs = new M2UGenAdapterInputs(Music(set, backend), Image(set, backend), Video(set, backend));
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var reply = new M2UGenReplyGenerator(model, M2UGenGenerationParityTests.Decoder(set))
            .Generate(call.Prompt, inputs, new M2UGenGenerationSettings { MaxNewTokens = call.MaxNewTokens, Temperature = call.Temperature, TopP = call.TopP });
        ToleranceAssert.Matches(tokens, reply.Tokens.Select(x => (double)x).ToArray(), [1, reply.Tokens.Count]);
        var hidden = set.Vector("gen_all_aud_hidden");
        ToleranceAssert.Matches(hidden, reply.AudioHidden!.Select(x => (double)x).ToArray(), hidden.Shape);
    }

    private static float[] Music(FixtureSet set, ComputeBackend backend)
    {
        var hubertSet = FixtureSet.ByName("hubert-tiny");
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-e2e-").FullName, "hubert.gguf");
        using (var checkpoint = SafetensorsCheckpoint.OpenDirectory(hubertSet.Directory))
            GgufConverter.Write(HubertCheckpointPlan.FromDirectory(hubertSet.Directory, new CheckpointReader(checkpoint)), path, StorageType.F32, hubertSet.Name);
        using var encoder = HubertEncoder.Load(path, backend);
        var states = encoder.Encode(Floats(set.Vector("audio_waveform")));
        var stacked = new float[states.Count * states.Frames * states.HiddenSize];
        for (var i = 0; i < states.Count; i++) states[i].CopyTo(stacked.AsSpan(i * states.Frames * states.HiddenSize));
        return Adapt(set, backend, M2UGenModality.Music, stacked, states.Count, states.Frames, states.HiddenSize);
    }

    private static float[] Image(FixtureSet set, ComputeBackend backend)
    {
        var pixels = set.Vector("image_pixel_values");
        var s = pixels.Shape.Select(d => (int)d).ToArray();
        return Vision(set, backend, "vit-tiny", VisionFamily.ViT, M2UGenModality.Image, PixelValues.Images(Floats(pixels), 1, s[0], s[1], s[2]));
    }

    private static float[] Video(FixtureSet set, ComputeBackend backend)
    {
        var frames = set.Vector("video_pixel_values");
        var s = frames.Shape.Select(d => (int)d).ToArray();
        return Vision(set, backend, "vivit-tiny", VisionFamily.ViViT, M2UGenModality.Video, PixelValues.Videos(Floats(frames), 1, s[0], s[1], s[2], s[3]));
    }

    private static float[] Vision(FixtureSet set, ComputeBackend backend, string encoderSet, VisionFamily family, M2UGenModality modality, PixelValues pixels)
    {
        using var encoder = VisionEncoder.Load(ConvertedFixtures.Gguf(FixtureSet.ByName(encoderSet)), family, backend);
        var output = encoder.Encode(pixels);
        return Adapt(set, backend, modality, output.LastHiddenState, output.Batch, output.SequenceLength, output.HiddenSize);
    }

    // the adapters GGUF `mga convert` writes for the M2UGen checkpoint
    private static float[] Adapt(FixtureSet set, ComputeBackend backend, M2UGenModality modality, float[] features, params int[] shape)
    {
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(set), backend, [modality]);
        return adapters.Embed(modality, features, shape).Token;
    }
}
