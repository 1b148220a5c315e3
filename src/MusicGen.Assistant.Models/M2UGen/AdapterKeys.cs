using System.Globalization;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// GGUF names of the M2UGen understanding adapters, declared once. Per modality (<c>music</c>, <c>image</c>,
/// <c>video</c>) under <c>m2ugen.adapter.{modality}.</c>; layouts in ggml order (Ne[0] fastest):
/// <list type="bullet">
/// <item><c>agg.weight</c> {C} and <c>agg.bias</c> {1}: the k=1 Conv1d's C weights (PyTorch [1, C, 1]).</item>
/// <item><c>proj.weight</c> {W, D}, <c>proj.bias</c> {D}.</item>
/// <item><c>blk.{i}.norm.weight</c> {D}; <c>blk.{i}.ffn_gate</c> (f1) and <c>ffn_up</c> (f3) {D, H};
/// <c>blk.{i}.ffn_down</c> (f2) {H, D}; i is 0-based here (the checkpoint counts from 1).</item>
/// </list>
/// Metadata per modality: channels C, in_width W, dim D, hidden_dim H, blocks, and the three epsilons/scales.
/// </summary>
public static class AdapterKeys
{
    public const string Architecture = "m2ugen_adapters";
    public const string TensorPrefix = "m2ugen.adapter.";

    public static string Channels(M2UGenModality m) => Key(m, "channels");
    public static string InWidth(M2UGenModality m) => Key(m, "in_width");
    public static string Dim(M2UGenModality m) => Key(m, "dim");
    public static string HiddenDim(M2UGenModality m) => Key(m, "hidden_dim");
    public static string Blocks(M2UGenModality m) => Key(m, "blocks");
    public static string NormEpsilon(M2UGenModality m) => Key(m, "norm_epsilon");
    public static string L2Epsilon(M2UGenModality m) => Key(m, "l2_epsilon");
    public static string InputScale(M2UGenModality m) => Key(m, "input_scale");

    public static string AggWeight(M2UGenModality m) => Key(m, "agg.weight");
    public static string AggBias(M2UGenModality m) => Key(m, "agg.bias");
    public static string ProjWeight(M2UGenModality m) => Key(m, "proj.weight");
    public static string ProjBias(M2UGenModality m) => Key(m, "proj.bias");
    public static string Norm(M2UGenModality m, int block) => BlockKey(m, block, "norm");
    public static string Gate(M2UGenModality m, int block) => BlockKey(m, block, "ffn_gate");
    public static string Up(M2UGenModality m, int block) => BlockKey(m, block, "ffn_up");
    public static string Down(M2UGenModality m, int block) => BlockKey(m, block, "ffn_down");

    private static string Key(M2UGenModality m, string name) => $"{TensorPrefix}{m.Name()}.{name}";

    private static string BlockKey(M2UGenModality m, int block, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{TensorPrefix}{m.Name()}.blk.{block}.{name}.weight");
}
