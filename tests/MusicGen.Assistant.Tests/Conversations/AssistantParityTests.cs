using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Tests.Conversations;

/// <summary>
/// The CI end-to-end path on the fixtures: m2ugen-tiny composed with hubert/vit/vivit-tiny and musicgen-tiny into one
/// assistant set by the converter; a greedy turn on the fixture's instruction with its audio (as a WAV file), image and
/// video reproduces M2UGen's generate() (prompt ids, every generated token, the decoded text, the [AUD] hidden states,
/// the projector output) and ends in a WAV of the requested length; the text path renders from the decoded reply.
/// Inputs and expected values come from the fixture files.
/// </summary>
[Trait("Category", "Parity")]
[Collection(FixtureAssistantCollection.Name)]
public partial class AssistantParityTests(FixtureAssistantFixture fixture)
{
    [GeneratedRegex(@"^model\.generate\(\[(?<p>\w+)\[0\]\.tolist\(\)\], (?<a>\w+), (?<i>\w+), (?<v>\w+), (?<max>\d+), (?<t>[\d.]+), (?<top>[\d.]+)")]
    private static partial Regex GenerateCall();

    private static FixtureSet Set => FixtureAssistantSet.Set;

    [Fact]
    public async Task A_greedy_turn_with_audio_image_and_video_reproduces_generate_and_ends_in_a_wav()
    {
        using var dir = new TempDirectory();
        var expected = Set.Vector("gen_all_tokens");
        var call = GenerateCall().Match(expected.Call);
        Assert.True(call.Success, expected.Call);
        var conversation = new AssistantConversation(fixture.Set, new ConversationOptions { TrackFolder = dir.Path });
        var duration = 0.4;
        var request = new TurnRequest
        {
            Text = FixtureAssistantSet.Field(Set, "prompt_text_utf8", "instruction"),
            Attachments = [Audio(call.Groups["a"].Value, dir), Image(call.Groups["i"].Value), Video(call.Groups["v"].Value)],
            Options = new TurnOptions
            {
                MaxNewTokens = int.Parse(call.Groups["max"].Value),
                Temperature = float.Parse(call.Groups["t"].Value, CultureInfo.InvariantCulture),
                TopP = float.Parse(call.Groups["top"].Value, CultureInfo.InvariantCulture),
                DurationSeconds = duration, GreedyMusic = true, Seed = 1,
            },
        };
        var reply = await conversation.AskAsync(request);
        var diagnostics = conversation.LastDiagnostics!;

        // the template file reproduces format_prompt byte for byte; the tokenizer gives the fixture's ids
        Assert.Equal(Bytes(Set.Vector("prompt_text_utf8")), Encoding.UTF8.GetBytes(conversation.Template.Format([], request.Text)));
        Assert.Equal(Ints(Set.Vector("prompt_input_ids")), diagnostics.PromptIds);
        var all = Ints(expected);
        Assert.Equal(all[..diagnostics.PromptIds.Length], diagnostics.PromptIds);
        Assert.Equal(all[diagnostics.PromptIds.Length..], reply.TokenIds);
        Assert.Equal(Encoding.UTF8.GetString(Bytes(Set.Vector("gen_all_decoded_utf8"))), reply.DecodedText);
        var hidden = Set.Vector("gen_all_aud_hidden");
        ToleranceAssert.Matches(hidden, diagnostics.AudioHidden!.Select(x => (double)x).ToArray(), hidden.Shape);
        var projected = Set.Vector("proj_output");
        ToleranceAssert.Matches(projected, diagnostics.ProjectorOutput!.Select(x => (double)x).ToArray(), projected.Shape);

        // the composed set: the projector's out_dim is musicgen-tiny's T5 width, read from the fixtures' config files
        var t5Width = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(FixtureAssistantSet.MusicGen.ConfigPath))!["text_encoder"]!["d_model"]!.GetValue<int>();
        Assert.Equal(t5Width, fixture.Set.Projector.Config.OutDim);
        Assert.Equal(FixtureAssistantSet.Config()["projector"]!["out_dim"]!.GetValue<int>(), t5Width);

