#pragma warning disable SKEXP0001 // Semantic Kernel marks AudioContent experimental; the test reads the audio through it
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.ChatClient;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Tests.Conversations;
using MusicGen.Assistant.Tests.Helpers;
using MusicGen.Assistant.Testing;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MusicGen.Assistant.Tests.ChatClient;

/// <summary>The assistant through Microsoft.Extensions.AI's IChatClient and Semantic Kernel's chat completion service.</summary>
[Collection(FixtureAssistantCollection.Name)]
public class SemanticKernelTests(FixtureAssistantFixture fixture)
{
    [Fact]
    public async Task Semantic_kernel_gets_m2ugens_reply_text_and_the_track_as_wav_audio()
    {
        var set = FixtureAssistantSet.Set;
        var instruction = FixtureAssistantSet.Field(set, "gen_text_prompt_text_utf8", "instruction");
        var decoded = Encoding.UTF8.GetString(set.Vector("gen_text_decoded_utf8").Values().Select(x => (byte)x).ToArray());
        var shown = FixtureAssistantSet.Config()["llama"]!["aud_tokens"]!.AsArray().Aggregate(decoded, (t, a) => t.Replace(a!.GetValue<string>(), "")).Trim();
        var newTokens = set.Vector("gen_text_tokens").Shape[1] - set.Vector("gen_text_prompt_ids").Shape[1];

        IChatClient client = new AssistantChatClient(fixture.Set);
        var service = client.AsChatCompletionService();
        var history = new ChatHistory();
        history.AddUserMessage(instruction);
        var settings = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                ["temperature"] = 0.0, ["max_tokens"] = (int)newTokens, ["seed"] = 9L, [AssistantChatOptions.DurationKey] = 0.3,
            },
        };
        var reply = await service.GetChatMessageContentAsync(history, settings);

        Assert.Equal(AuthorRole.Assistant, reply.Role);
        Assert.Equal(shown, reply.Content);
        var audio = Assert.Single(reply.Items.OfType<AudioContent>());
        Assert.Equal("audio/wav", audio.MimeType);
        var wav = ReadWav(audio.Data!.Value.ToArray());
        Assert.Equal(fixture.Set.Music.SampleRate, wav.SampleRate);
        Assert.Equal(0.3, wav.FrameCount / (double)wav.SampleRate, 2);

        // streaming through the same service: the text deltas join into the same reply
        var streamed = new StringBuilder();
        await foreach (var part in service.GetStreamingChatMessageContentsAsync(history, settings)) streamed.Append(part.Content);
        Assert.Equal(shown, streamed.ToString());
    }

    [Fact]
    public async Task Chat_options_map_onto_the_turn_and_bad_ones_are_refused()
    {
        var options = new ChatOptions { Temperature = 0.3f, TopP = 0.5f, MaxOutputTokens = 7, Seed = 42 }
            .WithDuration(TimeSpan.FromSeconds(2.5)).WithGuidance(4).WithMusicTopK(50).WithConditioning(MusicConditioningPath.Text).WithUseLastTrack();
        var turn = options.ToTurnOptions(new TurnOptions());
        Assert.Equal((0.3f, 0.5f, 7, 42UL, 2.5, 4.0, 50, MusicConditioningPath.Text), (turn.Temperature, turn.TopP, turn.MaxNewTokens, turn.Seed!.Value, turn.DurationSeconds, turn.GuidanceScale!.Value, turn.TopK!.Value, turn.Conditioning!.Value));
        Assert.True(options.GetUseLastTrack());
        // as they arrive after a JSON round trip
        var json = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(System.Text.Json.JsonSerializer.Serialize(options.AdditionalProperties));
        var back = new ChatOptions { AdditionalProperties = new AdditionalPropertiesDictionary(json!.ToDictionary(p => p.Key, p => (object?)p.Value)) };
        Assert.Equal((TimeSpan.FromSeconds(2.5), MusicConditioningPath.Text, 50), (back.GetDuration()!.Value, back.GetConditioning()!.Value, back.GetMusicTopK()!.Value));

        Assert.Equal(AssistantErrorKind.InvalidRequest, Assert.Throws<AssistantException>(() => new ChatOptions { TopK = 5 }.ToTurnOptions(new TurnOptions())).Kind);
        IChatClient client = new AssistantChatClient(fixture.Set);
        var system = await Assert.ThrowsAsync<AssistantException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.System, "be nice"), new ChatMessage(ChatRole.User, "hi")]));
        Assert.Contains("'system' message", system.Message);
        var last = await Assert.ThrowsAsync<AssistantException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "yo")]));
        Assert.Contains("the last chat message must be the user's", last.Message);
        Assert.Equal("MusicGen.Assistant", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    internal static AudioBuffer ReadWav(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-test-{Guid.NewGuid():N}.wav");
        try
        {
            File.WriteAllBytes(path, bytes);
            return WavReader.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The demo assistant as a chat client: audio in, audio out, labelled untrained, history from the messages.</summary>
[Collection(DemoAssistantCollection.Name)]
public class DemoChatClientTests(DemoAssistantFixture demo)
{
    [Fact]
    public async Task Audio_in_gives_text_and_audio_out_labelled_untrained_and_the_messages_are_the_history()
    {
        using var dir = new TempDirectory();
        var wav = dir.File("in.wav");
        WavWriter.Write(wav, new AudioBuffer(32000, [TestToneMix.Create(32000, 0.5)]));
        IChatClient client = new AssistantChatClient(demo.Set, new ConversationOptions { Defaults = new TurnOptions { DurationSeconds = 0.2, Seed = 1 } });
        List<ChatMessage> messages = [new(ChatRole.User, [new Microsoft.Extensions.AI.TextContent("like this but slower"), new DataContent(File.ReadAllBytes(wav), "audio/wav")])];
        var response = await client.GetResponseAsync(messages);

        Assert.Equal(string.Join(' ', DemoReply.Words), response.Text);
        var audio = Assert.Single(response.Messages[^1].Contents.OfType<DataContent>());
        Assert.Equal("audio/wav", audio.MediaType);
        Assert.Contains("UNTRAINED", audio.Name);
        Assert.Equal(0.2, SemanticKernelTests.ReadWav(audio.Data.ToArray()).Duration.TotalSeconds, 2);
        Assert.Equal(true, response.AdditionalProperties![AssistantChatClient.UntrainedKey]);
        Assert.Contains((string[])response.AdditionalProperties[AssistantChatClient.NoticesKey]!, n => n.StartsWith("Untrained:"));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(response.Usage!.OutputTokenCount > 0);

        // the next call carries the first exchange as history and may feed its track back
        messages.AddRange(response.Messages);
        messages.Add(new ChatMessage(ChatRole.User, "again, softer"));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(messages, new ChatOptions().WithUseLastTrack())) updates.Add(u);
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<DataContent>());
    }
}
