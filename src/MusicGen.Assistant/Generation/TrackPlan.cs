using MusicGen.Assistant.Errors;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// How one track is generated: in a single decoder pass when it fits the window, otherwise in overlapping windows
/// (<see cref="LongFormGenerator"/>, audiocraft's extend_stride loop). The window is the model set's
/// max_duration_seconds (audiocraft's max_duration, 30 s by default) capped by the decoder's positions; the stride
/// keeps audiocraft's proportion of 18 s new audio per 30 s window.
/// </summary>
public sealed record TrackPlan(int Frames, int WindowFrames, int StrideFrames)
{
    public const double DefaultWindowSeconds = LongFormSettings.AudiocraftWindowSeconds;

    public bool IsLongForm => Frames > WindowFrames;

    /// <param name="prefixLength">Positions a melody model's conditioning prefix takes (0 otherwise): the window leaves them free.</param>
    public static TrackPlan For(MusicGenModelSet set, double seconds, int prefixLength = 0)
    {
        var frames = TrackLength.Frames(seconds, set.FrameRate);
        var windowSeconds = set.Manifest.Defaults.MaxDurationSeconds ?? DefaultWindowSeconds;
        var window = Math.Min(LongFormSettings.MaxWindowFrames(set.Config, prefixLength), MusicGenGenerationRequest.FramesForDuration(windowSeconds, set.FrameRate));
        if (window < 1)
            throw AssistantException.ModelSet($"the decoder's {set.Config.MaxPositionEmbeddings} positions leave no room for audio after the {prefixLength}-position melody and text prefix; use a shorter prompt");
        if (window < 2 && frames > window)
            throw AssistantException.ModelSet($"the decoder's window of {window} frame(s) is too short to continue audio in windows; use --duration {Units.Number(window / set.FrameRate)} or less");
        var stride = Math.Clamp((int)Math.Round(window * (LongFormSettings.AudiocraftStrideSeconds / LongFormSettings.AudiocraftWindowSeconds)), 1, Math.Max(1, window - 1));
        return new TrackPlan(frames, window, stride);
    }

    public string Describe(double frameRate) => IsLongForm
        ? $"{Frames} frames at {Units.Number(frameRate)} Hz in {LongFormGenerator.Plan(Frames, WindowFrames, StrideFrames, 0).Count} windows of " +
          $"{Units.Seconds(WindowFrames / frameRate)} (each continues the last {Units.Seconds((WindowFrames - StrideFrames) / frameRate)} of the previous)"
        : $"{Frames} frames at {Units.Number(frameRate)} Hz";

