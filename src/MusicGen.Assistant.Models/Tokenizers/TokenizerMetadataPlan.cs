using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>A conversion plan with tokenizer metadata added after the wrapped plan's own keys; tensors unchanged.</summary>
public sealed class TokenizerMetadataPlan(IConversionPlan inner, IReadOnlyList<KeyValuePair<string, GgufValue>> tokenizer) : IConversionPlan
{
    public string Architecture => inner.Architecture;

    public IReadOnlyList<PlannedTensor> Tensors => inner.Tensors;

    public void WriteMetadata(GgufWriter writer)
    {
        inner.WriteMetadata(writer);
        TokenizerGgufWriter.AddTo(writer, tokenizer);
    }
}
