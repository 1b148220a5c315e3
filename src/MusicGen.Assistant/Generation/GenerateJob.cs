using System.Diagnostics;
using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// <c>mga generate</c> as a job in three steps: <see cref="Create"/> checks every input and output before anything is
/// loaded; <see cref="Prepare"/> reads the melody and the continuation on a loaded set and fixes the plan, the sampling
/// and the seed; <see cref="GenerationSetup.Render"/> makes and writes one track per prompt.
/// </summary>
public sealed class GenerateJob
{
    private GenerateJob(GenerateRequest request, IReadOnlyList<string?> prompts, IReadOnlyList<string> outputs, AudioFileFormat format)
    {
        Request = request;
        Prompts = prompts;
        Outputs = outputs;
        OutputFormat = format;
    }

    public GenerateRequest Request { get; }

    /// <summary>The prompts, one track each (a single null: no text).</summary>
    public IReadOnlyList<string?> Prompts { get; }

    /// <summary>The full path each track is written to.</summary>
    public IReadOnlyList<string> Outputs { get; }

    public AudioFileFormat OutputFormat { get; }

    public static GenerateJob Create(GenerateRequest request) => AssistantException.Guard(() =>
    {
        if (!(request.DurationSeconds > 0 && request.DurationSeconds <= GenerationLimits.MaxSeconds))
            throw AssistantException.InvalidRequest($"the duration must be a positive number of seconds up to {GenerationLimits.MaxSeconds:0}; got {Units.Number(request.DurationSeconds)}");
        var prompts = PromptList.Read(request);
        var inputs = new List<NamedInput>();
        if (request.PromptsFile is not null) inputs.Add(new("prompts file", request.PromptsFile));
        if (request.Continue is not null) inputs.Add(new("audio prompt (--continue)", InputFiles.Require(request.Continue, "audio prompt (--continue)")));
        if (request.Melody is not null) inputs.Add(new("melody (--melody)", InputFiles.Require(request.Melody, "melody (--melody)")));
        var outputs = OutputPaths(request.Output, prompts.Count).Select(o => OutputFiles.Require(o, "output file", inputs)).ToList();
        OutputFiles.CheckWritable(outputs[0], request.Output, "output file");
        var format = TrackWriter.FormatFor(request.Output);
        return new GenerateJob(request, prompts, outputs, format);
    });

    /// <summary>
    /// Fails before the set is loaded when it cannot serve the request (a melody needs a MusicGen-Melody set) or an
    /// output would replace one of its files.
    /// </summary>
    public void CheckModelSet(ModelSetManifest manifest)
    {
        foreach (var output in Outputs) RequireNotModelFiles(output, manifest);
        if (Request.Melody is not null) MelodyInput.RequireMelodyModel(manifest);
    }

    internal static void RequireNotModelFiles(string output, ModelSetManifest manifest) =>
        OutputFiles.RequireNotAnInput(output, "output file", [
            new NamedInput("model's text encoder", manifest.TextEncoderPath), new NamedInput("model's decoder", manifest.DecoderPath),
            new NamedInput("model's codec", manifest.CodecPath), new NamedInput("model's tokenizer", manifest.TokenizerPath),
            .. manifest.Source is { } source ? [new NamedInput("model set manifest", source)] : Array.Empty<NamedInput>()]);

    /// <summary>Reads the melody and the continuation prompt (stages "read prompt", "encode prompt") and fixes the plan and the seed.</summary>
    public GenerationSetup Prepare(MusicGenModelSet set, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            var o = Request;
            // a melody model's conditioning prefix takes decoder positions too: the window leaves room for the longest
            var plan = TrackPlan.For(set, o.DurationSeconds, Prompts.Max(p => TrackConditioning.PrefixLength(set, p)));
            var melody = o.Melody is null ? null : MelodyInput.Load(set, o.Melody, o.DurationSeconds, cancellation);
            var sampling = o.Sampling.Settings(set.Manifest.Defaults);
            var continuation = o.Continue is null ? null
                : ContinuationPrompt.Load(set, o.Continue, Path.GetDirectoryName(Outputs[0])!, progress, cancellation);
            var seed = o.Sampling.Seed ?? (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);
            return new GenerationSetup(this, set, plan, sampling, seed, continuation, melody);
        });

    // One prompt: the file as given; several: NAME-001.wav, NAME-002.wav, ... next to it.
    private static string[] OutputPaths(string output, int count)
    {
        if (count == 1) return [output];
        var full = Path.GetFullPath(output);
        var parent = Path.GetDirectoryName(full)!;
        var name = Path.GetFileNameWithoutExtension(full);
        var ext = Path.GetExtension(full) is { Length: > 0 } given ? given : ".wav";
        return Enumerable.Range(1, count).Select(i => Path.Combine(parent, $"{name}-{i:000}{ext}")).ToArray();
    }
}

/// <summary>A written track: where, from which prompt, how long, in which format, and how long it took.</summary>
public sealed record WrittenTrack(string Path, string? Prompt, double Seconds, int SampleRate, int Channels, TrackFile File, TimeSpan Time);

/// <summary>A <see cref="GenerateJob"/> prepared on a loaded set: the plan, the sampling and the seed every track uses.</summary>
public sealed class GenerationSetup
{
    private readonly GenerateJob _job;
    private readonly MusicGenModelSet _set;

    internal GenerationSetup(GenerateJob job, MusicGenModelSet set, TrackPlan plan, SamplingSettings sampling, ulong seed,
        ContinuationPrompt? continuation, MelodyInput? melody)
    {
        (_job, _set) = (job, set);
        (Plan, Sampling, Seed, Continuation, Melody) = (plan, sampling, seed, continuation, melody);
    }

    public TrackPlan Plan { get; }
    public SamplingSettings Sampling { get; }
    public ulong Seed { get; }
    public ContinuationPrompt? Continuation { get; }
    public MelodyInput? Melody { get; }
    public int Count => _job.Prompts.Count;

    /// <summary>Renders prompt <paramref name="index"/> (stage "generate", or "generate i/n" for several) and writes its file.</summary>
    public WrittenTrack Render(int index, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            var clock = Stopwatch.StartNew();
            var o = _job.Request;
            var prompt = _job.Prompts[index];
            var stage = Count > 1 ? $"generate {index + 1}/{Count}" : "generate";
            var track = TrackRenderer.Render(_set, new TrackRequest
            {
                Text = prompt, Seconds = o.DurationSeconds, Sampling = Sampling, Seed = Seed, Continuation = Continuation, Melody = Melody, Plan = Plan,
            }, progress, cancellation, stage);
            var file = TrackWriter.Write(_job.Outputs[index], track.Audio, _job.OutputFormat, o.Format, o.Loudness, cancellation);
            return new WrittenTrack(_job.Outputs[index], prompt, track.Seconds, track.Audio.SampleRate, track.Audio.ChannelCount, file, clock.Elapsed);
        });
}
