using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Weight types ggml's CPU backend multiplies (a dot-product kernel against F32 activations in ggml-cpu's type traits)
/// and gathers rows of: the float types, the classic and k-quants, the i-quants and the ternary / MXFP4 types. Left
/// out: Q8_1 and Q8_K (only the activation side of other types' products) and the integer / F64 types. A weight of
/// another type is refused at load time, naming the tensor, instead of reaching a GGML_ASSERT.
/// </summary>
public static class ComputableTypes
{
    public static IReadOnlySet<GgmlType> Matrices { get; } = new HashSet<GgmlType>
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16,
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ2_S, GgmlType.IQ3_XXS, GgmlType.IQ3_S,
        GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.IQ4_NL, GgmlType.IQ4_XS,
        GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.MXFP4,
    };

    /// <summary>Throws naming the tensor when ggml cannot multiply a weight of this type.</summary>
    public static void RequireMatrix(string source, string tensor, GgmlType type)
    {
        if (!Matrices.Contains(type))
            throw new ModelWeightsException(
                $"{source}: tensor '{tensor}' is stored as {GgmlTypeInfo.Get(type).Name}, which ggml's CPU backend cannot use as a weight " +
                $"(supported: {string.Join(", ", Matrices.Select(t => GgmlTypeInfo.Get(t).Name))}); re-quantize the model to one of them");
    }
}
