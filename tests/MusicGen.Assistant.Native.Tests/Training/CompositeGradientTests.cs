using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests.Training;

/// <summary>
/// Every composite a training context builds in place of an op without a ggml backward: its forward equals ggml's own
/// op (or the exact formula), and ggml's backward through it equals finite differences, also at 0 and far out.
/// </summary>
public class CompositeGradientTests
{
    private static readonly float[] Points = [-12f, -4.5f, -2f, -1.1f, -0.3f, 0f, 0.2f, 0.7f, 1.3f, 2.5f, 5f, 11f];
    private static readonly long[] Shape = [Points.Length];

    public static TheoryData<string> Composites => ["tanh", "sigmoid", "gelu_erf", "gelu_tanh", "elu"];

    private static GradientHarness.Function Op(string name) => name switch
    {
        "tanh" => (c, x) => c.Tanh(x),
        "sigmoid" => (c, x) => c.Sigmoid(x),
        "gelu_erf" => (c, x) => c.GeluErf(x),
        "gelu_tanh" => (c, x) => c.GeluTanh(x),
        _ => (c, x) => c.Elu(x),
    };

    // the exact functions (ggml's own GELU-tanh reads an F16 table, so it is no reference to 1e-6)
    private static double Exact(string name, double x) => name switch
    {
        "tanh" => Math.Tanh(x),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        "gelu_tanh" => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        "elu" => x > 0 ? x : Math.Exp(x) - 1,
        _ => double.NaN,
    };

    [Theory]
    [MemberData(nameof(Composites))]
    public void Composite_forward_equals_the_function(string name)
    {
        for (var i = 0; i < Points.Length; i++)
        {
            var one = new float[Points.Length];
            one[i] = 1; // L = f(x_i): each output on its own
            var composite = GradientHarness.Evaluate(Op(name), Points, Shape, one, backward: false, training: true).Loss;
            // exact GELU has no closed form here: ggml's own gelu_erf (libm erff per element) is the reference
            var reference = name == "gelu_erf"
                ? GradientHarness.Evaluate(Op(name), Points, Shape, one, backward: false, training: false).Loss
                : Exact(name, Points[i]);
            Assert.True(Math.Abs(composite - reference) <= 2e-6 + 2e-6 * Math.Abs(reference), $"{name}({Points[i]}): composite {composite}, reference {reference}");
        }
    }

    [Theory]
    [MemberData(nameof(Composites))]
    public void Composite_gradient_equals_finite_differences(string name) =>
        GradientHarness.Check(Op(name), Points, Shape);

    [Theory]
    [InlineData("tanh", 1.0)]
    [InlineData("sigmoid", 0.25)]
    [InlineData("gelu_erf", 0.5)]
    [InlineData("gelu_tanh", 0.5)]
    [InlineData("elu", 1.0)]
    public void Gradient_at_zero_is_the_true_derivative(string name, double expected)
    {
        // a zero-initialised gate must get tanh'(0) = 1, not the 0 a sign-based form would give
        var (_, g) = GradientHarness.Evaluate(Op(name), [0f], [1], [1f], backward: true);
        Assert.Equal(expected, g![0], 5);
    }

    [Fact]
    public void LayerNorm_composite_matches_ggml_norm_and_finite_differences()
    {
        float[] x = [0.3f, -1.2f, 2.0f, 0.7f, -0.4f, 1.1f, 0f, -2.2f, 5f, 4f, 4.5f, 3.9f, -1f, -1.5f, 0.25f, 0.1f];
        long[] shape = [8, 2];
        GradientHarness.Function norm = (c, t) => c.Norm(t, 1e-5f);
        for (var i = 0; i < x.Length; i++)
        {
            var one = new float[x.Length];
            one[i] = 1;
            var composite = GradientHarness.Evaluate(norm, x, shape, one, false, training: true).Loss;
            var native = GradientHarness.Evaluate(norm, x, shape, one, false, training: false).Loss;
            Assert.True(Math.Abs(composite - native) <= 1e-5, $"norm[{i}]: composite {composite}, ggml {native}");
        }
        GradientHarness.Check(norm, x, shape, h: 5e-3);
    }
}
