namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// The little of a tokenizer a generation loop needs: decoding ids to text exactly as the model's tokenizer does
/// (M2UGen: transformers' slow LlamaTokenizer, added tokens joined by spaces) for stop checks and the reply, and the id
/// of a piece or added token. Helper "tok"'s LlamaTokenizer plugs in through a thin adapter.
/// </summary>
public interface ILlamaTextDecoder
{
    string Decode(IReadOnlyList<int> ids);

    /// <summary>The id of a vocabulary piece or added token (e.g. "&lt;0x0A&gt;", "[AUD0]"), null when absent.</summary>
    int? FindToken(string token);
}

public static class LlamaTextDecoders
{
    /// <summary>
    /// The newline token of the vocabulary: SentencePiece's byte piece &lt;0x0A&gt; (LLaMA has no other piece holding a
    /// newline), checked to decode to "\n". Never a literal id.
    /// </summary>
    public static int NewlineId(this ILlamaTextDecoder decoder)
    {
        var id = decoder.FindToken("<0x0A>")
                 ?? throw new ModelConfigException("the vocabulary has no <0x0A> byte piece, so a reply cannot be cut at its first newline");
        var text = decoder.Decode([id]);
        return text == "\n" ? id : throw new ModelConfigException($"token <0x0A> (id {id}) decodes to '{text}', not a newline");
    }
}
