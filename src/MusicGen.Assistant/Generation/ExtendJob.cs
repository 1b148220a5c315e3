using System.Diagnostics;
using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>What <c>mga edit continue|extend</c> asks for: seconds to add, or the length of the result.</summary>
public sealed record ExtendRequest
{
    public required string Input { get; init; }
    public required string Output { get; init; }

    /// <summary>What the new part should sound like; null: continue from the audio alone (unconditional, guidance off).</summary>
    public string? Text { get; init; }

    /// <summary>Seconds to add (continue) ...</summary>
    public double? AddSeconds { get; init; }

    /// <summary>... or the length of the result, the track included (extend).</summary>
    public double? TotalSeconds { get; init; }

    public SamplingChoice Sampling { get; init; } = new();
    public WavSampleFormat Format { get; init; } = WavSampleFormat.Float32;
}

/// <summary>
/// <c>mga edit continue</c> and <c>mga edit extend</c>: both keep the user's track (bit for bit but for the last 50 ms,
/// crossfaded into the new part) and append music that continues it (<see cref="TrackExtension"/>), steered by a new description or, without one, by the audio alone. They differ only
/// in how the length is given. <see cref="Create"/> checks the request before any model is loaded,
/// <see cref="Prepare"/> reads the track on a loaded set, <see cref="ExtendSetup.Run"/> writes the result.
/// </summary>
public sealed class ExtendJob
{
    private ExtendJob(ExtendRequest request, string input, string output) => (Request, InputPath, OutputPath) = (request, input, output);

    public ExtendRequest Request { get; }
    public string InputPath { get; }
    public string OutputPath { get; }

    public static ExtendJob Create(ExtendRequest o) => AssistantException.Guard(() =>
    {
        if ((o.AddSeconds is null) == (o.TotalSeconds is null))
            throw AssistantException.InvalidRequest("give either the seconds to add or the total length");
        var length = o.AddSeconds ?? o.TotalSeconds!.Value;
        if (!(length > 0 && length <= GenerationLimits.MaxSeconds))
            throw AssistantException.InvalidRequest($"the length must be a positive number of seconds up to {GenerationLimits.MaxSeconds:0}; got {Units.Number(length)}");
        if (o.Text is { } t && string.IsNullOrWhiteSpace(t)) throw AssistantException.InvalidRequest("the description is empty; leave it out to continue from the audio alone");
        if (o.Text is { } described) PromptList.Checked(described.Trim(), "the description");
        if (Path.GetExtension(o.Output) is { Length: > 0 } extension && !extension.Equals(".wav", StringComparison.OrdinalIgnoreCase))
            throw AssistantException.InvalidRequest($"--out '{o.Output}': edits are written as WAV (streamed, any length); use a .wav file name");
        var input = InputFiles.Require(o.Input, "track");
        var output = OutputFiles.Require(o.Output, "output WAV", new NamedInput("track", input));
        OutputFiles.CheckWritable(output, o.Output, "output WAV");
        return new ExtendJob(o, input, output);
    });

    /// <summary>Fails before the set is loaded when the output would replace one of its files.</summary>
    public void CheckModelSet(Models.ModelSets.ModelSetManifest manifest) => GenerateJob.RequireNotModelFiles(OutputPath, manifest);

    /// <summary>Reads the track (stage "read track"), spooled beside the output, and fixes the length, the sampling and the seed.</summary>
    public ExtendSetup Prepare(MusicGenModelSet set, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            using var _ = set.EnterJob(cancellation);
            var o = Request;
            var channels = set.Config.AudioChannels;
            var format = MediaToModelInput.Inspect(InputPath, channels, cancellation);
            if (channels == 2 && format.ChannelCount != 2)
                throw AssistantException.Unsupported($"track '{o.Input}' has {format.ChannelCount} channel(s); this stereo model continues stereo audio only (2 channels)");
            if (format.FrameCount == 0) throw AssistantException.BadInput($"track '{o.Input}' holds no audio (0 frames)");

            var rate = set.SampleRate;
            var track = MediaToModelInput.Spool(InputPath, rate, channels, Path.GetDirectoryName(OutputPath)!, Path.GetFileName(OutputPath),
                progress, "read track", cancellation);
            try
            {
                var trackSeconds = track.Length / (double)rate;
                var addSeconds = o.AddSeconds ?? o.TotalSeconds!.Value - trackSeconds;
                if (o.TotalSeconds is { } total && addSeconds * set.FrameRate < 1)
                    throw AssistantException.InvalidRequest($"track '{o.Input}' is already {Units.Seconds(trackSeconds)} long; --to {Units.Number(total)} must be at least one frame ({Units.Seconds(1 / set.FrameRate)}) longer");
                var newFrames = TrackLength.Frames(addSeconds, set.FrameRate, o.AddSeconds is null ? "the addition" : "--seconds");
                var sampling = o.Sampling.Settings(set.Manifest.Defaults);
                var seed = o.Sampling.Seed ?? (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);
                // no description: the null condition in both guidance halves (a melody model: null melody, empty text) = no guidance
                var used = o.Text is null ? sampling with { GuidanceScale = 1 } : sampling;
                return new ExtendSetup(this, set, track, format, trackSeconds, newFrames, used, seed);
            }
            catch
            {
                track.Dispose();
                throw;
            }
        });
}

/// <summary>What an edit wrote: the file, its length, its peak level, and how long generating and writing took.</summary>
public sealed record ExtendResult(string Path, double Seconds, PeakLevel Peak, TimeSpan Time);

/// <summary>An <see cref="ExtendJob"/> with its track read: what will be added, how, and the run that writes it.</summary>
public sealed class ExtendSetup : IDisposable
{
    private readonly ExtendJob _job;
    private readonly MusicGenModelSet _set;
    private readonly SpooledSamples _track;

    internal ExtendSetup(ExtendJob job, MusicGenModelSet set, SpooledSamples track, InputAudioInfo input, double trackSeconds, int newFrames,
        SamplingSettings sampling, ulong seed)
    {
        (_job, _set, _track) = (job, set, track);
        (Input, TrackSeconds, NewFrames, Sampling, Seed) = (input, trackSeconds, newFrames, sampling, seed);
    }

    /// <summary>The track as its file declares it (rate, channels).</summary>
    public InputAudioInfo Input { get; }
    public double TrackSeconds { get; }
    public int NewFrames { get; }
    public double NewSeconds => NewFrames / _set.FrameRate;
    public SamplingSettings Sampling { get; }
    public ulong Seed { get; }

    /// <summary>Generates the continuation (stages "encode prompt", "extend") and writes track + new part.</summary>
    public ExtendResult Run(IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) => AssistantException.Guard(() =>
    {
        using var _ = _set.EnterJob(cancellation);
        var clock = Stopwatch.StartNew();
        var text = _job.Request.Text?.Trim();
        var conditioning = TrackConditioning.ForText(_set, text);
        var peak = TrackExtension.Run(_set, _track, _job.InputPath, NewFrames, conditioning, TrackConditioning.PrefixLength(_set, text), Sampling, Seed,
            _job.OutputPath, _job.Request.Format, progress, cancellation);
        return new ExtendResult(_job.OutputPath, TrackSeconds + NewSeconds, peak, clock.Elapsed);
    });

    public void Dispose() => _track.Dispose();
}
