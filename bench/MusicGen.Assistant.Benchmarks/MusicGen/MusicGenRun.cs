using System.Diagnostics;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>One timed generation: where its wall time went and every decode step's time.</summary>
public sealed record MusicGenRunResult(
    double TextMs, double PrefillMs, double LoopMs, double SampleMs, double AudioMs, double TotalMs,
    double LoopCpuMs, double[] StepMs, IReadOnlyList<(string Stage, TimeSpan Total)> Stages, string Output)
{
    /// <summary>Other processes' share of the CPU during the run (0..1), filled in by the caller.</summary>
    public double ForeignShare { get; init; }
}

/// <summary>
/// Text prompt → T5 + projection → guided generation (<see cref="MusicGenGenerator"/>, audiocraft's sampling) →
/// EnCodec decoding of the first item, timed stage by stage.
/// </summary>
public sealed class MusicGenRun(TextConditioning text, MusicGenGenerator generator, EncodecCodec? codec, int[] promptIds, GgmlType kvType, ulong seed)
{
    private MusicGenConditioning? _conditioning;

    /// <summary>The conditioning of the prompt (from the last run).</summary>
    public MusicGenConditioning Conditioning => _conditioning ?? throw new InvalidOperationException("no run yet");

    public MusicGenRunResult Once(int maxNewTokens, bool decodeAudio)
    {
        var decoder = generator.Decoder;
        decoder.Timings.Reset();
        var total = Stopwatch.StartNew();

        var ids = new int[1, promptIds.Length];
        var mask = new int[1, promptIds.Length];
        for (var t = 0; t < promptIds.Length; t++) (ids[0, t], mask[0, t]) = (promptIds[t], 1);
        var states = text.Encode(ids, mask);
        _conditioning = new MusicGenConditioning(states, null, 1, promptIds.Length, text.HiddenSize);
        var textMs = total.Elapsed.TotalMilliseconds;

        var request = new MusicGenGenerationRequest
        {
            Conditioning = _conditioning,
            MaxNewTokens = maxNewTokens,
            Sampling = SamplingSettings.Audiocraft,
            Seed = seed,
            CacheType = kvType,
        };
        var clock = new StepClock();
        var generation = generator.Generate(request, clock);
        var stages = decoder.Timings.Totals;

        var audioWatch = Stopwatch.StartNew();
        var output = $"{generation.Frames} frames";
        if (decodeAudio && codec is not null)
        {
            var audio = MusicGenAudio.Decode(codec, generation, decoder.Config, 0);
            var finite = audio.All(ch => ch.All(float.IsFinite));
            output += $" -> {audio[0].Length} samples, peak |x| {audio.Max(ch => ch.Max(MathF.Abs)):F3}, {(finite ? "all finite" : "NOT ALL FINITE")}";
        }
        var audioMs = audioWatch.Elapsed.TotalMilliseconds;
        total.Stop();
        var distinct = Enumerable.Range(0, generation.Codebooks).Select(k => Enumerable.Range(0, generation.Frames).Select(t => generation.Codes[k, t]).Distinct().Count());
        output += $"; distinct codes per codebook {string.Join("/", distinct)}";

        return new MusicGenRunResult(textMs, clock.PrefillMs, clock.LoopMs, decoder.Timings["sample"].TotalMilliseconds, audioMs,
            total.Elapsed.TotalMilliseconds, clock.LoopCpuMs, clock.StepMs(), stages, output);
    }
}
