using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>
/// Answers the calls of a ViT / ViViT fixture's vectors.json with our encoder, in the reference's PyTorch shapes:
/// <c>model(pixel_values=..).last_hidden_state</c> [B, S, D], <c>.pooler_output</c> [B, D] and, with
/// <c>output_hidden_states=True</c>, <c>.hidden_states</c> as one [L + 1, B, S, D] array that the expression indexes.
/// </summary>
internal sealed class VisionReference(VisionEncoder encoder)
{
    /// <summary>Whether a vector is an output of a vision fixture (every non-input vector of a vit / vivit set).</summary>
    public static bool Handles(ReferenceVector v) => !v.IsInput && VisionFixtures.FamilyOf(v.Set) is not null;

    public NDArray Evaluate(ReferenceVector v) => CallExpression.EvaluateWithArguments(v.Call, name => Value(v.Set, name), Call);

    private static NDArray Value(FixtureSet set, string name) => name switch
    {
        "True" => new NDArray([], [1]),
        "False" => new NDArray([], [0]),
        _ => new NDArray(set.Vector(name).Shape, set.Vector(name).Values()),
    };

    private NDArray Call(string function, CallArguments args)
    {
        args.Allow("pixel_values", "output_hidden_states");
        var pixels = VisionFixtures.Pixels(args.Get(0, "pixel_values"));
        var wantStates = args.Keywords.TryGetValue("output_hidden_states", out var flag) && flag.Data[0] != 0;
        var output = encoder.Encode(pixels, hiddenStates: wantStates);
        long b = output.Batch, s = output.SequenceLength, d = output.HiddenSize;
        switch (function)
        {
            case "model=>last_hidden_state":
                return new NDArray([b, s, d], Doubles(output.LastHiddenState));
            case "model=>pooler_output":
                return new NDArray([b, d], Doubles(output.PoolerOutput ?? throw new InvalidOperationException("the converted model has no pooler")));
            case "model=>hidden_states":
                if (!wantStates) throw new NotSupportedException("hidden_states without output_hidden_states=True");
                return new NDArray([output.HiddenStates.Count, b, s, d], output.HiddenStates.SelectMany(Doubles).ToArray());
            default:
                throw new NotSupportedException($"no vision encoder implementation of '{function}'");
        }
    }

    private static double[] Doubles(float[] values) => values.Select(x => (double)x).ToArray();
}
