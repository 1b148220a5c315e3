using System.Numerics;

namespace MusicGen.Assistant.Formats.PyTorch;

// The values the pickle machine builds. Python None, bool, int, float, str and bytes become null, bool, long
// (BigInteger past 64 bits), double, string and byte[]; a list becomes List<object?>; the types below cover the rest.
// Nothing here ever runs code: a "global" is only a name from the allowed list.

/// <summary>
/// A Python tuple (immutable, compared by value when used as a dictionary key). What key comparison needs (hashability,
/// the structural hash, the node count) is computed once here from the items, so that tuples sharing sub-tuples (the
/// memo lets a pickle build a DAG of them in a few bytes) are never walked as trees.
/// </summary>
internal sealed class PickleTuple
{
    public static readonly PickleTuple Empty = new([]);

    public PickleTuple(object?[] items)
    {
        Items = items;
        var hashable = true;
        long size = 1;
        var hash = 17;
        foreach (var item in items)
        {
            hashable &= item is null || PickleKeyComparer.IsHashable(item);
            size = Math.Min(long.MaxValue / 2, size + (item is PickleTuple t ? t.Size : 1));
            hash = unchecked(hash * 31 + (item is null ? 0 : hashable ? PickleKeyComparer.Instance.GetHashCode(item) : 1));
        }
        HashableItems = hashable;
        Size = size;
        StructuralHash = hash;
    }

    public object?[] Items { get; }

    public int Count => Items.Length;

    public object? this[int index] => Items[index];

    /// <summary>Whether every item is None or hashable (so the tuple may be a dictionary key, size permitting).</summary>
    public bool HashableItems { get; }

    /// <summary>Nodes of the tuple counted as a tree (shared sub-tuples once per use), saturating.</summary>
    public long Size { get; }

    /// <summary>Python-style value hash of the items (meaningful when <see cref="HashableItems"/>).</summary>
    public int StructuralHash { get; }

    public override string ToString() => PickleText.Describe(this);
}

/// <summary>A dict or collections.OrderedDict; both keep insertion order (Python 3.7+ dicts do).</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _indexByKey = new(PickleKeyComparer.Instance);

    public PickleDict(string typeName) => TypeName = typeName;

    /// <summary>"dict" or "collections.OrderedDict".</summary>
    public string TypeName { get; }

    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    /// <summary>Instance attributes set by BUILD (state_dict() carries "_metadata" this way); never tensors of the dict.</summary>
    public object? Attributes { get; set; }

    public int Count => _items.Count;

    /// <summary>Python's d[key] = value: a repeated key keeps its first position and takes the new value.</summary>
    public void Set(object key, object? value)
    {
        if (_indexByKey.TryGetValue(key, out int index))
        {
            _items[index] = new KeyValuePair<object, object?>(_items[index].Key, value);
            return;
        }
        _indexByKey.Add(key, _items.Count);
        _items.Add(new KeyValuePair<object, object?>(key, value));
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_indexByKey.TryGetValue(key, out int index))
        {
            value = _items[index].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>A class or function named by the pickle and found on the allowed list; calling it is done by <see cref="TorchGlobals"/>.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}

/// <summary>An instance of an allowed plain-data class (argparse.Namespace); BUILD stores its attribute dict.</summary>
internal sealed class PickleObject(string typeName)
{
    public string TypeName { get; } = typeName;

    public object? State { get; set; }
}

/// <summary>Dictionary-key equality with Python's value semantics for the key types a checkpoint uses.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    /// <summary>
    /// Tuple keys larger than this (counted as trees) are refused: comparing two such keys walks both, and a pickle can
    /// build a key that is exponentially large as a tree. Checkpoint keys are strings and small ints.
    /// </summary>
    public const long MaxKeySize = 256;

    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        _ when ReferenceEquals(x, y) => true,
        (PickleTuple a, PickleTuple b) => a.Count == b.Count && a.StructuralHash == b.StructuralHash && a.Items.Zip(b.Items).All(p => p.First is not null && p.Second is not null
            ? Equals(p.First, p.Second)
            : p.First is null && p.Second is null),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        _ => object.Equals(x, y),
    };

    public int GetHashCode(object obj)
    {
        switch (obj)
        {
            case PickleTuple t:
                return t.StructuralHash;
            case byte[] b:
                var hash = new HashCode();
                hash.AddBytes(b);
                return hash.ToHashCode();
            default:
                return obj.GetHashCode();
        }
    }

    /// <summary>Whether Python could use <paramref name="key"/> as a dictionary key (lists and dicts are unhashable).</summary>
    public static bool IsHashable(object? key) => key switch
    {
        string or long or BigInteger or bool or double or byte[] => true,
        PickleTuple t => t.HashableItems && t.Size <= MaxKeySize,
        _ => false,
    };
}

/// <summary>Short descriptions of pickle values for error messages.</summary>
internal static class PickleText
{
    /// <summary>A short description: tuples are spelled out two levels deep and at most 8 items wide, never walked further.</summary>
    public static string Describe(object? value) => Describe(value, 2);

    private static string Describe(object? value, int tupleLevels) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s => s.Length > 60 ? $"'{s[..57]}...'" : $"'{s}'",
        byte[] bytes => $"bytes[{bytes.Length}]",
        PickleTuple t when t.Count > 8 || tupleLevels == 0 => $"tuple of {t.Count}",
        PickleTuple t => "(" + string.Join(", ", t.Items.Select(item => Describe(item, tupleLevels - 1))) + (t.Count == 1 ? ",)" : ")"),
        BigInteger big when big.GetBitLength() > 256 => $"int of {big.GetBitLength()} bits",
        List<object?> list => $"list of {list.Count}",
        PickleDict dict => $"{dict.TypeName} of {dict.Count}",
        PickleGlobal global => global.FullName,
        PickleObject obj => obj.TypeName + " object",
        TorchStorageRef storage => $"storage '{storage.Key}'",
        TorchTensorView => "tensor",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? value.GetType().Name,
    };

    /// <summary>The Python type name of a value, for "expected X, got Y" messages.</summary>
    public static string TypeOf(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict dict => dict.TypeName,
        PickleGlobal global => global.FullName,
        PickleObject obj => obj.TypeName,
        TorchStorageRef => "storage",
        TorchTensorView => "tensor",
        _ => value.GetType().Name,
    };
}
