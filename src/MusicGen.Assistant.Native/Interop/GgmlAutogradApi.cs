using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>
/// ggml.h's training surface (autograd and the optimizer op that ggml-opt builds on) plus the ops whose backward the
/// differentiable composites use. Callers validate first (see <c>Autograd</c>, <c>GgmlContext.Differentiable</c>).
/// </summary>
internal static unsafe partial class GgmlAutogradApi
{
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_set_param(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_set_loss(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_build_backward_expand(nint ctx, nint graph, GgmlTensorStruct** gradAccs);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_graph_get_grad(nint graph, GgmlTensorStruct* node);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_get_unary_op(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_get_glu_op(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_unary_op_name(int op);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_tensor_memset(GgmlTensorStruct* t, byte value, nuint offset, nuint size);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_opt_step_adamw(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* grad, GgmlTensorStruct* m, GgmlTensorStruct* v, GgmlTensorStruct* adamwParams);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_cross_entropy_loss(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sum(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_pool_2d(nint ctx, GgmlTensorStruct* a, int op, int k0, int k1, int s0, int s1, float p0, float p1);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_exp(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_log(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_abs(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sgn(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_neg(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_softplus(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_scale_bias(nint ctx, GgmlTensorStruct* a, float s, float b);
}
