using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// Small hand-made models whose segmentations can be worked out by hand. The expected results in the tests were
/// also confirmed with sentencepiece 0.1.97 loading the same pieces.
/// </summary>
internal static class ToyModels
{
    /// <summary>
    /// Unigram: "ab" has three equally good paths scoring -4 (▁ab, ▁a+b, ▁+ab) and sentencepiece keeps the first
    /// found (earliest start), so "▁ab"; 'x', 'é' etc. are unknown (score -4 - 10).
    /// </summary>
    public static SentencePieceModelProto Unigram(float abScore = -2.0f) => new(
        [
            new("<unk>", 0, PieceType.Unknown),
            new("<s>", 0, PieceType.Control),
            new("</s>", 0, PieceType.Control),
            new("\u2581", -2.0f, PieceType.Normal),
            new("a", -1.0f, PieceType.Normal),
            new("b", -1.5f, PieceType.Normal),
            new("ab", abScore, PieceType.Normal),
            new("\u2581a", -2.5f, PieceType.Normal),
            new("\u2581ab", -4.0f, PieceType.Normal),
            new("c", -3.0f, PieceType.Normal),
            new("<sep>", 0, PieceType.UserDefined),
        ],
        new TrainerSpec { ModelType = SentencePieceModelType.Unigram, VocabSize = 11 },
        new NormalizerSpec { Name = "identity" },
        null);

    /// <summary>
    /// BPE with byte fallback (ids 3..258 are &lt;0x00&gt;..&lt;0xFF&gt;), identity normaliser, no whitespace folding.
    /// Merge scores: ab = bc = -1, ▁a = -2, ▁ab = -3, abc = -4.
    /// </summary>
    public static SentencePieceModelProto Bpe(PieceType spaceAbType = PieceType.Normal)
    {
        var pieces = new List<VocabularyPiece>
        {
            new("<unk>", 0, PieceType.Unknown),
            new("<s>", 0, PieceType.Control),
            new("</s>", 0, PieceType.Control),
        };
        for (int b = 0; b < 256; b++) pieces.Add(new($"<0x{b:X2}>", 0, PieceType.Byte));
        pieces.AddRange(
        [
            new("\u2581", 0, PieceType.Normal),          // 259
            new("a", 0, PieceType.Normal),               // 260
            new("b", 0, PieceType.Normal),               // 261
            new("c", 0, PieceType.Normal),               // 262
            new("ab", -1, PieceType.Normal),             // 263
            new("bc", -1, PieceType.Normal),             // 264
            new("\u2581a", -2, PieceType.Normal),        // 265
            new("\u2581ab", -3, spaceAbType),            // 266
            new("abc", -4, PieceType.Normal),            // 267
            new("<sep>", 0, PieceType.UserDefined),      // 268
        ]);
        return new SentencePieceModelProto(
            pieces,
            new TrainerSpec { ModelType = SentencePieceModelType.Bpe, VocabSize = pieces.Count, ByteFallback = true },
            new NormalizerSpec { Name = "identity", RemoveExtraWhitespaces = false },
            null);
    }
}
