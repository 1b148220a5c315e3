using System.Globalization;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// GGUF names of the EnCodec family, declared once. Tensor layouts (ggml order, Ne[0] fastest), fixed by the converter:
/// <list type="bullet">
/// <item>conv <c>{prefix}.weight</c>: weight norm folded, Ne = {k, in, out} (PyTorch [out, in, k]); quantized files
/// store it flattened as {k*in, out}. <c>{prefix}.bias</c>: {out}.</item>
/// <item>transposed conv <c>{prefix}.weight</c>: weight norm folded and rearranged to Ne = {in, k*out} with k fastest
/// within each output channel, i.e. the matrix whose product with a {in, frames} signal gives col2im columns.</item>
/// <item>LSTM layer l: <c>{prefix}.lstm.{l}.w_ih</c>, <c>.w_hh</c>: Ne = {width, 4*width} (gate order i, f, g, o);
/// <c>.bias</c> = b_ih + b_hh: {4*width}.</item>
/// <item>quantizer stage q: <c>encodec.quantizer.{q}.codebook</c>: Ne = {dim, codebook_size}, always F32.</item>
/// </list>
/// </summary>
public static class EncodecKeys
{
    public const string Architecture = "encodec";
    public const string TensorPrefix = "encodec.";

    public const string SamplingRate = "encodec.sampling_rate";
    public const string AudioChannels = "encodec.audio_channels";
    public const string NumFilters = "encodec.num_filters";
    public const string HiddenSize = "encodec.hidden_size";
    public const string CodebookSize = "encodec.codebook_size";
    public const string CodebookDim = "encodec.codebook_dim";
    public const string UpsamplingRatios = "encodec.upsampling_ratios";
    public const string NumResidualLayers = "encodec.num_residual_layers";
    public const string DilationGrowthRate = "encodec.dilation_growth_rate";
    public const string KernelSize = "encodec.kernel_size";
    public const string LastKernelSize = "encodec.last_kernel_size";
    public const string ResidualKernelSize = "encodec.residual_kernel_size";
    public const string NumLstmLayers = "encodec.num_lstm_layers";
    public const string Compress = "encodec.compress";
    public const string UseCausalConv = "encodec.use_causal_conv";
    public const string PadMode = "encodec.pad_mode";
    public const string TrimRightRatio = "encodec.trim_right_ratio";
    public const string TargetBandwidths = "encodec.target_bandwidths";
    public const string UseConvShortcut = "encodec.use_conv_shortcut";

    public static string Weight(string prefix) => prefix + ".weight";
    public static string Bias(string prefix) => prefix + ".bias";
    public static string LstmInput(string prefix, int layer) => $"{prefix}.lstm.{layer}.w_ih";
    public static string LstmHidden(string prefix, int layer) => $"{prefix}.lstm.{layer}.w_hh";
    public static string LstmBias(string prefix, int layer) => $"{prefix}.lstm.{layer}.bias";
    public static string Codebook(int stage) => string.Create(CultureInfo.InvariantCulture, $"{TensorPrefix}quantizer.{stage}.codebook");
}
