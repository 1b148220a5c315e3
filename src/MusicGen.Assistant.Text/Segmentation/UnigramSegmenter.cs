using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Segmentation;

/// <summary>
/// Unigram Viterbi as sentencepiece's optimized encoder (unigram::Model::EncodeOptimized) computes it:
/// for each end position keep the best path; candidates are visited by increasing start, then increasing length,
/// and only a strictly better score replaces the kept one. A character with no single-character piece gets an
/// unknown node scored min_score - 10. Arithmetic mirrors the C++ types: piece scores are added in double and
/// compared against the stored float, the unknown candidate is computed in float.
/// </summary>
internal sealed class UnigramSegmenter : ISegmenter
{
    private const double UnknownPenalty = 10.0;

    private readonly Vocabulary _vocab;
    private readonly SymbolTrie _trie = new();
    private readonly float _maxScore;
    private readonly float _unknownScore;

    public UnigramSegmenter(Vocabulary vocab, string source)
    {
        _vocab = vocab;
        // FLT_MAX / FLT_MIN starting points as in sentencepiece: the maximum therefore never drops below ~1e-38.
        float min = float.MaxValue, max = 1.17549435E-38f;
        for (int id = 0; id < vocab.Count; id++)
        {
            if (vocab.Type(id) != PieceType.Normal) continue;
            min = Math.Min(min, vocab.Score(id));
            max = Math.Max(max, vocab.Score(id));
        }
        _maxScore = max;
        _unknownScore = (float)(min - UnknownPenalty);

        foreach (var (piece, id) in vocab.MatchablePieces) _trie.Add(piece, id);
        if (_trie.IsEmpty)
            throw new TokenizerFormatException(source, "the unigram model has no NORMAL, USER_DEFINED or UNUSED pieces to segment with");
    }

    public void Segment(string normalized, List<Segment> output)
    {
        int size = normalized.Length;
        if (size == 0) return;

        var bestScore = new float[size + 1];
        var startsAt = new int[size + 1];
        var bestId = new int[size + 1];
        Array.Fill(startsAt, -1);

        int start = 0;
        while (start < size)
        {
            float tillHere = bestScore[start];
            int charLength = char.IsHighSurrogate(normalized[start]) && start + 1 < size && char.IsLowSurrogate(normalized[start + 1]) ? 2 : 1;
            bool hasSingleCharPiece = false;

            int node = SymbolTrie.Root;
            for (int end = start + 1; end <= size; end++)
            {
                node = _trie.Child(node, normalized[end - 1]);
                if (node < 0) break;
                int id = _trie.Value(node);
                if (id < 0 || _vocab.IsUnused(id)) continue;

                // User-defined pieces get a bonus proportional to their UTF-8 length so they always win.
                double score = _vocab.IsUserDefined(id)
                    ? (double)(_vocab.ByteLengths[id] * _maxScore) - 0.1
                    : _vocab.Score(id);
                double candidate = score + tillHere;
                if (startsAt[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = (float)candidate;
                    startsAt[end] = start;
                    bestId[end] = id;
                }
                if (end - start == charLength) hasSingleCharPiece = true;
            }

            if (!hasSingleCharPiece)
            {
                int end = start + charLength;
                float candidate = _unknownScore + tillHere;
                if (startsAt[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    startsAt[end] = start;
                    bestId[end] = _vocab.UnkId;
                }
            }
            start += charLength;
        }

        int first = output.Count;
        for (int end = size; end > 0; end = startsAt[end])
            output.Add(new Segment(startsAt[end], end - startsAt[end], bestId[end]));
        output.Reverse(first, output.Count - first);
    }
}
