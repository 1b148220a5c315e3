using System.Text;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// Serializes a <see cref="SentencePieceModelProto"/> back to the protobuf wire format (test-side writer, so that
/// small hand-made models and deliberately broken files can be produced without a protobuf library).
/// </summary>
internal static class ModelProtoWriter
{
    public static byte[] Write(SentencePieceModelProto model)
    {
        var file = new MemoryStream();
        foreach (var piece in model.Pieces) Message(file, 1, PieceBytes(piece));
        Message(file, 2, TrainerBytes(model.TrainerSpec));
        Message(file, 3, NormalizerBytes(model.NormalizerSpec));
        if (model.DenormalizerSpec is { } denormalizer) Message(file, 5, NormalizerBytes(denormalizer));
        return file.ToArray();
    }

    public static byte[] PieceBytes(VocabularyPiece piece)
    {
        var s = new MemoryStream();
        Bytes(s, 1, Encoding.UTF8.GetBytes(piece.Piece));
        Tag(s, 2, 5);
        s.Write(BitConverter.GetBytes(piece.Score));
        Varint(s, 3, (ulong)piece.Type);
        return s.ToArray();
    }

    private static byte[] TrainerBytes(TrainerSpec t)
    {
        var s = new MemoryStream();
        Varint(s, 3, (ulong)t.ModelType);
        Varint(s, 4, (ulong)t.VocabSize);
        Varint(s, 24, t.TreatWhitespaceAsSuffix ? 1UL : 0);
        Varint(s, 25, t.SplitDigits ? 1UL : 0);
        Varint(s, 35, t.ByteFallback ? 1UL : 0);
        Varint(s, 40, unchecked((ulong)(long)t.UnkId));
        Varint(s, 41, unchecked((ulong)(long)t.BosId));
        Varint(s, 42, unchecked((ulong)(long)t.EosId));
        Varint(s, 43, unchecked((ulong)(long)t.PadId));
        Bytes(s, 44, Encoding.UTF8.GetBytes(t.UnkSurface));
        Bytes(s, 45, Encoding.UTF8.GetBytes(t.UnkPiece));
        Bytes(s, 46, Encoding.UTF8.GetBytes(t.BosPiece));
        Bytes(s, 47, Encoding.UTF8.GetBytes(t.EosPiece));
        Bytes(s, 48, Encoding.UTF8.GetBytes(t.PadPiece));
        return s.ToArray();
    }

    private static byte[] NormalizerBytes(NormalizerSpec n)
    {
        var s = new MemoryStream();
        Bytes(s, 1, Encoding.UTF8.GetBytes(n.Name));
        if (n.PrecompiledCharsmap.Length > 0) Bytes(s, 2, n.PrecompiledCharsmap);
        Varint(s, 3, n.AddDummyPrefix ? 1UL : 0);
        Varint(s, 4, n.RemoveExtraWhitespaces ? 1UL : 0);
        Varint(s, 5, n.EscapeWhitespaces ? 1UL : 0);
        return s.ToArray();
    }

    public static void Message(Stream s, int field, byte[] body) => Bytes(s, field, body);

    public static void Bytes(Stream s, int field, byte[] body)
    {
        Tag(s, field, 2);
        RawVarint(s, (ulong)body.Length);
        s.Write(body);
    }

    public static void Varint(Stream s, int field, ulong value)
    {
        Tag(s, field, 0);
        RawVarint(s, value);
    }

    public static void Tag(Stream s, int field, int wireType) => RawVarint(s, ((ulong)field << 3) | (uint)wireType);

    public static void RawVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }
}
