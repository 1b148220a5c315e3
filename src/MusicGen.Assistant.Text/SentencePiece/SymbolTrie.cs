namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// Prefix tree over UTF-16 code units or bytes, each key mapped to a non-negative value (a piece id).
/// Transitions live in one hash table keyed by (node, symbol): compact for 30k+ pieces and fast enough
/// for per-character lattice building.
/// </summary>
internal sealed class SymbolTrie
{
    private readonly Dictionary<long, int> _children = new();
    private int[] _values = [-1];
    private int _nodeCount = 1;

    public const int Root = 0;

    public bool IsEmpty => _nodeCount == 1;

    /// <summary>Adds a key; an existing value for the same key is kept (first one wins).</summary>
    public void Add(ReadOnlySpan<char> key, int value)
    {
        int node = Root;
        foreach (char c in key) node = ChildOrCreate(node, c);
        SetValue(node, value);
    }

    public void Add(ReadOnlySpan<byte> key, int value)
    {
        int node = Root;
        foreach (byte b in key) node = ChildOrCreate(node, b);
        SetValue(node, value);
    }

    /// <summary>The child reached from <paramref name="node"/> by <paramref name="symbol"/>, or -1.</summary>
    public int Child(int node, int symbol) =>
        _children.TryGetValue(Key(node, symbol), out int child) ? child : -1;

    /// <summary>The value stored at <paramref name="node"/>, or -1 when no key ends there.</summary>
    public int Value(int node) => _values[node];

    /// <summary>Length of the longest key that is a prefix of <paramref name="s"/> (0 if none).</summary>
    public int LongestPrefix(ReadOnlySpan<char> s)
    {
        int node = Root, best = 0;
        for (int i = 0; i < s.Length; i++)
        {
            node = Child(node, s[i]);
            if (node < 0) break;
            if (_values[node] >= 0) best = i + 1;
        }
        return best;
    }

    public int LongestPrefix(ReadOnlySpan<byte> s)
    {
        int node = Root, best = 0;
        for (int i = 0; i < s.Length; i++)
        {
            node = Child(node, s[i]);
            if (node < 0) break;
            if (_values[node] >= 0) best = i + 1;
        }
        return best;
    }

    private int ChildOrCreate(int node, int symbol)
    {
        long key = Key(node, symbol);
        if (_children.TryGetValue(key, out int child)) return child;
        if (_nodeCount == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        child = _nodeCount++;
        _values[child] = -1;
        _children.Add(key, child);
        return child;
    }

    private void SetValue(int node, int value)
    {
        if (_values[node] < 0) _values[node] = value;
    }

    private static long Key(int node, int symbol) => ((long)node << 16) | (ushort)symbol;
}
