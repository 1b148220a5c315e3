namespace MusicGen.Assistant.Text;

/// <summary>
/// Special-token settings of a <see cref="LlamaTokenizer"/>. An id left null is taken from the sentencepiece model
/// (its unk / bos / eos / pad piece, as sentencepiece's <c>unk_id()</c> etc. report it); -1 means "none".
/// The defaults are Hugging Face's <c>LlamaTokenizer</c> ones: bos prepended, no eos appended.
/// </summary>
public sealed record LlamaTokenizerOptions
{
    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? UnkId { get; init; }
    public int? PadId { get; init; }

    /// <summary>Prepend bos when encoding with special tokens (HF <c>add_bos_token</c>, GGUF <c>tokenizer.ggml.add_bos_token</c>).</summary>
    public bool AddBos { get; init; } = true;

    /// <summary>Append eos when encoding with special tokens (HF <c>add_eos_token</c>, GGUF <c>tokenizer.ggml.add_eos_token</c>).</summary>
    public bool AddEos { get; init; }
}
