namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// The parts of sentencepiece's <c>TrainerSpec</c> that change encoding or decoding.
/// Defaults are the proto defaults, so a field missing from the file reads as sentencepiece would read it.
/// </summary>
public sealed record TrainerSpec
{
    public SentencePieceModelType ModelType { get; init; } = SentencePieceModelType.Unigram;
    public int VocabSize { get; init; } = 8000;
    public bool ByteFallback { get; init; }
    public bool SplitDigits { get; init; }
    public bool TreatWhitespaceAsSuffix { get; init; }
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    public string UnkPiece { get; init; } = "<unk>";
    public string BosPiece { get; init; } = "<s>";
    public string EosPiece { get; init; } = "</s>";
    public string PadPiece { get; init; } = "<pad>";

    /// <summary>What an unknown id decodes to: U+2047 between spaces unless the model overrides it.</summary>
    public string UnkSurface { get; init; } = " \u2047 ";
}
