using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Marking what a backward pass differentiates, and checking a graph before ggml builds its backward: ggml aborts the
/// process on an op it cannot differentiate (GGML_ABORT in ggml_compute_backward), so every node that both depends on
/// a parameter and feeds the loss is checked here against the ops ggml.c covers, and the first one it does not cover
/// is named in a .NET exception.
/// </summary>
public static unsafe class Autograd
{
    internal const int ParameterFlag = 4, LossFlag = 8;

    // ggml.c ggml_compute_backward (0.25.1): ops with a backward. MEAN is left out: its backward asserts on per-row
    // means (ggml_add1 of a non-scalar); training graphs take a scaled SUM_ROWS instead.
    private static readonly HashSet<string> Differentiable =
    [
        "NONE", "DUP", "ADD", "ADD1", "ACC", "SUB", "MUL", "DIV", "SQR", "SQRT", "LOG", "SIN", "COS", "SUM", "SUM_ROWS", "REPEAT",
        "REPEAT_BACK", "RMS_NORM", "MUL_MAT", "SCALE", "SET", "CPY", "CONT", "RESHAPE", "VIEW", "PERMUTE", "TRANSPOSE", "GET_ROWS",
        "DIAG_MASK_INF", "DIAG_MASK_ZERO", "SOFT_MAX", "ROPE", "IM2COL", "POOL_2D", "CROSS_ENTROPY_LOSS",
    ];

    private static readonly HashSet<string> DifferentiableUnary = ["ABS", "SGN", "NEG", "STEP", "RELU", "SILU", "EXP", "EXPM1", "SOFTPLUS"];

    // in-place results are refused by ggml's backward except for these view-like ops
    private static readonly HashSet<string> ViewOps = ["CPY", "SET_ROWS", "VIEW", "RESHAPE", "PERMUTE", "TRANSPOSE"];

    private static readonly ConcurrentDictionary<int, string> OpNames = new();

    /// <summary>Makes a tensor trainable: F32, contiguous, not computed by an op (a leaf with its own memory or an input).</summary>
    public static void MarkParameter(Tensor t)
    {
        if (t.Type != GgmlType.F32) throw new GgmlException($"trainable tensor '{t.Name}' is {t.Type}; the optimizer updates F32 tensors only (keep trainable tensors in F32)");
        if (!t.IsContiguous) throw new GgmlException($"trainable tensor '{t.Name}' is a non-contiguous view");
        if (t.Ptr->Op != 0) throw new GgmlException($"'{t.Name}' is computed by {OpName(t.Ptr->Op)}; only leaf tensors can be trainable");
        GgmlAutogradApi.ggml_set_param(t.Ptr);
    }

    /// <summary>Marks the scalar a backward pass starts from.</summary>
    public static void MarkLoss(Tensor t)
    {
        if (t.Type != GgmlType.F32 || t.ElementCount != 1) throw new GgmlException($"a loss must be one F32 value, not '{t.Name}' {t.ShapeText}");
        GgmlAutogradApi.ggml_set_loss(t.Ptr);
    }

    public static string OpName(int op) => OpNames.GetOrAdd(op, o => Marshal.PtrToStringUTF8(GgmlCore.ggml_op_name(o)) ?? $"op {o}");

    /// <summary>"MUL_MAT", or for unary and GLU ops "UNARY(TANH)" / "GLU(...)".</summary>
    public static string Describe(Tensor t)
    {
        var name = OpName(t.Ptr->Op);
        if (name == "UNARY") return $"UNARY({Marshal.PtrToStringUTF8(GgmlAutogradApi.ggml_unary_op_name(GgmlAutogradApi.ggml_get_unary_op(t.Ptr)))})";
        return name;
    }

