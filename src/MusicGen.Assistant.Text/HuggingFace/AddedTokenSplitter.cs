using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.HuggingFace;

/// <summary>
/// Splits text on added tokens the way transformers' slow tokenizers do before the model runs (<c>Trie.split</c> in
/// tokenization_utils.py): scanning left to right, the earliest starting token wins and, among tokens starting there,
/// the longest ("[AUD1]" before "[AUD1", "extra_id_100" before "extra_id_1"). The text between tokens is returned
/// untouched, spaces included (the added tokens here have lstrip = rstrip = false, so nothing is stripped around them).
/// Work is linear in the text length times the longest token.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly SymbolTrie _trie = new();
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>One piece of split text: an added token (its id) or plain text (<see cref="TokenId"/> = -1).</summary>
    public readonly record struct Chunk(int Start, int Length, int TokenId)
    {
        public bool IsToken => TokenId >= 0;
    }

    public AddedTokenSplitter(IEnumerable<(string Token, int Id)> tokens)
    {
        foreach (var (token, id) in tokens)
        {
            if (string.IsNullOrEmpty(token)) throw new ArgumentException("an added token cannot be empty", nameof(tokens));
            if (_ids.TryAdd(token, id)) _trie.Add(token, id);
        }
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool IsEmpty => _ids.Count == 0;

    public IEnumerable<Chunk> Split(string text)
    {
        int plainStart = 0;
        for (int pos = 0; pos < text.Length;)
        {
            int length = _trie.IsEmpty ? 0 : _trie.LongestPrefix(text.AsSpan(pos));
            if (length == 0)
            {
                pos++;
                continue;
            }
            if (pos > plainStart) yield return new Chunk(plainStart, pos - plainStart, -1);
            yield return new Chunk(pos, length, _lookup[text.AsSpan(pos, length)]);
            pos += length;
            plainStart = pos;
        }
        if (text.Length > plainStart) yield return new Chunk(plainStart, text.Length - plainStart, -1);
    }
}
