using MusicGen.Assistant.Text.Protobuf;

namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// Parses a serialized <c>sentencepiece.ModelProto</c>. Field numbers follow sentencepiece_model.proto:
/// ModelProto {1 pieces, 2 trainer_spec, 3 normalizer_spec, 5 denormalizer_spec};
/// SentencePiece {1 piece, 2 score, 3 type}; NormalizerSpec {1 name, 2 precompiled_charsmap,
/// 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces}; TrainerSpec fields are listed in
/// <see cref="ReadTrainerSpec"/>. Unknown fields are skipped, as protobuf requires.
/// </summary>
public static class ModelProtoParser
{
    public static SentencePieceModelProto Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length == 0)
            throw new TokenizerFormatException(source, "not a valid sentencepiece model: the file is empty");

        var pieces = new List<VocabularyPiece>();
        TrainerSpec trainer = new();
        NormalizerSpec normalizer = new();
        NormalizerSpec? denormalizer = null;
        bool sawTrainer = false, sawNormalizer = false;

        var reader = new ProtoReader(data, source, "ModelProto");
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, $"pieces[{pieces.Count}]");
                    pieces.Add(ReadPiece(reader.ReadBytes(out int at), source, at, pieces.Count));
                    break;
                case 2:
                    reader.Expect(wire, WireType.LengthDelimited, "trainer_spec");
                    trainer = ReadTrainerSpec(reader.ReadBytes(out int tAt), source, tAt, trainer);
                    sawTrainer = true;
                    break;
                case 3:
                    reader.Expect(wire, WireType.LengthDelimited, "normalizer_spec");
                    normalizer = ReadNormalizerSpec(reader.ReadBytes(out int nAt), source, nAt, "normalizer_spec", normalizer);
                    sawNormalizer = true;
                    break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, "denormalizer_spec");
                    denormalizer = ReadNormalizerSpec(reader.ReadBytes(out int dAt), source, dAt, "denormalizer_spec", denormalizer ?? new NormalizerSpec());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (pieces.Count == 0)
            throw new TokenizerFormatException(source, "not a valid sentencepiece model: it contains no vocabulary pieces (ModelProto field 1)");
        if (!sawTrainer || !sawNormalizer)
            throw new TokenizerFormatException(source,
                $"not a valid sentencepiece model: {(sawTrainer ? "normalizer_spec (field 3)" : "trainer_spec (field 2)")} is missing");
        return new SentencePieceModelProto(pieces, trainer, normalizer, denormalizer);
    }

    private static VocabularyPiece ReadPiece(ReadOnlySpan<byte> data, string source, int offset, int index)
    {
        string? piece = null;
        float score = 0;
        int type = (int)PieceType.Normal;
        var reader = new ProtoReader(data, source, $"pieces[{index}]", offset);
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, "piece"); piece = reader.ReadString("piece"); break;
                case 2: reader.Expect(wire, WireType.Fixed32, "score"); score = reader.ReadFloat(); break;
                case 3:
                    reader.Expect(wire, WireType.Varint, "type");
                    type = reader.ReadInt32();
                    if (type is < 1 or > 6)
                        throw reader.Error(reader.Offset, $"type {type} is not a known piece type (1..6)");
                    break;
                default: reader.Skip(wire); break;
            }
        }
        if (string.IsNullOrEmpty(piece))
            throw reader.Error(offset, "the piece string is missing or empty");
        return new VocabularyPiece(piece, score, (PieceType)type);
    }

    /// <summary>
    /// TrainerSpec fields used here: 3 model_type, 4 vocab_size, 24 treat_whitespace_as_suffix, 25 split_digits,
    /// 35 byte_fallback, 40..43 unk/bos/eos/pad ids, 44 unk_surface, 45..48 unk/bos/eos/pad pieces.
    /// </summary>
    private static TrainerSpec ReadTrainerSpec(ReadOnlySpan<byte> data, string source, int offset, TrainerSpec spec)
    {
        var reader = new ProtoReader(data, source, "trainer_spec", offset);
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case 3:
                    reader.Expect(wire, WireType.Varint, "model_type");
                    int modelType = reader.ReadInt32();
                    if (modelType is < 1 or > 4)
                        throw reader.Error(reader.Offset, $"model_type {modelType} is not a known model type (1..4)");
                    spec = spec with { ModelType = (SentencePieceModelType)modelType };
                    break;
                case 4: reader.Expect(wire, WireType.Varint, "vocab_size"); spec = spec with { VocabSize = reader.ReadInt32() }; break;
                case 24: reader.Expect(wire, WireType.Varint, "treat_whitespace_as_suffix"); spec = spec with { TreatWhitespaceAsSuffix = reader.ReadBool() }; break;
                case 25: reader.Expect(wire, WireType.Varint, "split_digits"); spec = spec with { SplitDigits = reader.ReadBool() }; break;
                case 35: reader.Expect(wire, WireType.Varint, "byte_fallback"); spec = spec with { ByteFallback = reader.ReadBool() }; break;
                case 40: reader.Expect(wire, WireType.Varint, "unk_id"); spec = spec with { UnkId = reader.ReadInt32() }; break;
                case 41: reader.Expect(wire, WireType.Varint, "bos_id"); spec = spec with { BosId = reader.ReadInt32() }; break;
                case 42: reader.Expect(wire, WireType.Varint, "eos_id"); spec = spec with { EosId = reader.ReadInt32() }; break;
                case 43: reader.Expect(wire, WireType.Varint, "pad_id"); spec = spec with { PadId = reader.ReadInt32() }; break;
                case 44: reader.Expect(wire, WireType.LengthDelimited, "unk_surface"); spec = spec with { UnkSurface = reader.ReadString("unk_surface") }; break;
                case 45: reader.Expect(wire, WireType.LengthDelimited, "unk_piece"); spec = spec with { UnkPiece = reader.ReadString("unk_piece") }; break;
                case 46: reader.Expect(wire, WireType.LengthDelimited, "bos_piece"); spec = spec with { BosPiece = reader.ReadString("bos_piece") }; break;
                case 47: reader.Expect(wire, WireType.LengthDelimited, "eos_piece"); spec = spec with { EosPiece = reader.ReadString("eos_piece") }; break;
                case 48: reader.Expect(wire, WireType.LengthDelimited, "pad_piece"); spec = spec with { PadPiece = reader.ReadString("pad_piece") }; break;
                default: reader.Skip(wire); break;
            }
        }
        return spec;
    }

    private static NormalizerSpec ReadNormalizerSpec(ReadOnlySpan<byte> data, string source, int offset, string name, NormalizerSpec spec)
    {
        var reader = new ProtoReader(data, source, name, offset);
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, "name"); spec = spec with { Name = reader.ReadString("name") }; break;
                case 2: reader.Expect(wire, WireType.LengthDelimited, "precompiled_charsmap"); spec = spec with { PrecompiledCharsmap = reader.ReadBytes(out _).ToArray() }; break;
                case 3: reader.Expect(wire, WireType.Varint, "add_dummy_prefix"); spec = spec with { AddDummyPrefix = reader.ReadBool() }; break;
                case 4: reader.Expect(wire, WireType.Varint, "remove_extra_whitespaces"); spec = spec with { RemoveExtraWhitespaces = reader.ReadBool() }; break;
                case 5: reader.Expect(wire, WireType.Varint, "escape_whitespaces"); spec = spec with { EscapeWhitespaces = reader.ReadBool() }; break;
                default: reader.Skip(wire); break;
            }
        }
        return spec;
    }
}
