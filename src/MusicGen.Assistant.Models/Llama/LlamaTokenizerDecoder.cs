using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>The project's LLaMA tokenizer (transformers' slow LlamaTokenizer, added tokens included) as a generation loop's decoder.</summary>
public sealed class LlamaTokenizerDecoder(LlamaTokenizer tokenizer) : ILlamaTextDecoder
{
    public LlamaTokenizer Tokenizer { get; } = tokenizer;

    public string Decode(IReadOnlyList<int> ids) => Tokenizer.Decode(ids);

    public int? FindToken(string token) => Tokenizer.FindToken(token);
}
