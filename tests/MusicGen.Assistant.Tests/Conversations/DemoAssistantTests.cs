using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Conversations;

/// <summary>The embedded untrained assistant: built deterministically, answers in M2UGen's form, renders a sane track.</summary>
[Collection(DemoAssistantCollection.Name)]
public class DemoAssistantTests(DemoAssistantFixture demo)
{
    [Fact]
    public async Task A_music_request_gets_words_then_a_track_labelled_untrained()
    {
        using var dir = new TempDirectory();
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { TrackFolder = dir.Path, Defaults = new TurnOptions { DurationSeconds = 0.5, Seed = 7 } });
        var events = new List<TurnEvent>();
        var reply = await conversation.AskAsync(new TurnRequest { Text = "Write a calm piano piece." }, new SyncProgress<TurnEvent>(events.Add));

        Assert.Equal(string.Join(' ', DemoReply.Words), reply.Text);
        Assert.Equal(reply.Text, string.Concat(events.OfType<ReplyTextDelta>().Select(e => e.Text)));
        Assert.True(reply.HasMusic);
        Assert.Equal("marker", reply.StopReason);
        Assert.True(reply.Untrained);
        Assert.Contains(events, e => e is TurnNotice { Kind: NoticeKind.Untrained });
        var track = reply.Track!;
        Assert.Contains("UNTRAINED", Path.GetFileName(track.Path));
        Assert.Equal("projector", track.Conditioning);
        var audio = WavReader.Read(track.Path!);
        Assert.Equal(0.5, audio.FrameCount / (double)audio.SampleRate, 2);
        Assert.True(track.PeakDbfs < 0, $"peak {track.PeakDbfs} dBFS");
        Assert.IsType<TurnCompleted>(events[^1]);
        Assert.Contains(events, e => e is TrackRendered);
    }

    [Fact]
    public async Task A_words_only_turn_about_an_attached_track_answers_without_rendering_music()
    {
        using var dir = new TempDirectory();
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { TrackFolder = dir.Path, Defaults = new TurnOptions { DurationSeconds = 0.5, Seed = 7 } });
        var made = await conversation.AskAsync(new TurnRequest { Text = "Write a calm piano piece." });
        Assert.True(made.HasMusic);
        var tracksBefore = Directory.GetFiles(dir.Path);

        var events = new List<TurnEvent>();
        var described = await conversation.AskAsync(new TurnRequest
        {
            Text = "Describe this music.",
            UseLastTrack = true,
            Options = new TurnOptions { Seed = 7, WordsOnly = true },
        }, new SyncProgress<TurnEvent>(events.Add));

        var tokenizer = DemoLlamaTokenizer.Create();
        var audioIds = DemoReply.AudioTokens.Select(t => tokenizer.FindToken(t)!.Value).ToHashSet();
        Assert.False(described.HasMusic);
        Assert.Null(described.Track);
        Assert.DoesNotContain(described.TokenIds, audioIds.Contains);
        // the arranged words, then the newline that is the runner-up after them
        Assert.Equal(string.Join(' ', DemoReply.Words), described.Text);
        Assert.Equal("marker", described.StopReason);
        Assert.Contains(events, e => e is TurnStarted s && s.Attachments.Any(a => a.Contains("audio", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(events, e => e is TrackRendered or TrackAudio);
        Assert.Equal(tracksBefore, Directory.GetFiles(dir.Path));
    }
}

/// <summary>The demo assistant set, built into the cache and loaded once for these tests.</summary>
public sealed class DemoAssistantFixture : IDisposable
{
    public DemoAssistantFixture()
    {
        var (manifest, _) = DemoAssistantSet.Ensure();
        Set = AssistantModelSet.Load(manifest, new ComputeOptions());
    }

    public AssistantModelSet Set { get; }

    public void Dispose() => Set.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DemoAssistantCollection : ICollectionFixture<DemoAssistantFixture>
{
    public const string Name = "demo assistant";
}

/// <summary>An IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>How the demo set is built: deterministic files, an arranged head, and what a MusicGen-only set lacks.</summary>
public class DemoAssistantBuildTests
{
    [Fact]
    public void The_arranged_llama_is_written_byte_for_byte_the_same_each_time()
    {
        using var dir = new TempDirectory();
        var tokenizer = DemoLlamaTokenizer.Create();
        Formats.Conversion.GgufConverter.Write(new DemoAssistantLlama(tokenizer, DemoAssistantSet.Seed), dir.File("a.gguf"), Formats.Conversion.StorageType.F32, "t");
        Formats.Conversion.GgufConverter.Write(new DemoAssistantLlama(DemoLlamaTokenizer.Create(), DemoAssistantSet.Seed), dir.File("b.gguf"), Formats.Conversion.StorageType.F32, "t");
        Assert.Equal(File.ReadAllBytes(dir.File("a.gguf")), File.ReadAllBytes(dir.File("b.gguf")));
    }

    [Fact]
    public void Every_word_of_the_reply_is_one_token_and_the_aud_tokens_follow_the_base_vocabulary()
    {
        var tokenizer = DemoLlamaTokenizer.Create();
        foreach (var word in DemoReply.Words) Assert.Single(tokenizer.Encode(word, addSpecialTokens: false));
        var ids = DemoReply.AudioTokens.Select(t => tokenizer.FindToken(t)!.Value).ToArray();
        Assert.Equal(Enumerable.Range(tokenizer.VocabSize - 8, 8), ids);
        Assert.Equal("\n###", tokenizer.Decode(DemoReply.Chain.TakeLast(3).Select(p => tokenizer.FindToken(p)!.Value).ToArray()));
        // the template's last token is the chain's trigger
        Assert.Equal(tokenizer.FindToken(":"), tokenizer.Encode("### Response:")[^1]);
    }

    [Fact]
    public void A_musicgen_only_set_is_not_an_assistant()
    {
        using var dir = new TempDirectory();
        var manifest = Models.ModelSets.ModelSetManifestFile.Read(FixtureModels.WriteTinyManifest(dir.Path));
        var e = Assert.Throws<Errors.AssistantException>(() => AssistantModelSet.Load(manifest, new ComputeOptions()));
        Assert.Equal(Errors.AssistantErrorKind.ModelSet, e.Kind);
        Assert.Contains("without the assistant's parts", e.Message);
        Assert.Contains("without the assistant's parts", Assert.Throws<Errors.AssistantException>(() => AssistantSetSource.Resolve(dir.Path)).Message);
    }
}
