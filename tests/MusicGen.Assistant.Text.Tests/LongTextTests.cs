using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// Long inputs (over 15 KB, built from the fixture's cases) give the same result as an independent computation on
/// their parts, so the segmenters work on long text as on short text (they are linear-ish: BPE merges go through a
/// priority queue over adjacent pairs, Viterbi looks at most one piece length back). No timing is asserted.
/// </summary>
public sealed class LongTextTests
{
    private const int MinimumLength = 15 * 1024;

    private static IEnumerable<string> Repeated(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        for (int total = 0, i = 0; total < MinimumLength; i++)
        {
            string part = list[i % list.Count];
            total += part.Length;
            yield return part;
        }
    }

    [Fact]
    public void Bpe_on_a_long_text_equals_its_newline_separated_parts_encoded_alone()
    {
        var sp = SentencePieceTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.Llama));
        // no piece holds a line feed, so no merge crosses one and every part segments as if alone
        Assert.DoesNotContain(sp.Pieces, p => p.Piece.Contains('\n') && p.Type != PieceType.Byte);
        var parts = Repeated(TokenizerFixture.Cases(TokenizerFixture.Llama).Select(c => "\n" + c.Text)).ToList();
        string text = string.Concat(parts);
        Assert.True(text.Length >= MinimumLength);

        // "\n" + part encodes as ▁ <0x0A> rest; the long text is one ▁, then <0x0A> rest for every part
        var expectedIds = new List<int> { sp.PieceToId("\u2581") };
        var expectedPieces = new List<string> { "\u2581" };
        foreach (string part in parts)
        {
            int[] ids = sp.Encode(part);
            string[] pieces = sp.EncodePieces(part);
            Assert.Equal(["\u2581", "<0x0A>"], pieces[..2]);
            expectedIds.AddRange(ids[1..]);
            expectedPieces.AddRange(pieces[1..]);
        }
        Assert.Equal(expectedIds, sp.Encode(text));
        Assert.Equal(expectedPieces, sp.EncodePieces(text));
        Assert.Equal(text, sp.Decode(expectedIds));
    }

    [Fact]
    public void Llama_tokenizer_on_a_long_text_with_added_tokens_equals_its_chunks_encoded_alone()
    {
        var tokenizer = M2UGenTokenizerFixture.Tokenizer;
        var added = TokenizerFixture.M2UGenAddedTokens();
        var cases = TokenizerFixture.Cases(TokenizerFixture.Llama).Select(c => c.Text!).ToList();
        var chunks = Repeated(cases.Select(c => "\n" + c)).ToList();

        var text = new System.Text.StringBuilder();
        var expected = new List<int> { tokenizer.BosId };
        for (int i = 0; i < chunks.Count; i++)
        {
            var (id, token) = added[i % added.Count];
            text.Append(chunks[i]).Append(token);
            expected.AddRange(tokenizer.Encode(chunks[i], addSpecialTokens: false));
            expected.Add(id);
        }
        Assert.Equal(expected, tokenizer.Encode(text.ToString()));
    }

    [Fact]
    public void Unigram_pieces_of_a_long_text_spell_out_its_normalized_form()
    {
        var t5 = SentencePieceTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.T5));
        string text = string.Join(" ", Repeated(TokenizerFixture.Cases(TokenizerFixture.T5).Select(c => c.Text!)));
        string[] pieces = t5.EncodePieces(text);
        int[] ids = t5.Encode(text);
        Assert.Equal(t5.Normalize(text), string.Concat(pieces));
        Assert.Equal(pieces.Length, ids.Length);
        Assert.Equal(pieces.Select((p, i) => t5.GetPieceType(ids[i]) == PieceType.Unknown ? t5.UnkId : t5.PieceToId(p)), ids);
    }

    [Fact]
    public void A_long_run_of_unknown_characters_stays_one_piece()
    {
        var t5 = SentencePieceTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.T5));
        // a character the vocabulary cannot spell: the first character of an unknown piece in the fixture's cases
        string unknown = TokenizerFixture.Cases(TokenizerFixture.T5)
            .SelectMany(c => c.Ids.Zip(c.Pieces!, (id, piece) => (id, piece)))
            .Where(x => x.id == t5.UnkId)
            .Select(x => System.Text.Rune.GetRuneAt(x.piece, 0).ToString()).First();
        string text = "a " + string.Concat(Enumerable.Repeat(unknown, MinimumLength));
        string[] pieces = t5.EncodePieces(text);
        int[] ids = t5.Encode(text);
        Assert.Equal(t5.Normalize(text), string.Concat(pieces));
        Assert.Equal(t5.UnkId, ids[^1]);
        Assert.Equal(pieces.Length, ids.Length);
        Assert.Equal(string.Concat(Enumerable.Repeat(t5.Normalize(unknown).TrimStart('\u2581'), MinimumLength)), pieces[^1]);
    }
}
