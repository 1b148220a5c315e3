using System.Globalization;
using System.Numerics;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// Flattens the object torch.save pickled ({'model': state_dict, 'optimizer': ..., 'epoch': 0, 'args': Namespace})
/// into dotted paths: tensors on one side, plain values (numbers, strings, None) on the other.
/// </summary>
internal static class CheckpointTree
{
    private const int MaxDepth = 64;

    public sealed record Leaves(List<(string Path, TorchTensorView Tensor)> Tensors, List<(string Path, object? Value)> Values);

    public static Leaves Flatten(object? root)
    {
        var leaves = new Leaves([], []);
        Walk(root, "", leaves, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
        return leaves;
    }

    /// <summary>A dictionary key as a path segment: strings as they are, ints in decimal.</summary>
    public static string Segment(object key) => key switch
    {
        string s => s,
        long or BigInteger => Convert.ToString(key, CultureInfo.InvariantCulture)!,
        bool b => b ? "True" : "False",
        _ => PickleText.Describe(key),
    };

    public static string Join(string prefix, string segment) => prefix.Length == 0 ? segment : prefix + "." + segment;

    private static void Walk(object? node, string path, Leaves leaves, HashSet<object> open, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"the pickled object nests deeper than {MaxDepth} levels at '{path}'.");
        }
        switch (node)
        {
            case TorchTensorView tensor:
                leaves.Tensors.Add((path, tensor));
                return;
            case PickleDict or List<object?> or PickleTuple or PickleObject when !open.Add(node):
                throw new InvalidDataException($"the pickled object contains itself at '{path}' (a reference cycle).");
            case PickleDict dict:
                foreach (var (key, value) in dict.Items)
                {
                    Walk(value, Join(path, Segment(key)), leaves, open, depth + 1);
                }
                break;
            case List<object?> list:
                WalkItems(list, path, leaves, open, depth);
                break;
            case PickleTuple tuple:
                WalkItems(tuple.Items, path, leaves, open, depth);
                break;
            case PickleObject obj:
                Walk(obj.State, path, leaves, open, depth + 1);
                break;
            case null or bool or long or BigInteger or double or string or byte[]:
                leaves.Values.Add((path, node));
                return;
            default:
                leaves.Values.Add((path, PickleText.Describe(node)));
                return;
        }
        open.Remove(node);
    }

    private static void WalkItems(IReadOnlyList<object?> items, string path, Leaves leaves, HashSet<object> open, int depth)
    {
        // A list of plain values (optimizer param ids, betas) is one value; only containers of tensors are split up.
        if (items.All(item => item is null or bool or long or BigInteger or double or string))
        {
            leaves.Values.Add((path, "[" + string.Join(", ", items.Select(PickleText.Describe)) + "]"));
            return;
        }
        for (int i = 0; i < items.Count; i++)
        {
            Walk(items[i], Join(path, i.ToString(CultureInfo.InvariantCulture)), leaves, open, depth + 1);
        }
    }
}
