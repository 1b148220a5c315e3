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
