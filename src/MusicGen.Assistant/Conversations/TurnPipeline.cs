using System.Diagnostics;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Conversations;

/// <summary>What a finished turn leaves behind: the reply, what the conversation remembers, the track's audio.</summary>
internal sealed record TurnOutcome(AssistantReply Reply, ConversationTurn Remembered, AudioBuffer? TrackAudio, TurnDiagnostics Diagnostics);

/// <summary>Values a finished turn computed, for tests against reference outputs.</summary>
internal sealed record TurnDiagnostics(int[] PromptIds, float[]? AudioHidden, float[]? ProjectorOutput, string? MusicPrompt);

/// <summary>
/// One turn, start to end, on the caller's thread: prompt (history trimmed to the context) → the set's gate →
/// attachments through encoders and adapters → the LLaMA with the injection, token by token → when [AUD0..7] came, the
/// track (projector → MusicGen, or the reply text → T5 → MusicGen) → EnCodec → WAV. Events go to <c>emit</c> as they
/// happen. Cancellation is checked in every encoder window, before the prefill, at every token, every MusicGen step and
/// every EnCodec chunk; a cancelled turn changes no history and leaves no file.
/// </summary>
internal static class TurnPipeline
{
    public static TurnOutcome Run(AssistantModelSet set, PromptTemplate template, IReadOnlyList<ConversationTurn> history,
        TurnRequest request, TurnOptions options, int turn, AudioBuffer? lastTrack, string? trackFolder,
        Action<TurnEvent> emit, CancellationToken cancellation) => AssistantException.Guard(() =>
    {
        options.Validate();
        var attachments = Attachments(set, request, lastTrack);
        CheckOutput(options.TrackPath, trackFolder, attachments);
        var prompt = ConversationPrompt.Build(template, set.Tokenizer, set.ContextLength, history, request.Text, options.MaxNewTokens);
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64(long.MaxValue);
        emit(new TurnStarted(turn, prompt.Ids.Length, set.ContextLength, prompt.HistoryKept, attachments.Select(a => a.ToString()).ToList(), set.Name, set.IsUntrained));
        if (set.IsUntrained)
            emit(new TurnNotice(turn, NoticeKind.Untrained, "UNTRAINED demo assistant: its words are arranged, not learned, and its music is noise from random weights"));
        if (prompt.HistoryDropped > 0)
            emit(new TurnNotice(turn, NoticeKind.HistoryTrimmed,
                $"the {prompt.HistoryDropped} oldest turn(s) were left out of the prompt to fit the context of {set.ContextLength} tokens"));
        if (prompt.ReplyBudget < options.MaxNewTokens)
            emit(new TurnNotice(turn, NoticeKind.ReplyShortened, $"the reply can take at most {prompt.ReplyBudget} tokens here (context {set.ContextLength}, prompt {prompt.Ids.Length})"));
        foreach (var a in attachments.Where(a => !set.ReachesReply(Conversations.Attachments.Modality(a.Kind))))
            emit(new TurnNotice(turn, NoticeKind.AttachmentIgnoredByModel,
                $"this model's {a.Kind.ToString().ToLowerInvariant()} adapter gates are all zero: {a} cannot change the reply (true of the released M2UGen checkpoints)"));

        var progress = new Progress(turn, emit);
        using var _ = set.EnterTurn(cancellation);
        var clock = Stopwatch.StartNew();
        var inputs = AttachmentEncoding.Run(set, attachments, progress, cancellation);
        var encodeTime = clock.Elapsed;

        clock.Restart();
        var settings = new M2UGenGenerationSettings { Temperature = options.Temperature, TopP = options.TopP, MaxNewTokens = prompt.ReplyBudget, Seed = seed,
            NeverSample = options.WordsOnly ? set.AudioTokenIds : null, CacheType = set.Music.KvCache };
        var run = new M2UGenReplyGenerator(set.Llama, set.TextDecoder).Start(prompt.Ids, inputs, settings);
        var text = new ReplyTextStream(set.TextDecoder, set.AudioTokenIds.ToHashSet(), set.TextDecoder.NewlineId());
        ProgressStage.Run(progress, "reply", "tokens", cancellation, stage =>
        {
            foreach (var token in run.Tokens(cancellation))
            {
                stage.Report(token.Step + 1, prompt.ReplyBudget);
                if (text.Add(token.Id) is { Length: > 0 } delta) emit(new ReplyTextDelta(turn, delta));
            }
            return 0;
        });
        var reply = run.Reply;
        var replyTime = clock.Elapsed;
        var generated = reply.Tokens.Skip(reply.PromptLength).ToArray();
        var stop = reply.StoppedAtMarker ? "marker" : generated.Length >= options.MaxNewTokens ? "length" : "context";

        clock.Restart();
        AssistantTrack? track = null;
        AudioBuffer? audio = null;
        float[]? projected = null;
        string? musicPrompt = null;
        if (reply.HasMusic)
        {
            var path = options.Conditioning ?? set.DefaultConditioning;
            var sampling = options.MusicSampling(path).Settings(set.Music.Manifest.Defaults);
            var plan = TrackPlan.For(set.Music, options.DurationSeconds);
            MusicGenConditioning conditioning;
            if (path == MusicConditioningPath.Projector)
            {
                var result = set.Projector.Project(reply.AudioHidden, set.AudEmbeddings);
                projected = result.Output; // ProjectionLayer's own output (before the scale), for comparison with the reference
                conditioning = set.ProjectorConditioning.Condition(result);
            }
            else
            {
                musicPrompt = reply.Text; // HEAD's music_caption: the decoded reply, [AUD] tokens included
                var item = TrackConditioning.For(set.Music, musicPrompt, null, sampling, plan.WindowFrames);
                (conditioning, sampling) = (item.Conditioning, item.Sampling);
            }
            var level = new StreamedLevel(set.IsUntrained ? TrackOutput.DemoPeakDbfs : null);
            var musicSeed = unchecked(seed * 0x9E3779B97F4A7C15UL + 1); // its own stream, derived from the turn's seed
            audio = new AudioBuffer(set.Music.SampleRate, plan.Run(set.Music, conditioning, sampling, musicSeed, "generate", progress, cancellation,
                audio: options.StreamAudio ? chunk => emit(new TrackAudio(turn, level.Apply(chunk))) : null)); // heard while the rest is generated
            if (set.IsUntrained && TrackOutput.LimitPeak(audio, TrackOutput.DemoPeakDbfs) is var gain and < 0)
                emit(new TurnNotice(turn, NoticeKind.LevelLowered, $"the untrained codec's output was lowered by {-gain:0.0} dB to peak at {TrackOutput.DemoPeakDbfs} dBFS"));
            var written = TrackOutput.Write(audio, options.TrackPath, trackFolder, turn, set.IsUntrained, cancellation);
            track = new AssistantTrack(written, audio.FrameCount / (double)audio.SampleRate, audio.SampleRate, audio.ChannelCount,
                path.Name(), musicPrompt, TrackOutput.PeakDbfs(audio), musicSeed, set.IsUntrained);
            emit(new TrackRendered(turn, track));
        }
        else if (generated.Count(set.AudioTokenIds.Contains) is var partial and > 0)
        {
            emit(new TurnNotice(turn, NoticeKind.IncompleteMusicTokens, $"the reply held {partial} [AUD] token(s) but not [AUD0]..[AUD{set.AudioTokenIds.Count - 1}] in order: no music"));
        }
        var renderTime = clock.Elapsed;

        var answer = new AssistantReply(text.Text, reply.Text, generated, prompt.Ids.Length, reply.HasMusic, track, stop, seed, set.IsUntrained,
            new TurnTimings(encodeTime.TotalSeconds, replyTime.TotalSeconds, renderTime.TotalSeconds));
        emit(new TurnCompleted(turn, answer));
        var remembered = new ConversationTurn(request.Text, answer.Text, reply.HasMusic, attachments.Select(a => a.ToString()).ToList(),
            track?.Path, set.Parts.AudioTokens);
        return new TurnOutcome(answer, remembered, audio, new TurnDiagnostics(prompt.Ids, reply.AudioHidden, projected, musicPrompt));
    });