    /// <summary>
    /// Generates item 0's codes and decodes them: one array of samples per channel. With a continuation prompt the
    /// result is <see cref="Frames"/> long in all, prompt included (audiocraft's generate_continuation), and starts
    /// with the prompt's codes. A prompt longer than the window is continued from its last window - stride frames
    /// (what a later window of long-form generation sees); its earlier frames are kept as they are.
    /// <paramref name="perWindow"/> (a melody model with a melody) conditions each long-form window on its own slice.
    /// </summary>
    internal float[][] Run(MusicGenModelSet set, MusicGenConditioning conditioning, SamplingSettings sampling, ulong seed, string stage,
        IProgress<JobProgress>? progress, CancellationToken cancellation, ContinuationPrompt? prompt = null,
        Func<LongFormWindow, MusicGenConditioning>? perWindow = null, Action<AudioChunk>? audio = null)
    {
        var promptFrames = prompt?.Frames ?? 0;
        if (prompt is not null && promptFrames >= Frames)
            throw AssistantException.BadInput($"the audio prompt '{prompt.Path}' is {Units.Seconds(prompt.Seconds)} ({promptFrames} frames) but --duration asks for " +
                                   $"{Frames} frames in all (the duration includes the prompt); ask for more than {Units.Seconds(promptFrames / set.FrameRate)}");
        // frames [0, lead) of a long prompt are kept verbatim; the model continues the rest
        var lead = promptFrames >= WindowFrames ? promptFrames - (WindowFrames - StrideFrames) : 0;
        var modelPrompt = prompt is null ? null : SliceFrames(prompt.Codes, lead, promptFrames);
        var total = Frames - lead;

        int[,] codes;
        // the audio is decoded while the decoder runs: the kept lead of a long prompt first, then the frames as made
        var stream = audio is null ? null : new AudioStreamer(set, Frames, audio);
        if (stream is not null && lead > 0) stream.Push(FrameRows(prompt!.Codes, 0, lead));
        if (total <= WindowFrames)
        {
            var request = new MusicGenGenerationRequest
            {
                Conditioning = conditioning,
                MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(total - (modelPrompt?.GetLength(1) ?? 0), set.Config),
                Sampling = sampling,
                Seed = seed,
                PromptCodes = modelPrompt,
                CacheType = set.KvCache,
                OnFrames = stream is null ? null : stream.Push, // decoded while the decoder runs
            };
            codes = ProgressStage.Run(progress, stage, "steps", cancellation,
                steps => new MusicGenGenerator(set.Decoder).Generate(request, steps, cancellation)).Codes;
        }
        else
        {
            var settings = new LongFormSettings { TotalFrames = total, WindowFrames = WindowFrames, StrideFrames = StrideFrames, CacheType = set.KvCache,
                OnFrames = stream is null ? null : stream.Push };
            codes = ProgressStage.Run(progress, stage, "frames", cancellation,
                frames => new LongFormGenerator(set.Decoder).Generate(conditioning.Batch,
                    // windows start after the kept lead; a melody is re-sliced from the window's time in the whole track
                    perWindow is null ? _ => conditioning : w => perWindow(w with { Start = w.Start + lead }),
                    settings, sampling, seed, modelPrompt, frames, cancellation)).Codes;
        }
        if (lead > 0) codes = JoinFrames(SliceFrames(prompt!.Codes, 0, lead), codes);
        cancellation.ThrowIfCancellationRequested();
        if (stream is not null) return stream.Finish(); // decoded chunk by chunk while the decoder ran
        // its own stage: progress and cancellation between EnCodec chunks
        return ProgressStage.Run(progress, "decode", "chunks", cancellation, chunks => Decode(set.Codec, Rows(codes), set.Config, chunks));
    }

    private static int[,] SliceFrames(int[,] codes, int start, int end)
    {
        var slice = new int[codes.GetLength(0), end - start];
        for (var r = 0; r < codes.GetLength(0); r++)
            for (var t = start; t < end; t++) slice[r, t - start] = codes[r, t];
        return slice;
    }

    private static int[,] JoinFrames(int[,] first, int[,] second)
    {
        var (a, b) = (first.GetLength(1), second.GetLength(1));
        var joined = new int[first.GetLength(0), a + b];
        for (var r = 0; r < first.GetLength(0); r++)
        {
            for (var t = 0; t < a; t++) joined[r, t] = first[r, t];
            for (var t = 0; t < b; t++) joined[r, a + t] = second[r, t];
        }
        return joined;
    }

    // frames [start, end) of item 0's codebook rows, one array per row (what the decode stream takes)
    private static int[][] FrameRows(int[,] codes, int start, int end) =>
        Enumerable.Range(0, codes.GetLength(0)).Select(k => Enumerable.Range(start, end - start).Select(t => codes[k, t]).ToArray()).ToArray();

    // item 0's codebook rows (the CLI generates one item at a time)
    private static int[][] Rows(int[,] codes) => FrameRows(codes, 0, codes.GetLength(1));

    // Mono models decode directly; stereo ones interleave codebooks [L0, R0, L1, ...] through the mono codec.
    private static float[][] Decode(EncodecCodec codec, int[][] codes, MusicGenDecoderConfig config, ProgressStage progress)
    {
        if (config.AudioChannels == 1) return codec.Decode(codes, progress);
        return Enumerable.Range(0, config.AudioChannels).Select(c => codec.Decode(AudioStreamer.ChannelRows(codes, c, config.AudioChannels), progress)[0]).ToArray();
    }
}
