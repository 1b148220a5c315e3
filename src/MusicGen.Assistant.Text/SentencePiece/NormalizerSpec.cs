namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>sentencepiece's <c>NormalizerSpec</c>: the character map and the whitespace rules.</summary>
public sealed record NormalizerSpec
{
    /// <summary>Rule name as trained (e.g. <c>nmt_nfkc</c>, <c>identity</c>); informational only.</summary>
    public string Name { get; init; } = "";

    /// <summary>Serialized double-array trie plus replacement strings; empty means no character mapping.</summary>
    public byte[] PrecompiledCharsmap { get; init; } = [];

    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;
}