    /// <summary>
    /// Throws naming the first node the backward pass would have to differentiate but ggml cannot: a node that depends
    /// on a parameter (grads_needed, as ggml computes it) and on which the loss depends.
    /// </summary>
    internal static void CheckBackward(nint graph)
    {
        var n = GgmlCore.ggml_graph_n_nodes(graph);
        var nodes = new GgmlTensorStruct*[n];
        var index = new Dictionary<nint, int>(n);
        for (var i = 0; i < n; i++)
        {
            nodes[i] = GgmlCore.ggml_graph_node(graph, i);
            index[(nint)nodes[i]] = i;
        }
        var needs = new bool[n];
        var hasParam = false;
        var hasLoss = false;
        for (var i = 0; i < n; i++)
        {
            var node = nodes[i];
            hasParam |= (node->Flags & ParameterFlag) != 0;
            hasLoss |= (node->Flags & LossFlag) != 0;
            if (node->Type == (int)GgmlType.I32) continue;
            needs[i] = (node->Flags & ParameterFlag) != 0;
            for (var j = 0; j < GgmlTensorStruct.MaxSrc && !needs[i]; j++)
                if (node->Src[j] != 0 && index.TryGetValue((nint)node->Src[j], out var s) && needs[s] && !IgnoresSource(node, j))
                    needs[i] = true;
        }
        if (!hasParam) throw new GgmlException("the graph has no trainable parameter: nothing for a backward pass to compute");
        if (!hasLoss) throw new GgmlException("the graph has no loss (Autograd.MarkLoss)");
        // a node gets a gradient if it is the loss or feeds a node with a gradient
        var reaches = new bool[n];
        var consumers = new int[n];
        var viewedBy = new string?[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if ((node->Flags & LossFlag) != 0) reaches[i] = true;
            if (!reaches[i] || !needs[i]) continue;
            var t = new Tensor(node);
            var op = OpName(node->Op);
            var supported = op switch
            {
                "UNARY" => DifferentiableUnary.Contains(Describe(t)[6..^1]),
                "GLU" => GgmlAutogradApi.ggml_get_glu_op(node) == 2 && node->Src[1] != 0, // split SWIGLU only
                _ => Differentiable.Contains(op),
            };
            if (!supported)
                throw new GgmlException($"ggml has no backward for {Describe(t)} (node '{t.Name}' {t.ShapeText}) on the path from the trainable parameters to the loss; build it from differentiable ops (a GgmlContext created with gradients does this for tanh, sigmoid, GELU, ELU and LayerNorm)");
            // a product whose gradient flows to its input needs OUT_PROD of the weight, which ggml's repacked CPU buffers
            // cannot run: its scheduler would find no backend for that node and abort
            if (op == "MUL_MAT" && node->Src[0] != 0 && new Tensor((GgmlTensorStruct*)node->Src[0]) is { IsRepacked: true } packed &&
                node->Src[1] != 0 && index.TryGetValue((nint)node->Src[1], out var input) && needs[input])
                throw new GgmlException($"'{packed.Name}' {packed.ShapeText} is kept repacked for the CPU's product kernels, which have no backward; load the model with its matrices in the file's layout to train through it");
            if (node->ViewSrc != 0 && !ViewOps.Contains(op))
                throw new GgmlException($"node '{t.Name}' ({op}) writes into another tensor in place; ggml's backward does not support in-place ops on the path to the loss");
            if (op is "SUB" or "DIV" && node->Src[1] != 0 && index.TryGetValue((nint)node->Src[1], out var s1) && needs[s1] &&
                !new Tensor(nodes[s1]).Shape.SequenceEqual(new Tensor((GgmlTensorStruct*)node->Src[0]).Shape))
                throw new GgmlException($"'{t.Name}' ({op}) broadcasts '{new Tensor(nodes[s1]).Name}', which needs a gradient; ggml's backward of {op} does not reduce a broadcast operand (broadcast through ADD or MUL instead)");
            for (var j = 0; j < GgmlTensorStruct.MaxSrc; j++)
                if (node->Src[j] != 0 && index.TryGetValue((nint)node->Src[j], out var s) && !IgnoresSource(node, j))
                {
                    reaches[s] = true;
                    if (needs[s])
                    {
                        consumers[s]++;
                        if (op is "PERMUTE" or "TRANSPOSE") viewedBy[s] = op;
                        // ggml's backward hands a PERMUTE/TRANSPOSE source a non-contiguous view as its gradient; a
                        // second contribution added into that view aborts in the CPU add (binary-ops: nb00 == sizeof)
                        if (consumers[s] > 1 && viewedBy[s] is { } v)
                            throw new GgmlException($"'{new Tensor(nodes[s]).Name}' feeds the loss both through {v} and another op; ggml cannot accumulate its gradient into the view {v} returns (pool or reduce along the axis instead of permuting, or permute a copy made by an op other than CONT)");
                    }
                    var src = nodes[s];
                    if (needs[s] && src->Type != (int)GgmlType.F32 && src->Type != (int)GgmlType.F16)
                        throw new GgmlException($"'{new Tensor(src).Name}' is {(GgmlType)src->Type} on the path to the loss; gradients flow through F32/F16 tensors only");
                }
        }
    }

    // ggml's backward ignores: IM2COL's kernel (shape only), the indices of GET_ROWS, the positions of ROPE, CPY's target
    private static bool IgnoresSource(GgmlTensorStruct* node, int j)
    {
        var op = OpName(node->Op);
        return (j == 0 && op is "IM2COL" or "IM2COL_BACK") || (j == 1 && op is "CPY" or "GET_ROWS" or "GET_ROWS_BACK" or "ROPE");
    }
}
