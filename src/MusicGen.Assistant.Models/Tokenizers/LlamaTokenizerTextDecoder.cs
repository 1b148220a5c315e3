using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>The LLaMA tokenizer as the generation loop's <see cref="ILlamaTextDecoder"/> (decode as Hugging Face does, find tokens).</summary>
public sealed class LlamaTokenizerTextDecoder(LlamaTokenizer tokenizer) : ILlamaTextDecoder
{
    public LlamaTokenizer Tokenizer { get; } = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    public string Decode(IReadOnlyList<int> ids) => Tokenizer.Decode(ids);

    public int? FindToken(string token) => Tokenizer.FindToken(token);
}

public static class LlamaTokenizerTextDecoders
{
    public static ILlamaTextDecoder AsTextDecoder(this LlamaTokenizer tokenizer) => new LlamaTokenizerTextDecoder(tokenizer);
}