        Assert.True(reply.HasMusic);
        Assert.Equal("projector", reply.Track!.Conditioning);
        var wav = WavReader.Read(reply.Track.Path!);
        Assert.Equal(fixture.Set.Music.SampleRate, wav.SampleRate);
        Assert.Equal(duration, wav.FrameCount / (double)wav.SampleRate, 2);
        Assert.Equal(reply.Track.Seconds, wav.FrameCount / (double)wav.SampleRate, 6);
        Assert.False(reply.Untrained);
    }

    [Fact]
    public async Task The_text_path_renders_musicgen_from_the_decoded_reply_text()
    {
        var call = GenerateCall().Match(Set.Vector("gen_text_tokens").Call);
        var options = new TurnOptions
        {
            MaxNewTokens = int.Parse(call.Groups["max"].Value), Temperature = 0, DurationSeconds = 0.3, GreedyMusic = true, Seed = 3,
            Conditioning = MusicConditioningPath.Text,
        };
        var conversation = new AssistantConversation(fixture.Set);
        var text = Encoding.UTF8.GetString(Bytes(Set.Vector("gen_text_prompt_text_utf8")));
        var instruction = FixtureAssistantSet.Field(Set, "gen_text_prompt_text_utf8", "instruction");
        Assert.Equal(text, conversation.Template.Format([], instruction));
        var reply = await conversation.AskAsync(new TurnRequest { Text = instruction, Options = options });

        var decoded = Encoding.UTF8.GetString(Bytes(Set.Vector("gen_text_decoded_utf8")));
        Assert.Equal(decoded, reply.DecodedText);
        Assert.Equal(decoded, reply.Track!.MusicPrompt);
        Assert.Equal("text", reply.Track.Conditioning);
        Assert.Null(reply.Track.Path); // no folder, no file: the audio stays in memory

        // the same text through the track renderer, with the same seed and settings, gives the same audio
        var sampling = options.MusicSampling(MusicConditioningPath.Text).Settings(fixture.Set.Music.Manifest.Defaults);
        var direct = TrackRenderer.Render(fixture.Set.Music, new TrackRequest { Text = decoded, Seconds = options.DurationSeconds, Sampling = sampling, Seed = reply.Track.Seed });
        Assert.Equal(direct.Audio.Channels[0], conversation.LastTrackAudio!.Channels[0]);
    }

    private static TurnAttachment Audio(string vector, TempDirectory dir)
    {
        // the waveform as a float WAV at the MERT's rate (preprocessor_config.json of its encoder fixture): read back exactly
        var rate = (int)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(
            FixtureAssistantSet.EncoderSets()[M2UGenModality.Music].Directory, "preprocessor_config.json")))!["sampling_rate"]!.GetValue<double>();
        var path = dir.File("input.wav");
        WavWriter.Write(path, new AudioBuffer(rate, [Floats(Set.Vector(vector))]), WavSampleFormat.Float32);
        return TurnAttachment.FromFile(path);
    }

    private static TurnAttachment Image(string vector)
    {
        var v = Set.Vector(vector);
        var s = v.Shape.Select(d => (int)d).ToArray();
        return TurnAttachment.FromPixels(PixelValues.Images(Floats(v), 1, s[0], s[1], s[2]), AttachmentKind.Image, vector);
    }

    private static TurnAttachment Video(string vector)
    {
        var v = Set.Vector(vector);
        var s = v.Shape.Select(d => (int)d).ToArray();
        return TurnAttachment.FromPixels(PixelValues.Videos(Floats(v), 1, s[0], s[1], s[2], s[3]), AttachmentKind.Video, vector);
    }

    private static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();
    private static int[] Ints(ReferenceVector v) => v.Values().Select(x => (int)x).ToArray();
    private static byte[] Bytes(ReferenceVector v) => v.Values().Select(x => (byte)x).ToArray();
}

/// <summary>The converted fixture assistant set, loaded once for its tests.</summary>
public sealed class FixtureAssistantFixture : IDisposable
{
    public AssistantModelSet Set { get; } = AssistantModelSet.Load(FixtureAssistantSet.Manifest, new ComputeOptions());

    public void Dispose() => Set.Dispose();
}

[CollectionDefinition(Name)]
public sealed class FixtureAssistantCollection : ICollectionFixture<FixtureAssistantFixture>
{
    public const string Name = "fixture assistant";
}
