using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>
/// How one track is generated: in a single decoder pass when it fits the window, otherwise in overlapping windows
/// (<see cref="LongFormGenerator"/>, audiocraft's extend_stride loop). The window is the model set's
/// max_duration_seconds (audiocraft's max_duration, 30 s by default) capped by the decoder's positions; the stride
/// keeps audiocraft's proportion of 18 s new audio per 30 s window.
/// </summary>
internal sealed record TrackPlan(int Frames, int WindowFrames, int StrideFrames)
{
    public const double DefaultWindowSeconds = LongFormSettings.AudiocraftWindowSeconds;

    public bool IsLongForm => Frames > WindowFrames;

    public static TrackPlan For(LoadedModelSet set, double seconds)
    {
        var frames = MusicGenGenerationRequest.FramesForDuration(seconds, set.FrameRate);
        var windowSeconds = set.Manifest.Defaults.MaxDurationSeconds ?? DefaultWindowSeconds;
        var window = Math.Min(LongFormSettings.MaxWindowFrames(set.Config), MusicGenGenerationRequest.FramesForDuration(windowSeconds, set.FrameRate));
        if (window < 2 && frames > window)
            throw new CliException($"the decoder's window of {window} frame(s) is too short to continue audio in windows; use --duration {Units.Number(window / set.FrameRate)} or less");
        var stride = Math.Clamp((int)Math.Round(window * (LongFormSettings.AudiocraftStrideSeconds / LongFormSettings.AudiocraftWindowSeconds)), 1, Math.Max(1, window - 1));
        return new TrackPlan(frames, window, stride);
    }

    public string Describe(double frameRate) => IsLongForm
        ? $"{Frames} frames at {Units.Number(frameRate)} Hz in {LongFormGenerator.Plan(Frames, WindowFrames, StrideFrames, 0).Count} windows of " +
          $"{Units.Seconds(WindowFrames / frameRate)} (each continues the last {Units.Seconds((WindowFrames - StrideFrames) / frameRate)} of the previous)"
        : $"{Frames} frames at {Units.Number(frameRate)} Hz";

    /// <summary>Generates item 0's codes and decodes them: one array of samples per channel.</summary>
    public float[][] Run(CliSession session, LoadedModelSet set, MusicGenConditioning conditioning, SamplingSettings sampling, ulong seed, string label)
    {
        int[][] codes;
        if (!IsLongForm)
        {
            var request = new MusicGenGenerationRequest
            {
                Conditioning = conditioning,
                MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(Frames, set.Config),
                Sampling = sampling,
                Seed = seed,
            };
            var generation = ConsoleProgress.Run(session, label, "steps",
                progress => new MusicGenGenerator(set.Decoder).Generate(request, progress, session.Cancellation));
            codes = generation.ItemCodes(0);
        }
        else
        {
            var settings = new LongFormSettings { TotalFrames = Frames, WindowFrames = WindowFrames, StrideFrames = StrideFrames };
            var generation = ConsoleProgress.Run(session, label, "frames",
                progress => new LongFormGenerator(set.Decoder).Generate(conditioning, settings, sampling, seed, null, progress, session.Cancellation));
            codes = generation.ItemCodes(0);
        }
        return Decode(set.Codec, codes, set.Config);
    }

    // Mono models decode directly; stereo ones interleave codebooks [L0, R0, L1, ...] through the mono codec.
    private static float[][] Decode(EncodecCodec codec, int[][] codes, MusicGenDecoderConfig config)
    {
        if (config.AudioChannels == 1) return codec.Decode(codes);
        var left = codes.Where((_, k) => k % 2 == 0).ToArray();
        var right = codes.Where((_, k) => k % 2 == 1).ToArray();
        return [codec.Decode(left)[0], codec.Decode(right)[0]];
    }
}
