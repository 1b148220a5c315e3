namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>One vocabulary entry: its text (with U+2581 for spaces), log-probability score and kind.</summary>
public readonly record struct VocabularyPiece(string Piece, float Score, PieceType Type);
