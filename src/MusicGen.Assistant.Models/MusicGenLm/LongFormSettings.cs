using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// How long audio is cut into decoder windows (audiocraft's <c>MusicGen._generate_tokens</c> with
/// <c>extend_stride</c>): every window holds at most <see cref="WindowFrames"/> frames, and each window after the first
/// starts <see cref="StrideFrames"/> frames after the previous one, so it is prompted with the previous window's last
/// <c>WindowFrames - StrideFrames</c> frames. Frame counts include any user audio prompt, as audiocraft's duration does.
/// </summary>
public sealed record LongFormSettings
{
    /// <summary>audiocraft's max_duration: the 30 s segments the models were trained on.</summary>
    public const double AudiocraftWindowSeconds = 30;

    /// <summary>audiocraft's default extend_stride: 18 s of new audio per window, 12 s of prompt.</summary>
    public const double AudiocraftStrideSeconds = 18;

    /// <summary>Frames of the whole result, user prompt included.</summary>
    public required int TotalFrames { get; init; }

    /// <summary>Frames one decoder run holds (its prompt included).</summary>
    public required int WindowFrames { get; init; }

    /// <summary>Frames between window starts; the next window's prompt is the last WindowFrames - StrideFrames.</summary>
    public required int StrideFrames { get; init; }

    public GgmlType CacheType { get; init; } = GgmlType.F32;

    /// <summary>
    /// Item 0's frames of the whole result, in order, as the windows complete them (one array per codebook row): the
    /// first window's frames from frame 0 (a user prompt's included), then each later window's new frames only (its
    /// prompt frames were handed out by the window before). Lets a caller decode the audio while later windows run.
    /// </summary>
    public Action<int[][]>? OnFrames { get; init; }

    /// <summary>Frames the continuation prompt of every window after the first holds.</summary>
    public int ContinuationFrames => WindowFrames - StrideFrames;

    /// <summary>audiocraft's defaults for a duration: 30 s windows, 18 s stride, int(seconds · frame rate) frames.</summary>
    public static LongFormSettings Audiocraft(double seconds, double frameRate) => FromSeconds(seconds, AudiocraftWindowSeconds, AudiocraftStrideSeconds, frameRate);

    /// <summary>Durations to frames as audiocraft counts them (int(seconds · frame rate)).</summary>
    public static LongFormSettings FromSeconds(double seconds, double windowSeconds, double strideSeconds, double frameRate) => new()
    {
        TotalFrames = MusicGenGenerationRequest.FramesForDuration(seconds, frameRate),
        WindowFrames = MusicGenGenerationRequest.FramesForDuration(windowSeconds, frameRate),
        StrideFrames = MusicGenGenerationRequest.FramesForDuration(strideSeconds, frameRate),
    };

    /// <summary>
    /// The most frames one window can hold on a decoder: each run of F frames needs F + K/channels - 1 positions
    /// (the delay pattern's tail), after a melody decoder's conditioning prefix of <paramref name="prefixLength"/>.
    /// </summary>
    public static int MaxWindowFrames(MusicGenDecoderConfig config, int prefixLength = 0) =>
        config.MaxPositionEmbeddings - prefixLength - (config.ChannelCodebooks - 1);

    /// <summary>Throws naming the first length that cannot work on this decoder with a prompt of that many frames.</summary>
    public void Validate(MusicGenDecoderConfig config, int promptFrames)
    {
        if (TotalFrames < 1)
            throw new ArgumentOutOfRangeException(nameof(TotalFrames), TotalFrames, "the total length must be at least one frame");
        if (WindowFrames < 1)
            throw new ArgumentOutOfRangeException(nameof(WindowFrames), WindowFrames, "the window must be at least one frame");
        var max = MaxWindowFrames(config);
        if (WindowFrames > max)
            throw new ArgumentOutOfRangeException(nameof(WindowFrames), WindowFrames,
                $"a window of {WindowFrames} frames needs {WindowFrames + config.ChannelCodebooks - 1} positions; the decoder has {config.MaxPositionEmbeddings} (max_position_embeddings), so windows hold at most {max} frames");
        if (StrideFrames <= 0 || StrideFrames >= WindowFrames)
            throw new ArgumentOutOfRangeException(nameof(StrideFrames), StrideFrames,
                $"the stride must be in (0, {WindowFrames}) frames (the window): each window after the first is prompted with window - stride frames, which must be at least one and leave at least one new frame");
        if (promptFrames < 0)
            throw new ArgumentOutOfRangeException(nameof(promptFrames), promptFrames, "the prompt cannot have a negative length");
        if (promptFrames >= TotalFrames)
            throw new ArgumentOutOfRangeException(nameof(promptFrames), promptFrames,
                $"the prompt of {promptFrames} frames must be shorter than the total of {TotalFrames} frames (the total includes the prompt)");
        if (promptFrames >= WindowFrames)
            throw new ArgumentOutOfRangeException(nameof(promptFrames), promptFrames,
                $"the prompt of {promptFrames} frames must be shorter than the window of {WindowFrames} frames, so the first window has new frames to generate");
    }
}

/// <summary>
/// One decoder run of a long-form generation: frames [<see cref="Start"/>, <see cref="End"/>) of the result, the first
/// <see cref="PromptFrames"/> of which it was prompted with (earlier output, or the user prompt for window 0).
/// </summary>
public readonly record struct LongFormWindow(int Index, int Start, int Frames, int PromptFrames)
{
    public int End => Start + Frames;

    /// <summary>Where this window's new frames begin.</summary>
    public int NewStart => Start + PromptFrames;

    public int NewFrames => Frames - PromptFrames;
}

/// <summary>Where a long-form generation is: finished frames (prompt included) of the total, in which window.</summary>
public readonly record struct LongFormProgress(int Frames, int TotalFrames, int Window, int Windows);
