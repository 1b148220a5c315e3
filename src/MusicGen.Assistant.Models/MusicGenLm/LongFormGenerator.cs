namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Generation longer than the decoder's window by windowed continuation (audiocraft's <c>MusicGen._generate_tokens</c>
/// with <c>extend_stride</c>): window 0 covers frames [0, min(total, window)), continuing the user prompt if there is
/// one; each later window starts <c>stride</c> frames after the previous, is prompted with the codes already generated
/// there (the previous window's last <c>window - stride</c> frames) and appends its new frames, until the total is
/// reached. Every window is an ordinary prompted <see cref="MusicGenGenerator"/> run (positions restart at 0, the same
/// conditioning and guidance), so prompt codes are prefilled and never overwritten.
/// Seeds: window i samples with <c>seed + i</c> (wrapping), so any window can be reproduced alone with a direct
/// generator call given its prompt.
/// </summary>
public sealed class LongFormGenerator(MusicGenDecoder decoder)
{
    private readonly MusicGenGenerator _generator = new(decoder);

    public MusicGenDecoder Decoder => decoder;

    /// <summary>
    /// The windows audiocraft's loop runs for these lengths: while the generated end plus nothing new is short of the
    /// total, a window of min(total - start, window) frames starting <c>stride</c> after the previous one.
    /// </summary>
    public static IReadOnlyList<LongFormWindow> Plan(int totalFrames, int windowFrames, int strideFrames, int promptFrames)
    {
        // guards against a loop that never ends; Generate validates with clearer, decoder-aware messages first
        if (windowFrames < 1 || strideFrames <= 0 || strideFrames >= windowFrames || promptFrames < 0 || promptFrames >= windowFrames)
            throw new ArgumentOutOfRangeException(nameof(strideFrames),
                $"window {windowFrames}, stride {strideFrames}, prompt {promptFrames} frames: need 0 < stride < window and 0 <= prompt < window");
        var windows = new List<LongFormWindow>();
        var (start, prompt) = (0, promptFrames);
        while (start + prompt < totalFrames)
        {
            var frames = Math.Min(totalFrames - start, windowFrames);
            windows.Add(new LongFormWindow(windows.Count, start, frames, prompt));
            prompt = frames - strideFrames;
            start += strideFrames;
        }
        return windows;
    }

    public LongFormGeneration Generate(MusicGenConditioning conditioning, int totalFrames, int windowFrames, int strideFrames,
        SamplingSettings sampling, ulong seed, int[,]? promptCodes = null, IProgress<LongFormProgress>? progress = null,
        CancellationToken cancellation = default) =>
        Generate(conditioning, new LongFormSettings { TotalFrames = totalFrames, WindowFrames = windowFrames, StrideFrames = strideFrames },
            sampling, seed, promptCodes, progress, cancellation);

    public LongFormGeneration Generate(MusicGenConditioning conditioning, LongFormSettings settings, SamplingSettings sampling, ulong seed,
        int[,]? promptCodes = null, IProgress<LongFormProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        return Generate(conditioning.Batch, _ => conditioning, settings, sampling, seed, promptCodes, progress, cancellation);
    }

