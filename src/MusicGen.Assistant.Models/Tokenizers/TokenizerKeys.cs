namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// llama.cpp's GGUF tokenizer keys and values, declared once (gguf-py/gguf/constants.py <c>Keys.Tokenizer</c> and
/// <c>TokenType</c>; types as gguf_writer.py writes them and llama-vocab.cpp reads them):
/// <list type="bullet">
/// <item><see cref="Model"/> STRING: "llama" = SentencePiece BPE (llama.cpp SPM), "t5" = SentencePiece unigram (UGM).</item>
/// <item><see cref="Tokens"/> ARRAY of STRING; <see cref="Scores"/> ARRAY of FLOAT32 (llama.cpp also accepts INT32);
/// <see cref="TokenTypes"/> ARRAY of INT32 with <see cref="TokenType"/> values; all three one entry per id.</item>
/// <item><see cref="BosId"/>, <see cref="EosId"/>, <see cref="UnknownId"/>, <see cref="PaddingId"/>: UINT32.</item>
/// <item><see cref="AddBos"/>, <see cref="AddEos"/>, <see cref="AddSpacePrefix"/> (sentencepiece's add_dummy_prefix),
/// <see cref="RemoveExtraWhitespaces"/>: BOOL.</item>
/// <item><see cref="PrecompiledCharsmap"/>: ARRAY of UINT8 (INT8 accepted), the normalizer's charsmap blob.</item>
/// </list>
/// Defaults when a key is absent are llama-vocab.cpp's: llama: bos 1, eos 2, unk 0, no pad, add_bos true,
/// add_eos false, add_space_prefix true; t5: no bos, eos 1, unk 2, pad 0, add_bos false, add_eos true,
/// add_space_prefix false; remove_extra_whitespaces false for both.
/// </summary>
public static class TokenizerKeys
{
    public const string Model = "tokenizer.ggml.model";
    public const string Pre = "tokenizer.ggml.pre";
    public const string Tokens = "tokenizer.ggml.tokens";
    public const string Scores = "tokenizer.ggml.scores";
    public const string TokenTypes = "tokenizer.ggml.token_type";
    public const string BosId = "tokenizer.ggml.bos_token_id";
    public const string EosId = "tokenizer.ggml.eos_token_id";
    public const string UnknownId = "tokenizer.ggml.unknown_token_id";
    public const string PaddingId = "tokenizer.ggml.padding_token_id";
    public const string AddBos = "tokenizer.ggml.add_bos_token";
    public const string AddEos = "tokenizer.ggml.add_eos_token";
    public const string AddSpacePrefix = "tokenizer.ggml.add_space_prefix";
    public const string RemoveExtraWhitespaces = "tokenizer.ggml.remove_extra_whitespaces";
    public const string PrecompiledCharsmap = "tokenizer.ggml.precompiled_charsmap";

    /// <summary>Value of <see cref="Model"/> for SentencePiece BPE vocabularies (LLaMA).</summary>
    public const string LlamaModel = "llama";

    /// <summary>Value of <see cref="Model"/> for SentencePiece unigram vocabularies (T5).</summary>
    public const string T5Model = "t5";

    /// <summary>Value of <see cref="Pre"/> written for both (llama.cpp's converters write "default").</summary>
    public const string DefaultPre = "default";

    /// <summary>llama.cpp's <c>llama_token_type</c> (= sentencepiece's piece types); 0 is "undefined".</summary>
    public enum TokenType
    {
        Undefined = 0,
        Normal = 1,
        Unknown = 2,
        Control = 3,
        UserDefined = 4,
        Unused = 5,
        Byte = 6,
    }
}
