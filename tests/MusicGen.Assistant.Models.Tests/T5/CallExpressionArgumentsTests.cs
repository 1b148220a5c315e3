using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// The expression forms the text-encoder vectors use: keyword arguments, numbers, elementwise arithmetic with
/// broadcasting, and <c>[..., None]</c> indexing — checked on small arrays against what Python/NumPy give.
/// </summary>
public class CallExpressionArgumentsTests
{
    // x = arange(6).reshape(2, 3); m = [[1, 0, 1], [0, 1, 1]]
    private static readonly NDArray X = new([2, 3], [0, 1, 2, 3, 4, 5]);
    private static readonly NDArray M = new([2, 3], [1, 0, 1, 0, 1, 1]);

    private static NDArray Eval(string text, Func<string, CallArguments, NDArray>? call = null) =>
        CallExpression.EvaluateWithArguments(text, name => name switch { "x" => X, "m" => M, _ => throw new KeyNotFoundException(name) },
            call ?? ((name, _) => throw new InvalidOperationException(name)));

    [Fact]
    public void None_and_ellipsis_insert_and_keep_axes()
    {
        var a = Eval("m[..., None]");
        Assert.Equal([2L, 3, 1], a.Shape);
        Assert.Equal(M.Data, a.Data);
        Assert.Equal([1L, 2, 3], Eval("x[None]").Shape);
        Assert.Equal([2L, 1, 3], Eval("x[:, None]").Shape);
        var last = Eval("x[..., 1]");
        Assert.Equal([2L], last.Shape);
        Assert.Equal([1.0, 4], last.Data);
        Assert.Equal([3L], Eval("x[1, ...]").Shape);
    }

    [Fact]
    public void Arithmetic_broadcasts_like_numpy_with_the_usual_precedence()
    {
        // x[..., None] * m[..., None] is elementwise; x * m[0] broadcasts a row over both rows
        Assert.Equal([0.0, 0, 2, 0, 4, 5], Eval("x[..., None] * m[..., None]").Data);
        Assert.Equal([0.0, 0, 2, 3, 0, 5], Eval("x * m[0]").Data);
        Assert.Equal([1.0, 1.5, 2, 2.5, 3, 3.5], Eval("1 + x / 2").Data);
        Assert.Equal([-0.5, 0.5, 1.5, 2.5, 3.5, 4.5], Eval("x - 1e0 / 2").Data);
        Assert.Equal([0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5], Eval("0.1 * x").Data);
        var outer = Eval("x[0][:, None] * x[1][None]"); // [3, 1] * [1, 3] -> [3, 3]
        Assert.Equal([3L, 3], outer.Shape);
        Assert.Equal([0.0, 0, 0, 3, 4, 5, 6, 8, 10], outer.Data);
        Assert.Throws<ArgumentException>(() => Eval("x * x[0][:2]"));
    }

    [Fact]
    public void Keyword_and_positional_arguments_reach_the_model_call()
    {
        CallArguments? seen = null;
        var result = Eval("model.text_encoder(x, attention_mask=m, scale=2).last_hidden_state * 3", (name, args) =>
        {
            Assert.Equal("model.text_encoder=>last_hidden_state", name);
            seen = args;
            return args.Get(0, "input_ids");
        });
        Assert.Equal([0.0, 3, 6, 9, 12, 15], result.Data);
        Assert.Single(seen!.Positional);
        Assert.Same(M, seen.Get(1, "attention_mask"));
        Assert.Equal([2.0], seen.Keywords["scale"].Data);
        Assert.Empty(seen.Keywords["scale"].Shape);
        Assert.Contains("unsupported keyword argument(s) scale", Assert.Throws<NotSupportedException>(() => seen.Allow("input_ids", "attention_mask")).Message);
        Assert.Contains("missing argument 'labels'", Assert.Throws<NotSupportedException>(() => seen.Get(2, "labels")).Message);
        Assert.Throws<NotSupportedException>(() => Eval("f(input_ids=x, m)", (_, _) => X));
    }

    [Fact]
    public void The_positional_only_entry_point_refuses_keywords_by_name()
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            CallExpression.Evaluate("model.f(x, mask=m)", _ => X, (_, args) => args[0]));
        Assert.Contains("'model.f' is called with keyword arguments (mask)", e.Message);
    }
}
