using System.Text.Json;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Conversations;

/// <summary>History, the last track as input, attachments of every form, cancellation, sharing a set, typed errors, serializable events.</summary>
[Collection(DemoAssistantCollection.Name)]
public class ConversationTests(DemoAssistantFixture demo)
{
    private static TurnOptions Quick(ulong seed = 5) => new() { DurationSeconds = 0.2, Seed = seed };

    [Fact]
    public async Task Restored_turns_that_made_music_enter_the_prompt_with_their_music_tokens_too()
    {
        // as a stored conversation comes back in the service: text, whether it made music, no token spelling
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() });
        conversation.Restore([new ConversationTurn("A slow blues.", "Here it is", HadMusic: true, [], null), new ConversationTurn("Thanks!", "You are welcome", false, [], null)]);
        await conversation.AskAsync(new TurnRequest { Text = "Now faster." });
        var history = new List<(string, string)> { ("A slow blues.", $"Here it is {string.Concat(DemoReply.AudioTokens)}"), ("Thanks!", "You are welcome") };
        Assert.Equal(demo.Set.Tokenizer.Encode(conversation.Template.Format(history, "Now faster.")), conversation.LastDiagnostics!.PromptIds);
    }

    [Fact]
    public async Task Earlier_turns_enter_the_prompt_in_the_template_with_their_music_tokens()
    {
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() });
        var first = await conversation.AskAsync(new TurnRequest { Text = "A slow blues." });
        var events = new List<TurnEvent>();
        await conversation.AskAsync(new TurnRequest { Text = "Now faster." }, new SyncProgress<TurnEvent>(events.Add));

        var started = Assert.Single(events.OfType<TurnStarted>());
        Assert.Equal((2, 1), (started.Turn, started.HistoryTurns));
        var remembered = conversation.History[0];
        Assert.Equal($"{first.Text} {string.Concat(DemoReply.AudioTokens)}", remembered.HistoryReply);
        var expected = demo.Set.Tokenizer.Encode(conversation.Template.Format([("A slow blues.", remembered.HistoryReply)], "Now faster."));
        Assert.Equal(expected, conversation.LastDiagnostics!.PromptIds);
        Assert.Contains("### Response:Here is an UNTRAINED demo track [AUD0][AUD1]", conversation.Template.Format([("A slow blues.", remembered.HistoryReply)], "Now faster."));
        Assert.DoesNotContain(events, e => e is TurnNotice { Kind: NoticeKind.HistoryTrimmed });
    }

    [Fact]
    public async Task The_oldest_turns_are_dropped_to_fit_the_context_and_a_notice_says_so()
    {
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() with { MaxNewTokens = 64 } });
        // earlier turns long enough that only some fit: each ~300 tokens of a 1024 context, the reply keeps 64
        var filler = string.Concat(Enumerable.Repeat("la ", 100));
        conversation.Restore(Enumerable.Range(1, 4).Select(i => new ConversationTurn($"turn {i} {filler}", "ok", false, [], null)));
        var events = new List<TurnEvent>();
        await conversation.AskAsync(new TurnRequest { Text = "and now?" }, new SyncProgress<TurnEvent>(events.Add));

        var started = Assert.Single(events.OfType<TurnStarted>());
        var notice = Assert.Single(events.OfType<TurnNotice>(), n => n.Kind == NoticeKind.HistoryTrimmed);
        Assert.InRange(started.HistoryTurns, 1, 3);
        Assert.Contains($"the {4 - started.HistoryTurns} oldest turn(s)", notice.Message);
        Assert.True(started.PromptTokens + 64 <= demo.Set.ContextLength);
        // the kept turns are the latest ones
        var kept = conversation.History.Take(4).TakeLast(started.HistoryTurns).Select(t => (t.UserText, t.HistoryReply)).ToList();
        Assert.Equal(demo.Set.Tokenizer.Encode(conversation.Template.Format(kept, "and now?")), conversation.LastDiagnostics!.PromptIds);
        // one more kept turn would not have fit
        var more = conversation.History.Take(4).TakeLast(started.HistoryTurns + 1).Select(t => (t.UserText, t.HistoryReply)).ToList();
        Assert.True(demo.Set.Tokenizer.Encode(conversation.Template.Format(more, "and now?")).Length + 64 > demo.Set.ContextLength);
    }

    [Fact]
    public async Task The_last_track_is_the_next_turns_audio_input_only_when_asked()
    {
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() });
        var none = await Assert.ThrowsAsync<AssistantException>(() => conversation.AskAsync(new TurnRequest { Text = "edit it", UseLastTrack = true }));
        Assert.Equal(AssistantErrorKind.InvalidRequest, none.Kind);

        await conversation.AskAsync(new TurnRequest { Text = "A march." });
        Assert.NotNull(conversation.LastTrackAudio);
        await conversation.AskAsync(new TurnRequest { Text = "Make it softer." });
        var without = conversation.LastDiagnostics!.AudioHidden!;
        conversation.Restore(conversation.History.Take(1).ToList(), conversation.LastTrackAudio);
        var events = new List<TurnEvent>();
        await conversation.AskAsync(new TurnRequest { Text = "Make it softer.", UseLastTrack = true }, new SyncProgress<TurnEvent>(events.Add));

        Assert.Contains("audio 'the last track'", Assert.Single(events.OfType<TurnStarted>()).Attachments);
        Assert.Contains(events, e => e is TurnProgress { Stage: "encode audio", Finished: true });
        Assert.NotEqual(without, conversation.LastDiagnostics!.AudioHidden!); // the track reached the LLaMA through the music adapter
    }

    [Fact]
    public async Task Attachments_as_a_file_or_as_bytes_are_the_same_input_and_pictures_and_clips_decode_through_ffmpeg()
    {
        using var dir = new TempDirectory();
        var wav = dir.File("tone.wav");
        WavWriter.Write(wav, new AudioBuffer(44100, [TestToneMix.Create(44100, 0.5), TestToneMix.Create(44100, 0.5)]), WavSampleFormat.Pcm16);
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() });
        await conversation.AskAsync(new TurnRequest { Text = "like this", Attachments = [TurnAttachment.FromFile(wav)] });
        var fromFile = conversation.LastDiagnostics!.AudioHidden!;
        conversation.Reset(); // the same prompt again
        await conversation.AskAsync(new TurnRequest { Text = "like this", Attachments = [TurnAttachment.FromBytes(File.ReadAllBytes(wav), "audio/wav")], Options = Quick() });
        Assert.Equal(fromFile, conversation.LastDiagnostics!.AudioHidden!);

        var picture = TestPictures.Ppm(dir.File("p.ppm"), 40, 30);
        var clip = TestPictures.Video(dir.File("c.mp4"), 48, 32, 1, 10);
        var reply = await conversation.AskAsync(new TurnRequest
        {
            Text = "music for these", Attachments = [TurnAttachment.FromFile(picture), TurnAttachment.FromBytes(File.ReadAllBytes(clip), "video/mp4", "clip")],
        });
        Assert.True(reply.HasMusic);
        Assert.NotEqual(fromFile, conversation.LastDiagnostics!.AudioHidden!);
    }

    [Fact]
    public async Task Cancelling_while_the_music_renders_leaves_no_file_and_no_history()
    {
        using var dir = new TempDirectory();
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { TrackFolder = dir.Path, Defaults = Quick() with { DurationSeconds = 20 } });
        using var cancel = new CancellationTokenSource();
        var seen = new List<TurnEvent>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in conversation.SendAsync(new TurnRequest { Text = "long piece" }, cancel.Token))
            {
                seen.Add(e);
                if (e is TurnProgress { Stage: "generate", Done: > 3 }) cancel.Cancel();
            }
        });
        Assert.Contains(seen, e => e is ReplyTextDelta);
        Assert.DoesNotContain(seen, e => e is TrackRendered);
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.Empty(conversation.History);

        // stopping the enumeration during the reply cancels the turn too; the conversation takes the next turn
        await foreach (var e in conversation.SendAsync(new TurnRequest { Text = "again" }))
            if (e is ReplyTextDelta) break;
        Assert.Empty(conversation.History);
        Assert.True((await conversation.AskAsync(new TurnRequest { Text = "short", Options = Quick() })).HasMusic);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Conversations_sharing_a_set_run_their_turns_one_at_a_time_with_the_same_results()
    {
        var a = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick(11) });
        var b = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick(11) });
        var both = await Task.WhenAll(a.AskAsync(new TurnRequest { Text = "same" }), b.AskAsync(new TurnRequest { Text = "same" }));
        Assert.Equal(both[0].TokenIds, both[1].TokenIds);
        Assert.Equal(a.LastTrackAudio!.Channels[0], b.LastTrackAudio!.Channels[0]);

        // one conversation takes one turn at a time
        var running = a.SendAsync(new TurnRequest { Text = "first" }).GetAsyncEnumerator();
        await running.MoveNextAsync();
        var second = await Assert.ThrowsAsync<AssistantException>(async () => { await foreach (var _ in a.SendAsync(new TurnRequest { Text = "second" })) { } });
        Assert.Equal(AssistantErrorKind.InvalidRequest, second.Kind);
        await running.DisposeAsync();
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("two-audio")]
    [InlineData("media-type")]
    [InlineData("missing-file")]
    [InlineData("temperature")]
    [InlineData("duration")]
    public async Task Bad_requests_are_typed_errors_naming_the_problem(string kind)
    {
        using var dir = new TempDirectory();
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { TrackFolder = dir.Path });
        var samples = TurnAttachment.FromSamples([new float[24000]], 24000);
        Func<TurnRequest> request = kind switch
        {
            "empty" => () => new TurnRequest { Text = "  " },
            "two-audio" => () => new TurnRequest { Text = "x", Attachments = [samples, samples] },
            "media-type" => () => new TurnRequest { Text = "x", Attachments = [TurnAttachment.FromBytes(new byte[] { 1, 2 }, "application/pdf")] },
            "missing-file" => () => new TurnRequest { Text = "x", Attachments = [TurnAttachment.FromFile(dir.File("nope.wav"))] },
            "temperature" => () => new TurnRequest { Text = "x", Options = new TurnOptions { Temperature = -1 } },
            _ => () => new TurnRequest { Text = "x", Options = new TurnOptions { DurationSeconds = 0 } },
        };
        var e = await Assert.ThrowsAsync<AssistantException>(() => conversation.AskAsync(request()));
        var (expectedKind, text) = kind switch
        {
            "empty" => (AssistantErrorKind.InvalidRequest, "the message is empty"),
            "two-audio" => (AssistantErrorKind.InvalidRequest, "the model takes one per kind"),
            "media-type" => (AssistantErrorKind.Unsupported, "'application/pdf'"),
            "missing-file" => (AssistantErrorKind.BadInput, "nope.wav"),
            "temperature" => (AssistantErrorKind.InvalidRequest, "temperature -1"),
            _ => (AssistantErrorKind.InvalidRequest, "duration 0 s"),
        };
        Assert.Equal(expectedKind, e.Kind);
        Assert.Contains(text, e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Events_serialize_as_plain_json_with_their_type_and_read_back()
    {
        var conversation = new AssistantConversation(demo.Set, new ConversationOptions { Defaults = Quick() });
        var events = new List<TurnEvent>();
        await conversation.AskAsync(new TurnRequest { Text = "jazz" }, new SyncProgress<TurnEvent>(events.Add));
        var json = JsonSerializer.Serialize(events);
        foreach (var type in new[] { "started", "progress", "text", "notice", "track", "completed" }) Assert.Contains($"\"type\":\"{type}\"", json);
        Assert.Contains("\"Kind\":\"Untrained\"", json);
        var back = JsonSerializer.Deserialize<List<TurnEvent>>(json)!;
        Assert.Equal(events.Select(e => e.GetType()), back.Select(e => e.GetType()));
        Assert.Equal(((TurnCompleted)events[^1]).Reply.Text, ((TurnCompleted)back[^1]).Reply.Text);
    }
}
