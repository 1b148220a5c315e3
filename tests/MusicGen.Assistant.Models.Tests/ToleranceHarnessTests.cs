using MusicGen.Assistant.Testing;
using Xunit.Sdk;

namespace MusicGen.Assistant.Models.Tests;

/// <summary>The parity harness itself: a value just outside the stated tolerance must fail, naming where.</summary>
public class ToleranceHarnessTests
{
    [Fact]
    public void A_perturbed_output_fails_and_an_exact_copy_passes()
    {
        var v = FixtureSet.ByName("musicgen-tiny").Vector("encodec_decoded_audio_values");
        var values = v.Values();
        ToleranceAssert.Matches(v, values, v.Shape);
        var perturbed = (double[])values.Clone();
        perturbed[1234] += 2 * (v.Tolerance!.Atol + v.Tolerance.Rtol * Math.Abs(values[1234]));
        var e = Assert.Throws<XunitException>(() => ToleranceAssert.Matches(v, perturbed, v.Shape));
        Assert.Contains("flat index 1234", e.Message);

        var codes = FixtureSet.ByName("musicgen-tiny").Vector("encodec_audio_codes");
        var c = codes.Values();
        c[7] += 1;
        Assert.Throws<XunitException>(() => ToleranceAssert.Matches(codes, c, codes.Shape));
    }

    [Fact]
    public void Call_expressions_slice_transpose_and_concatenate_like_python()
    {
        // x = arange(12).reshape(2, 2, 3)
        var x = new NDArray([2, 2, 3], Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        NDArray Eval(string e) => CallExpression.Evaluate(e, _ => x, (_, _) => throw new InvalidOperationException());
        Assert.Equal([0.0, 2, 3, 5, 6, 8, 9, 11], Eval("x[:, :, ::2]").Data);
        Assert.Equal([3.0, 4, 5, 9, 10, 11], Eval("x[:, 1:]").Data);
        Assert.Equal([2L, 3], Eval("x[1]").Shape);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], Eval("x[0].transpose(0, 1)").Data);
        var cat = Eval("torch.cat([x[:, :1], x[:, 1:]], dim=1)");
        Assert.Equal(x.Data, cat.Data);
        Assert.Equal([1.0, 2, 4, 5, 7, 8, 10, 11], Eval("x[:, :, 1::1]").Data);
        var call = CallExpression.Evaluate("model.f(x[:, :1]).out  (a comment)", _ => x, (name, args) =>
        {
            Assert.Equal("model.f=>out", name);
            return args[0];
        });
        Assert.Equal([2L, 1, 3], call.Shape);
        // anything else reaches the caller-supplied handler by name, which refuses what it does not implement
        Assert.Throws<InvalidOperationException>(() => Eval("x.reshape(3, 4)"));
        Assert.Throws<NotSupportedException>(() => Eval("x[:, ::-1]"));
    }
}
