namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>Segmentation algorithm; values are sentencepiece's <c>TrainerSpec.ModelType</c>.</summary>
public enum SentencePieceModelType
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}
