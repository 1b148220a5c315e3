using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Evaluates the calls of the sampling fixture with <see cref="ClassifierFreeGuidance"/> and <see cref="LogitsSampler"/>,
/// reading the guidance scale, temperature, top-k and top-p from the call text: <c>ClassifierFreeGuidanceLogitsProcessor(s)
/// (ids, torch.cat([cond, uncond], 0))</c>, <c>x.softmax(-1)</c>, and warpers (<c>TopKLogitsWarper(top_k=k)</c>,
/// <c>TopPLogitsWarper(top_p=p)</c>, <c>GenerationMixin._get_logits_warper(GenerationConfig(...))</c>) applied to
/// <c>(input_ids, x)</c>, followed by <c>-&gt; isfinite</c> (keep mask) or <c>.softmax(-1)</c> (probabilities).
/// Anything else fails, naming the call.
/// </summary>
internal static partial class SamplingCall
{
    // transformers' GenerationConfig defaults, which apply to any filter a GenerationConfig(...) call leaves unset
    private const int TransformersDefaultTopK = 50;

    [GeneratedRegex(@"^ClassifierFreeGuidanceLogitsProcessor\((?<scale>[0-9.]+)\)\(.*torch\.cat\(\[(?<cond>\w+), (?<uncond>\w+)\], 0\)\)$")]
    private static partial Regex Guidance();

    [GeneratedRegex(@"^(?<x>\w+)\.softmax\(-1\)$")]
    private static partial Regex Softmax();

    [GeneratedRegex(@"^(?<head>.*?)\(input_ids, (?<x>\w+)\)(?<tail>.*)$")]
    private static partial Regex Warper();

    public static double[] Evaluate(ReferenceVector vector)
    {
        var set = vector.Set;
        var call = vector.Call.Trim();
        var vocab = (int)vector.Shape[^1];
        if (Guidance().Match(call) is { Success: true } g)
        {
            var stacked = Grids.Floats(set.Vector(g.Groups["cond"].Value)).Concat(Grids.Floats(set.Vector(g.Groups["uncond"].Value))).ToArray();
            return ClassifierFreeGuidance.MixStacked(stacked, vocab, Number(g.Groups["scale"].Value)).Select(x => (double)x).ToArray();
        }
        if (Softmax().Match(call) is { Success: true } s)
            return PerRow(Grids.Floats(set.Vector(s.Groups["x"].Value)), vocab, row =>
            {
                var p = new float[row.Length];
                LogitsWarpers.Softmax(row, p);
                return p.Select(x => (double)x).ToArray();
            });
        if (Warper().Match(call) is { Success: true } w)
        {
            var settings = Settings(w.Groups["head"].Value, vector);
            var sampler = new LogitsSampler(settings, seed: 0);
            var input = Grids.Floats(set.Vector(w.Groups["x"].Value));
            var tail = w.Groups["tail"].Value;
            if (tail.Contains("-> isfinite", StringComparison.Ordinal))
                return PerRow(input, vocab, row => sampler.KeepMask(row).Select(k => k ? 1.0 : 0.0).ToArray());
            if (tail.Contains(".softmax(-1)", StringComparison.Ordinal))
                return PerRow(input, vocab, row => sampler.Probabilities(row).Select(x => (double)x).ToArray());
        }
        throw new NotSupportedException($"{vector}: unrecognised sampling call '{vector.Call}'");
    }

    /// <summary>The filters a warper expression names; filters it does not name are off (or transformers' default inside GenerationConfig).</summary>
    public static SamplingSettings Settings(string head, ReferenceVector vector)
    {
        int? topK = Match(head, @"top_k=(\d+)") is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : null;
        float? topP = Match(head, @"top_p=([0-9.]+)") is { } p ? Number(p) : null;
        float? temperature = Match(head, @"temperature=([0-9.]+)") is { } t ? Number(t) : null;
        if (head.StartsWith("GenerationMixin._get_logits_warper(GenerationConfig(", StringComparison.Ordinal))
            return new SamplingSettings { TopK = topK ?? TransformersDefaultTopK, TopP = topP ?? 1f, Temperature = temperature ?? 1f };
        if (head.StartsWith("TopKLogitsWarper(", StringComparison.Ordinal) && topK is not null)
            return new SamplingSettings { TopK = topK.Value, TopP = 1f };
        if (head.StartsWith("TopPLogitsWarper(", StringComparison.Ordinal) && topP is not null)
            return new SamplingSettings { TopK = 0, TopP = topP.Value };
        if (head.StartsWith("TemperatureLogitsWarper(", StringComparison.Ordinal) && temperature is not null)
            return new SamplingSettings { TopK = 0, TopP = 1f, Temperature = temperature.Value };
        throw new NotSupportedException($"{vector}: unrecognised warper '{head}'");
    }

    private static string? Match(string text, string pattern) =>
        Regex.Match(text, pattern) is { Success: true } m ? m.Groups[1].Value : null;

    private static float Number(string text) => float.Parse(text, CultureInfo.InvariantCulture);

    private static double[] PerRow(float[] values, int vocab, Func<float[], double[]> f) =>
        values.Chunk(vocab).SelectMany(row => f(row)).ToArray();
}
