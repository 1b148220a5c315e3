using System.Globalization;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Hosting;

namespace MusicGen.Assistant.Server.Engine;

/// <summary>
/// The engine on the library's text-to-music and edit calls alone, until the conversation pipeline (LLaMA replies,
/// understanding of attachments) is bound here: every turn renders a track from its text with
/// <see cref="TrackRenderer"/> (its audio streamed as decoded), continuing an audio attachment or a track sent back as
/// input (the edit "continue"). Its reply text says what it does; image and video attachments get a notice that only
/// the pipeline reads them. The model set is loaded once and serves every turn.
/// </summary>
public sealed class TextToMusicEngine(ServerOptions options) : IAssistantEngine, IDisposable
{
    private readonly Lock _loadGate = new();
    private MusicGenModelSet? _set;
    private ResolvedModelSet? _resolved;

    public EngineInfo Info => _resolved is { } r
        ? new EngineInfo(r.Manifest.Name ?? options.ModelSet ?? "demo", r.IsDemo, _set is not null)
        : new EngineInfo(string.IsNullOrWhiteSpace(options.ModelSet) ? "bundled demo set (UNTRAINED)" : options.ModelSet, string.IsNullOrWhiteSpace(options.ModelSet), false);

    public void Load(CancellationToken cancellation) => Loaded(cancellation);

    private MusicGenModelSet Loaded(CancellationToken cancellation)
    {
        lock (_loadGate)
        {
            if (_set is not null) return _set;
            var resolved = ModelSetSource.Resolve(string.IsNullOrWhiteSpace(options.ModelSet) ? null : options.ModelSet, null, cancellation);
            _set = MusicGenModelSet.Load(resolved.Manifest, new ComputeOptions(ParseBackend(options.Backend), options.Threads));
            _resolved = resolved;
            return _set;
        }
    }

    public AssistantReply Respond(AssistantTurn turn, ITurnEventSink events, CancellationToken cancellation)
    {
        var set = Loaded(cancellation);
        var reply = new ReplyWriter(events);
        var progress = new Progress(events);
        var input = turn.InputTrackPath ?? (turn.Attachment is { Kind: MediaKind.Audio } a ? a.Path : null);
        if (turn.Attachment is { Kind: not MediaKind.Audio } other)
            events.Notice($"The {UploadedMedia.Name(other.Kind)} '{other.DisplayName}' is kept with the conversation; this model set renders from the text, and reading pictures and video comes with the assistant pipeline.");
        if (_resolved!.IsDemo)
            events.Notice("UNTRAINED demo model set: the audio is noise shaped by random weights, not music. Configure a converted model set (Assistant:ModelSet) for real music.");

        var seconds = turn.Seconds;
        var text = string.IsNullOrWhiteSpace(turn.Text) ? null : turn.Text.Trim();
        ContinuationPrompt? prompt = null;
        if (input is not null)
        {
            prompt = ContinuationPrompt.Load(set, input, Path.GetDirectoryName(turn.TrackPath)!, progress, cancellation);
            reply.Say($"Continuing your {Seconds(prompt.Seconds)} track with {Seconds(seconds)} more{(text is null ? "" : $" of \u201c{text}\u201d")}.");
        }
        else reply.Say($"Here is {Seconds(seconds)} of \u201c{text}\u201d.");

        var sampling = new SamplingChoice(Seed: turn.Seed).Settings(set.Manifest.Defaults);
        var track = TrackRenderer.Render(set, new TrackRequest
        {
            Text = text, Seconds = (prompt?.Seconds ?? 0) + seconds, Sampling = sampling, Seed = turn.Seed ?? (ulong)Random.Shared.NextInt64(int.MaxValue),
            Continuation = prompt,
        }, progress, cancellation, "generate", events.Audio);
        cancellation.ThrowIfCancellationRequested();
        TrackWriter.Write(turn.TrackPath, track.Audio, AudioFileFormat.Wav, WavSampleFormat.Pcm16, null, cancellation);
        reply.Say($" The track is {Seconds(track.Seconds)} at {track.Audio.SampleRate} Hz.");
        var title = text ?? (prompt is null ? "untitled" : "continuation");
        return new AssistantReply(reply.Text, new RenderedTrackFile(turn.TrackPath, track.Seconds, track.Audio.SampleRate, track.Audio.ChannelCount, title));
    }

    private static string Seconds(double s) => s.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    public static BackendKind ParseBackend(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "cpu" => BackendKind.Cpu,
        "gpu" or "cuda" => BackendKind.Gpu,
        "auto" => BackendKind.Auto,
        _ => throw new InvalidOperationException($"Assistant:Backend '{name}' is not cpu, gpu or auto"),
    };

    public void Dispose() => _set?.Dispose();

    // the reply goes out word by word, as a language model's tokens would
    private sealed class ReplyWriter(ITurnEventSink events)
    {
        private readonly System.Text.StringBuilder _text = new();
        public string Text => _text.ToString();

        public void Say(string sentence)
        {
            var start = 0;
            for (var i = 1; i <= sentence.Length; i++)
            {
                if (i < sentence.Length && sentence[i] != ' ') continue;
                var piece = sentence[start..i];
                _text.Append(piece);
                events.Text(piece);
                start = i;
            }
        }
    }

    private sealed class Progress(ITurnEventSink events) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => events.Progress(value);
    }
}
