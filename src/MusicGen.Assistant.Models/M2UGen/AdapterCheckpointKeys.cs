using System.Globalization;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// State-dict names of the understanding adapters in an M2UGen checkpoint (M2UGen/llama/m2ugen.py at 2c702a4), per
/// modality prefix <c>mu_mert_</c>, <c>iu_vit_</c>, <c>iu_vivit_</c>. PyTorch shapes:
/// <list type="bullet">
/// <item><c>agg.weight</c> [1, C, 1], <c>agg.bias</c> [1]: Conv1d(C, 1, k=1) over hidden states or tokens.</item>
/// <item><c>proj.weight</c> [D, W], <c>proj.bias</c> [D]: Linear(encoder width W, LLaMA width D).</item>
/// <item>block i = 1..3: <c>norm_i.weight</c> [D] (RMSNorm), <c>f1_i</c> / <c>f3_i</c> [H, D] and <c>f2_i</c> [D, H]
/// (bias-free Linears of x + f2(silu(f1(n)) * f3(n)); H = D at feature_scaler 1).</item>
/// </list>
/// </summary>
public static class AdapterCheckpointKeys
{
    public static string Prefix(M2UGenModality m) => m switch
    {
        M2UGenModality.Music => "mu_mert_",
        M2UGenModality.Image => "iu_vit_",
        M2UGenModality.Video => "iu_vivit_",
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, "unknown modality"),
    };

    public static string AggWeight(M2UGenModality m) => Prefix(m) + "agg.weight";
    public static string AggBias(M2UGenModality m) => Prefix(m) + "agg.bias";
    public static string ProjWeight(M2UGenModality m) => Prefix(m) + "proj.weight";
    public static string ProjBias(M2UGenModality m) => Prefix(m) + "proj.bias";

    /// <summary>RMSNorm weight of block <paramref name="block"/> (1-based, as in the checkpoint).</summary>
    public static string Norm(M2UGenModality m, int block) => Block(m, "norm", block) + ".weight";

    /// <summary>The bias a LayerNorm bridge (legacy_bridge=True, never used by M2UGen) would have: refused.</summary>
    public static string LegacyNormBias(M2UGenModality m, int block) => Block(m, "norm", block) + ".bias";

    /// <summary>Gate projection f1 of block <paramref name="block"/> (1-based).</summary>
    public static string Gate(M2UGenModality m, int block) => Block(m, "f1", block) + ".weight";

    /// <summary>Down projection f2 of block <paramref name="block"/> (1-based).</summary>
    public static string Down(M2UGenModality m, int block) => Block(m, "f2", block) + ".weight";

    /// <summary>Up projection f3 of block <paramref name="block"/> (1-based).</summary>
    public static string Up(M2UGenModality m, int block) => Block(m, "f3", block) + ".weight";

    private static string Block(M2UGenModality m, string name, int block) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix(m)}{name}_{block}");
}
