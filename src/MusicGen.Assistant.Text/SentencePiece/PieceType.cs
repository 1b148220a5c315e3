namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>Kind of a vocabulary entry; values are sentencepiece's <c>ModelProto.SentencePiece.Type</c>.</summary>
public enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
