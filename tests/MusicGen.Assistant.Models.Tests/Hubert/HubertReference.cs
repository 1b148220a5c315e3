using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// Answers the calls of a HuBERT fixture's vectors.json with our code, in the reference's PyTorch shapes:
/// the feature extractor (<c>Wav2Vec2FeatureExtractor(...)(x.numpy(), ...).input_values</c>) through
/// <see cref="HubertPreprocessing"/>, <c>model.feature_extractor(x)</c> [B, C, T] through
/// <see cref="HubertEncoder.ExtractFeatures"/>, and <c>model(input_values=.., attention_mask=..)</c> with
/// <c>.hidden_states</c> [states, B, T, hidden] or <c>.last_hidden_state</c> [B, T, hidden] through
/// <see cref="HubertEncoder.Forward"/>. Indexing and the rest are done by <see cref="CallExpression"/>.
/// </summary>
internal sealed partial class HubertReference(HubertEncoder encoder)
{
    [GeneratedRegex(@"^Wav2Vec2FeatureExtractor\((?<options>[^)]*)\)\((?<input>\w+)\.numpy\(\), sampling_rate=(?<rate>\d+), return_tensors='pt'\)\.input_values$")]
    private static partial Regex FeatureExtractorCall();

    /// <summary>Whether a vector is an output of this family's code (every non-input vector of a HuBERT set).</summary>
    public static bool Handles(ReferenceVector v) => !v.IsInput;

    public NDArray Evaluate(ReferenceVector v)
    {
        if (FeatureExtractorCall().Match(v.Call) is { Success: true } m) return Preprocess(v, m);
        return CallExpression.EvaluateWithArguments(v.Call, name => Value(v.Set, name), Call);
    }

    private static NDArray Value(FixtureSet set, string name) => name switch
    {
        "True" => new NDArray([], [1]),
        "False" => new NDArray([], [0]),
        _ => new NDArray(set.Vector(name).Shape, set.Vector(name).Values()),
    };

    // the processor's options must be the ones our preprocessing (read from preprocessor_config.json) applies
    private NDArray Preprocess(ReferenceVector v, Match m)
    {
        var options = m.Groups["options"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(o => o.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var p = encoder.Preprocessing;
        var rate = int.Parse(m.Groups["rate"].Value, CultureInfo.InvariantCulture);
        if (rate != p.SamplingRate || options.GetValueOrDefault("sampling_rate") is { } r && int.Parse(r, CultureInfo.InvariantCulture) != p.SamplingRate)
            throw new NotSupportedException($"{v}: the processor runs at {rate} Hz, our preprocessing at {p.SamplingRate} Hz");
        if (options.GetValueOrDefault("do_normalize") is { } normalize && normalize == "True" != p.DoNormalize)
            throw new NotSupportedException($"{v}: do_normalize={normalize} differs from preprocessor_config.json");
        var input = v.Set.Vector(m.Groups["input"].Value);
        var prepared = p.Prepare(HubertFixtures.Floats(input));
        return new NDArray([1, prepared.Length], prepared.Select(x => (double)x).ToArray());
    }

    private NDArray Call(string function, CallArguments args)
    {
        switch (function)
        {
            case "model.feature_extractor":
            {
                args.Allow("input_values");
                var input = Matrix(args.Get(0, "input_values"));
                var features = encoder.ExtractFeatures(input);                       // [B, T, C]
                long batch = input.GetLength(0), channels = encoder.Config.ConvChannels, frames = features.Length / batch / channels;
                return new NDArray([batch, frames, channels], features.Select(x => (double)x).ToArray()).Transpose(1, 2);
            }
            case "model=>hidden_states":
            case "model=>last_hidden_state":
            {
                args.Allow("input_values", "attention_mask", "output_hidden_states");
                var input = Matrix(args.Get(0, "input_values"));
                var mask = args.Keywords.TryGetValue("attention_mask", out var m) || args.Positional.Count > 1 ? Ints(args.Get(1, "attention_mask")) : null;
                var rows = encoder.Forward(input, mask);
                var states = function.EndsWith("hidden_states", StringComparison.Ordinal)
                    ? Enumerable.Range(0, rows[0].Count).ToArray()
                    : [rows[0].Count - 1];
                long frames = rows[0].Frames, width = rows[0].HiddenSize;
                var data = states.SelectMany(s => rows.SelectMany(r => r[s].ToArray())).Select(x => (double)x).ToArray();
                return function.EndsWith("hidden_states", StringComparison.Ordinal)
                    ? new NDArray([states.Length, rows.Count, frames, width], data)
                    : new NDArray([rows.Count, frames, width], data);
            }
            default:
                throw new NotSupportedException($"no HuBERT implementation of '{function}'");
        }
    }

    private static float[,] Matrix(NDArray a)
    {
        if (a.Rank != 2) throw new NotSupportedException($"expected input values [B, S], got [{string.Join(", ", a.Shape)}]");
        var m = new float[a.Shape[0], a.Shape[1]];
        for (var i = 0; i < a.Data.Length; i++) m[i / a.Shape[1], i % a.Shape[1]] = (float)a.Data[i];
        return m;
    }

    private static int[,] Ints(NDArray a)
    {
        if (a.Rank != 2) throw new NotSupportedException($"expected an attention mask [B, S], got [{string.Join(", ", a.Shape)}]");
        var m = new int[a.Shape[0], a.Shape[1]];
        for (var i = 0; i < a.Data.Length; i++) m[i / a.Shape[1], i % a.Shape[1]] = checked((int)a.Data[i]);
        return m;
    }
}
