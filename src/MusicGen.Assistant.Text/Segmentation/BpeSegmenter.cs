using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Segmentation;

/// <summary>
/// sentencepiece's BPE encoder (bpe::Model::Encode): start from characters (user-defined symbols stay whole and
/// never merge), repeatedly merge the adjacent pair whose concatenation is a vocabulary piece with the highest
/// score, leftmost first on ties, until no pair is in the vocabulary. Pieces marked UNUSED may be merged through
/// but are split back into the parts they were built from.
/// </summary>
internal sealed class BpeSegmenter : ISegmenter
{
    private readonly Vocabulary _vocab;
    private readonly SymbolTrie? _userSymbols;

    public BpeSegmenter(Vocabulary vocab)
    {
        _vocab = vocab;
        if (vocab.UserDefinedPieces.Count > 0)
        {
            _userSymbols = new SymbolTrie();
            foreach (string s in vocab.UserDefinedPieces) _userSymbols.Add(s, 0);
        }
    }

    private struct Symbol
    {
        public int Start, Length, Prev, Next;
        public bool Frozen;
    }

    private readonly record struct Candidate(int Left, int Right, int Length);

    /// <summary>
    /// Queue priority: highest score first, then the smaller left index. Packed into one ulong (order-preserving
    /// float bits, inverted, above the index) so the queue compares plain integers.
    /// </summary>
    private static ulong Priority(float score, int left)
    {
        if (score == 0f) score = 0f; // -0 and +0 tie, as in the C++ float comparison
        uint bits = BitConverter.SingleToUInt32Bits(score);
        uint ascending = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
        return ((ulong)~ascending << 32) | (uint)left;
    }

    public void Segment(string normalized, List<Segment> output)
    {
        if (normalized.Length == 0) return;

        var symbols = new Symbol[normalized.Length];
        int count = 0;
        for (int pos = 0; pos < normalized.Length;)
        {
            int userLength = _userSymbols?.LongestPrefix(normalized.AsSpan(pos)) ?? 0;
            int length = userLength > 0 ? userLength : CharLength(normalized, pos);
            int index = count++;
            symbols[index] = new Symbol
            {
                Start = pos,
                Length = length,
                Prev = index - 1,
                Next = pos + length < normalized.Length ? index + 1 : -1,
                Frozen = userLength > 0,
            };
            pos += length;
        }

        var agenda = new PriorityQueue<Candidate, ulong>(count);
        Dictionary<string, int>? unusedSplits = null;

        void MaybeAddPair(int left, int right)
        {
            if (left < 0 || right < 0) return;
            ref Symbol l = ref symbols[left];
            ref Symbol r = ref symbols[right];
            if (l.Frozen || r.Frozen) return;
            var text = normalized.AsSpan(l.Start, l.Length + r.Length);
            int id = _vocab.MatchableId(text);
            if (id < 0) return;
            agenda.Enqueue(new Candidate(left, right, text.Length), Priority(_vocab.Score(id), left));
            // Remember how an unused piece was built so that it can be split back (latest pairing wins).
            if (_vocab.IsUnused(id)) (unusedSplits ??= new())[text.ToString()] = l.Length;
        }

        for (int i = 1; i < count; i++) MaybeAddPair(i - 1, i);

        while (agenda.TryDequeue(out var top, out _))
        {
            ref Symbol l = ref symbols[top.Left];
            ref Symbol r = ref symbols[top.Right];
            if (l.Length == 0 || r.Length == 0 || l.Length + r.Length != top.Length) continue; // stale

            l.Length += r.Length;
            l.Next = r.Next;
            if (r.Next >= 0) symbols[r.Next].Prev = top.Left;
            r.Length = 0;

            MaybeAddPair(l.Prev, top.Left);
            MaybeAddPair(top.Left, l.Next);
        }

        for (int index = 0; index >= 0; index = symbols[index].Next)
            Resegment(normalized, symbols[index].Start, symbols[index].Length, unusedSplits, output);
    }

    private void Resegment(string normalized, int start, int length, Dictionary<string, int>? unusedSplits, List<Segment> output)
    {
        var text = normalized.AsSpan(start, length);
        int id = _vocab.PieceToId(text);
        if (!_vocab.IsUnused(id) || unusedSplits is null
            || !unusedSplits.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out int leftLength))
        {
            output.Add(new Segment(start, length, id));
            return;
        }
        Resegment(normalized, start, leftLength, unusedSplits, output);
        Resegment(normalized, start + leftLength, length - leftLength, unusedSplits, output);
    }

    private static int CharLength(string s, int pos) =>
        char.IsHighSurrogate(s[pos]) && pos + 1 < s.Length && char.IsLowSurrogate(s[pos + 1]) ? 2 : 1;
}
