using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// Answers the text-conditioning calls of vectors.json with our code, in the reference's PyTorch shapes:
/// <c>model.text_encoder(ids, mask).last_hidden_state</c> [B, L, d_model] through <see cref="MusicGen.Assistant.Models.T5.T5Encoder"/>, and
/// <c>model.enc_to_dec_proj(x)</c> [B, L, D] through <see cref="TextConditioning.Project"/>. The rest of an expression
/// (<c>* mask[..., None]</c>) is plain array arithmetic done by <see cref="CallExpression"/>.
/// </summary>
internal sealed class T5Reference(TextConditioning conditioning)
{
    /// <summary>Whether a vector belongs to the T5 family: its expression applies model.text_encoder.</summary>
    public static bool Handles(ReferenceVector v) => !v.IsInput && v.Call.Contains("model.text_encoder(", StringComparison.Ordinal);

    public NDArray Evaluate(ReferenceVector v) => CallExpression.EvaluateWithArguments(v.Call, name => Array(v.Set.Vector(name)), Call);

    private static NDArray Array(ReferenceVector v) => new(v.Shape, v.Values());

    private NDArray Call(string function, CallArguments args)
    {
        switch (function)
        {
            case "model.text_encoder=>last_hidden_state":
                args.Allow("input_ids", "attention_mask");
                var ids = args.Get(0, "input_ids");
                var mask = args.Get(1, "attention_mask");
                var hidden = conditioning.Encoder.Encode(Ints(ids), Ints(mask));
                return new NDArray([ids.Shape[0], ids.Shape[1], conditioning.Encoder.Config.DModel], hidden.Select(x => (double)x).ToArray());
            case "model.enc_to_dec_proj":
                args.Allow("input");
                return Project(args.Get(0, "input"));
            default:
                throw new NotSupportedException($"no T5 / text-conditioning implementation of '{function}'");
        }
    }

    // the projection alone, as a one-op graph over the given [B, L, d_model] values
    private NDArray Project(NDArray x)
    {
        if (x.Rank != 3) throw new NotSupportedException($"enc_to_dec_proj of a [{string.Join(", ", x.Shape)}] array (expected [B, L, d_model])");
        long batch = x.Shape[0], length = x.Shape[1], width = x.Shape[2];
        var backend = conditioning.Encoder.Backend;
        using var ctx = new GgmlContext(16);
        using var executor = new GraphExecutor(backend, 16);
        var input = ctx.NewInput("hidden", GgmlType.F32, width, length, batch);
        var output = ctx.MarkOutput(conditioning.Project(ctx, input));
        var graph = ctx.NewGraph().Expand(output);
        executor.Allocate(graph);
        input.SetData<float>(x.Data.Select(v => (float)v).ToArray());
        executor.Compute(graph);
        return new NDArray([batch, length, output.Ne0], output.ToFloatArray().Select(v => (double)v).ToArray());
    }

    public static int[,] Ints(NDArray a)
    {
        if (a.Rank != 2) throw new NotSupportedException($"expected a [B, L] array, got [{string.Join(", ", a.Shape)}]");
        var result = new int[a.Shape[0], a.Shape[1]];
        for (var i = 0; i < a.Data.Length; i++) result[i / a.Shape[1], i % a.Shape[1]] = checked((int)a.Data[i]);
        return result;
    }
}