    private static List<TurnAttachment> Attachments(AssistantModelSet set, TurnRequest request, AudioBuffer? lastTrack)
    {
        if (string.IsNullOrWhiteSpace(request.Text)) throw AssistantException.InvalidRequest("the message is empty");
        var list = request.Attachments.ToList();
        if (request.UseLastTrack)
        {
            if (lastTrack is null) throw AssistantException.InvalidRequest("there is no track yet in this conversation to use as input");
            list.Add(TurnAttachment.FromSamples(lastTrack.Channels, lastTrack.SampleRate, "the last track"));
        }
        foreach (var kind in list.GroupBy(a => a.Kind).Where(g => g.Count() > 1))
            throw AssistantException.InvalidRequest($"{kind.Count()} {kind.Key.ToString().ToLowerInvariant()} attachments ({string.Join(", ", kind)}): the model takes one per kind");
        foreach (var a in list.Where(a => !set.AttachmentKinds.Contains(a.Kind)))
            throw AssistantException.Unsupported($"this model set takes no {a.Kind.ToString().ToLowerInvariant()} attachment: {a}");
        foreach (var a in list.Where(a => a.Path is not null)) Files.InputFiles.Require(a.Path!, $"{a.Kind.ToString().ToLowerInvariant()} attachment");
        return list;
    }

    // before any work: a named track file follows the outputs' rule (a WAV, never a folder or one of the inputs)
    private static void CheckOutput(string? trackPath, string? folder, IEnumerable<TurnAttachment> attachments)
    {
        if (trackPath is not null)
        {
            if (!string.Equals(Path.GetExtension(trackPath), ".wav", StringComparison.OrdinalIgnoreCase))
                throw AssistantException.InvalidRequest($"track '{trackPath}': the assistant writes WAV; name the file *.wav");
            Files.OutputFiles.Require(trackPath, "track", attachments.Where(a => a.Path is not null).Select(a => new Files.NamedInput(a.ToString(), a.Path!)));
        }
        if (folder is not null && File.Exists(folder))
            throw AssistantException.Output($"track folder '{folder}' is a file; give a folder");
    }

    /// <summary>Library progress → <see cref="TurnProgress"/> events.</summary>
    private sealed class Progress(int turn, Action<TurnEvent> emit) : IProgress<JobProgress>
    {
        public void Report(JobProgress p) =>
            emit(new TurnProgress(turn, p.Stage, p.Unit, p.Done, p.Total, p.Fraction, p.Elapsed, p.Remaining, p.Finished));
    }
}
