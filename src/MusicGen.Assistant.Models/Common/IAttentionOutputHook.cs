using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Something added to a block's attention output {width, n, rows} (heads merged, before the output projection):
/// llama.cpp's control-vector hook, and the entry point of M2UGen's gated adapter term. Returns the input when the
/// layer has nothing to add.
/// </summary>
public interface IAttentionOutputHook
{
    Tensor Apply(GgmlContext ctx, int layer, Tensor attention);
}
