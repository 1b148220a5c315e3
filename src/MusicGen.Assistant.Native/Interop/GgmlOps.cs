using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>ggml.h tensor operations used by our graphs. Callers validate shapes first (see <c>GgmlContext</c>).</summary>
internal static unsafe partial class GgmlOps
{
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_dup(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_add(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sub(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_mul(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_div(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_scale(nint ctx, GgmlTensorStruct* a, float s);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sqr(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sqrt(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sum_rows(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_argmax(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_repeat(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_concat(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b, int dim);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_elu(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_relu(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_gelu(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_gelu_erf(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_silu(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_sigmoid(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_tanh(nint ctx, GgmlTensorStruct* a);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_norm(nint ctx, GgmlTensorStruct* a, float eps);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_rms_norm(nint ctx, GgmlTensorStruct* a, float eps);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_soft_max(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_soft_max_ext(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* mask, float scale, float maxBias);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_rope_ext(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* positions, GgmlTensorStruct* freqFactors, int nDims, int mode, int nCtxOrig, float freqBase, float freqScale, float extFactor, float attnFactor, float betaFast, float betaSlow);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_swiglu_split(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_mul_mat(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_out_prod(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_flash_attn_ext(nint ctx, GgmlTensorStruct* q, GgmlTensorStruct* k, GgmlTensorStruct* v, GgmlTensorStruct* mask, float scale, float maxBias, float logitSoftcap);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_get_rows(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_set_rows(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b, GgmlTensorStruct* c);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_cpy(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_cast(nint ctx, GgmlTensorStruct* a, int type);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_cont(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_reshape_1d(nint ctx, GgmlTensorStruct* a, long ne0);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_reshape_2d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_reshape_3d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1, long ne2);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_reshape_4d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1, long ne2, long ne3);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_view_1d(nint ctx, GgmlTensorStruct* a, long ne0, nuint offset);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_view_2d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1, nuint nb1, nuint offset);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_view_3d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1, long ne2, nuint nb1, nuint nb2, nuint offset);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_view_4d(nint ctx, GgmlTensorStruct* a, long ne0, long ne1, long ne2, long ne3, nuint nb1, nuint nb2, nuint nb3, nuint offset);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_permute(nint ctx, GgmlTensorStruct* a, int axis0, int axis1, int axis2, int axis3);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_transpose(nint ctx, GgmlTensorStruct* a);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_set_1d_inplace(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b, nuint offset);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_pad_ext(nint ctx, GgmlTensorStruct* a, int lp0, int rp0, int lp1, int rp1, int lp2, int rp2, int lp3, int rp3);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_pad_reflect_1d(nint ctx, GgmlTensorStruct* a, int p0, int p1);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_im2col(nint ctx, GgmlTensorStruct* kernel, GgmlTensorStruct* data, int s0, int s1, int p0, int p1, int d0, int d1, [MarshalAs(UnmanagedType.U1)] bool is2D, int dstType);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_col2im_1d(nint ctx, GgmlTensorStruct* a, int s0, int oc, int p0);
    // custom CPU kernels: fun(dst, ith, nth, userdata) runs on every ggml worker thread
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_custom_4d(nint ctx, int type, long ne0, long ne1, long ne2, long ne3, GgmlTensorStruct** args, int nArgs, delegate* unmanaged<GgmlTensorStruct*, int, int, nint, void> fun, int nTasks, nint userdata);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_custom_inplace(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct** args, int nArgs, delegate* unmanaged<GgmlTensorStruct*, int, int, nint, void> fun, int nTasks, nint userdata);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_conv_transpose_1d(nint ctx, GgmlTensorStruct* a, GgmlTensorStruct* b, int s0, int p0, int d0);
}