    /// <summary>
    /// Long-form generation whose conditioning may change per window: MusicGen-Melody re-slices its reference melody
    /// for each window (audiocraft's circular re-slicing; see <see cref="MelodyWaveform"/>). Every window's
    /// conditioning must hold <paramref name="batch"/> items.
    /// </summary>
    public LongFormGeneration Generate(int batch, Func<LongFormWindow, MusicGenConditioning> conditioningFor, LongFormSettings settings,
        SamplingSettings sampling, ulong seed, int[,]? promptCodes = null, IProgress<LongFormProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(conditioningFor);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampling);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "at least one item");
        var config = decoder.Config;
        var rowsK = batch * config.NumCodebooks;
        if (promptCodes is not null && promptCodes.GetLength(0) != rowsK)
            throw new ArgumentException($"prompt codes have {promptCodes.GetLength(0)} rows, expected {batch} items x {config.NumCodebooks} codebooks = {rowsK}", nameof(promptCodes));
        if (promptCodes is not null && promptCodes.GetLength(1) < 1)
            throw new ArgumentException("prompt codes have no frames (pass null for no prompt)", nameof(promptCodes));
        settings.Validate(config, promptCodes?.GetLength(1) ?? 0);

        var windows = Plan(settings.TotalFrames, settings.WindowFrames, settings.StrideFrames, promptCodes?.GetLength(1) ?? 0);
        var codes = new int[rowsK, settings.TotalFrames];
        if (promptCodes is not null) CopyFrames(promptCodes, 0, codes, 0, promptCodes.GetLength(1));
        var windowCodes = new List<int[,]>(windows.Count);
        var lag = config.ChannelCodebooks - 1;
        foreach (var w in windows)
        {
            cancellation.ThrowIfCancellationRequested();
            int[,]? prompt = null;
            if (w.PromptFrames > 0)
            {
                prompt = new int[rowsK, w.PromptFrames];
                CopyFrames(codes, w.Start, prompt, 0, w.PromptFrames);
            }
            // a step completes a frame once the most delayed codebook has caught up: K/channels - 1 steps of lag
            var stepProgress = progress is null ? null : new WindowProgress(progress, w, settings.TotalFrames, windows.Count, lag);
            var conditioning = conditioningFor(w) ?? throw new InvalidOperationException($"no conditioning for window {w.Index}");
            if (conditioning.Batch != batch)
                throw new InvalidOperationException($"the conditioning of window {w.Index} holds {conditioning.Batch} items, expected {batch}");
            var result = _generator.Generate(new MusicGenGenerationRequest
            {
                Conditioning = conditioning,
                MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(w.NewFrames, config),
                Sampling = sampling,
                Seed = unchecked(seed + (ulong)w.Index),
                PromptCodes = prompt,
                CacheType = settings.CacheType,
                // a later window starts with frames already handed out (its prompt): only its new frames go on
                OnFrames = settings.OnFrames is { } sink ? new FrameSkipper(sink, w.Index == 0 ? 0 : w.PromptFrames).Push : null,
            }, stepProgress, cancellation);
            if (result.Frames != w.Frames)
                throw new InvalidOperationException($"window {w.Index} produced {result.Frames} frames, planned {w.Frames}");
            CopyFrames(result.Codes, w.PromptFrames, codes, w.NewStart, w.NewFrames);
            windowCodes.Add(result.Codes);
        }
        return new LongFormGeneration(codes, windows, windowCodes, batch, config.NumCodebooks);
    }

    private static void CopyFrames(int[,] from, int fromFrame, int[,] to, int toFrame, int frames)
    {
        for (var r = 0; r < from.GetLength(0); r++)
            for (var t = 0; t < frames; t++) to[r, toFrame + t] = from[r, fromFrame + t];
    }

    // Maps one window's generator steps to finished frames of the whole result; reports only when that count grows.
    private sealed class WindowProgress(IProgress<LongFormProgress> target, LongFormWindow window, int total, int windows, int lag)
        : IProgress<GenerationProgress>
    {
        private int _reported = -1;

        public void Report(GenerationProgress value)
        {
            var done = window.NewStart + Math.Clamp(value.Step - lag, 0, window.NewFrames);
            if (done <= _reported) return;
            _reported = done;
            target.Report(new LongFormProgress(done, total, window.Index, windows));
        }
    }
}

/// <summary>
/// A finished long-form generation: <see cref="Codes"/> [B · K, total frames] (row b·K + k = codebook k of item b,
/// user prompt first), the <see cref="Windows"/> that produced it and each window's own output
/// <see cref="WindowCodes"/> [B · K, window frames] (its prompt included).
/// </summary>
public sealed record LongFormGeneration(int[,] Codes, IReadOnlyList<LongFormWindow> Windows, IReadOnlyList<int[,]> WindowCodes, int Batch, int Codebooks)
{
    public int Frames => Codes.GetLength(1);

    /// <summary>Item b's codes, one array of frames per codebook.</summary>
    public int[][] ItemCodes(int item)
    {
        if ((uint)item >= Batch) throw new ArgumentOutOfRangeException(nameof(item), item, $"the generation holds items 0..{Batch - 1}");
        return Enumerable.Range(0, Codebooks).Select(k =>
        {
            var row = new int[Frames];
            for (var t = 0; t < Frames; t++) row[t] = Codes[item * Codebooks + k, t];
            return row;
        }).ToArray();
    }
}
