using System.Globalization;
using System.Numerics;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// Flattens the object torch.save pickled ({'model': state_dict, 'optimizer': ..., 'epoch': 0, 'args': Namespace})
/// into dotted paths: tensors on one side, plain values (numbers, strings, None) on the other.
/// </summary>
/// <remarks>
/// The walk is iterative, so nesting costs heap, not stack; containers deeper than <see cref="MaxDepth"/> are refused.
/// The pickle memo lets one container be referenced many times: each container is flattened once (memoized by object
/// identity) and its leaves are reused under every path that reaches it, and the total number of leaves is bounded
/// by <see cref="LeafBudget"/>, so a DAG of shared sub-objects never expands exponentially.
/// </remarks>
internal static class CheckpointTree
{
    /// <summary>Deepest container nesting accepted (a state dict is 1-3 levels deep).</summary>
    public const int MaxDepth = 64;

    public sealed record Leaves(List<(string Path, TorchTensorView Tensor)> Tensors, List<(string Path, object? Value)> Values);

    /// <summary>
    /// The most (path, leaf) entries a pickle of <paramref name="pickleBytes"/> may flatten to: every entry of a tree costs
    /// at least one opcode byte, so only sharing can exceed a few per byte; some sharing (one dict saved under two keys)
    /// is legitimate, exponential sharing is not.
    /// </summary>
    public static long LeafBudget(long pickleBytes) => Math.Max(1L << 16, 4 * pickleBytes);

    public static Leaves Flatten(object? root, long leafBudget = 1L << 16)
    {
        var leaves = new Leaves([], []);
        foreach (var (path, leaf) in new Walker(leafBudget).Walk(root))
        {
            if (leaf is TorchTensorView tensor) leaves.Tensors.Add((path, tensor));
            else leaves.Values.Add((path, leaf));
        }
        return leaves;
    }

    /// <summary>A dictionary key as a path segment: strings as they are, ints in decimal.</summary>
    public static string Segment(object key) => key switch
    {
        string s => s,
        long => Convert.ToString(key, CultureInfo.InvariantCulture)!,
        BigInteger big when big.GetBitLength() <= 256 => big.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => PickleText.Describe(key),
    };

    public static string Join(string prefix, string segment) =>
        prefix.Length == 0 ? segment : segment.Length == 0 ? prefix : prefix + "." + segment;

    /// <summary>Longest dotted path accepted (state-dict names are a few dozen characters).</summary>
    public const int MaxPathLength = 1 << 16;

    private static bool IsContainer(object? node) => node is PickleDict or List<object?> or PickleTuple or PickleObject;

    /// <summary>One flattening: post-order over an explicit stack, with each container's leaves kept by identity.</summary>
    private sealed class Walker(long budget)
    {
        // A container's leaves, paths relative to it ("" = the container itself is one leaf).
        private readonly Dictionary<object, List<(string Path, object? Leaf)>> _done = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> _open = new(ReferenceEqualityComparer.Instance);
        private long _emitted;

        private sealed class Frame(object node, string path, int depth, List<(string Segment, object? Child)> children)
        {
            public object Node { get; } = node;
            public string Path { get; } = path;
            public int Depth { get; } = depth;
            public List<(string Segment, object? Child)> Children { get; } = children;
            public int Next { get; set; }
            public List<(string Path, object? Leaf)> Leaves { get; } = [];
        }

        public List<(string Path, object? Leaf)> Walk(object? root)
        {
            if (!IsContainer(root)) return [("", Leaf(root))];
            var stack = new Stack<Frame>();
            Push(stack, root!, "", 0);
            List<(string, object?)> result = [];
            while (stack.Count > 0)
            {
                var frame = stack.Peek();
                if (frame.Next == frame.Children.Count)
                {
                    stack.Pop();
                    _open.Remove(frame.Node);
                    _done[frame.Node] = frame.Leaves;
                    if (stack.Count == 0) result = frame.Leaves;
                    else Append(stack.Peek(), stack.Peek().Children[stack.Peek().Next++].Segment, frame.Leaves);
                    continue;
                }
                var (segment, child) = frame.Children[frame.Next];
                var childPath = Join(frame.Path, segment);
                if (!IsContainer(child))
                {
                    frame.Next++;
                    Append(frame, segment, [("", Leaf(child))]);
                }
                else if (_done.TryGetValue(child!, out var known))
                {
                    frame.Next++;
                    Append(frame, segment, known);
                }
                else if (_open.Contains(child!))
                {
                    throw new InvalidDataException($"the pickled object contains itself at '{childPath}' (a reference cycle).");
                }
                else
                {
                    Push(stack, child!, childPath, frame.Depth + 1);
                }
            }
            return result;
        }

        private void Push(Stack<Frame> stack, object node, string path, int depth)
        {
            if (depth > MaxDepth)
                throw new InvalidDataException($"the pickled object nests deeper than {MaxDepth} levels at '{Shorten(path)}'.");
            _open.Add(node);
            stack.Push(new Frame(node, path, depth, Children(node)));
        }

        // Adds a child's leaves under its segment: the only place entries are created, so the budget bounds time and memory.
        private void Append(Frame parent, string segment, List<(string Path, object? Leaf)> childLeaves)
        {
            _emitted += childLeaves.Count;
            if (_emitted > budget)
                throw new InvalidDataException(
                    $"the pickled object expands to more than {budget} entries at '{Shorten(Join(parent.Path, segment))}': its containers share sub-objects " +
                    "so often that flattening them would not end (a checkpoint's state dict is a tree).");
            foreach (var (path, leaf) in childLeaves)
            {
                var joined = Join(segment, path);
                if (joined.Length + parent.Path.Length > MaxPathLength)
                    throw new InvalidDataException($"a path in the pickled object is longer than {MaxPathLength} characters at '{Shorten(parent.Path)}'.");
                parent.Leaves.Add((joined, leaf));
            }
        }

        private static List<(string, object?)> Children(object node)
        {
            switch (node)
            {
                case PickleDict dict:
                    return dict.Items.Select(kv => (Segment(kv.Key), kv.Value)).ToList();
                case PickleObject obj:
                    // the attribute dict's entries sit directly under the object's path
                    return obj.State is PickleDict state ? Children(state) : [("", obj.State)];
                case IReadOnlyList<object?> items:
                    return ItemChildren(items);
                case PickleTuple tuple:
                    return ItemChildren(tuple.Items);
                default:
                    return [];
            }
        }

        private static List<(string, object?)> ItemChildren(IReadOnlyList<object?> items)
        {
            // A list of plain values (optimizer param ids, betas) is one value; only containers of tensors are split up.
            if (items.All(item => item is null or bool or long or BigInteger or double or string))
                return [("", new PlainList(items))];
            return items.Select((item, i) => (i.ToString(CultureInfo.InvariantCulture), item)).ToList();
        }

        private static object? Leaf(object? node) => node switch
        {
            TorchTensorView or null or bool or long or BigInteger or double or string or byte[] => node,
            PlainList list => list.ToString(),
            _ => PickleText.Describe(node),
        };

        private static string Shorten(string path) => path.Length <= 200 ? path : path[..100] + "..." + path[^97..];
    }

    /// <summary>A list of plain values, shown as one value "[a, b, ...]".</summary>
    private sealed class PlainList(IReadOnlyList<object?> items)
    {
        public override string ToString() => "[" + string.Join(", ", items.Select(PickleText.Describe)) + "]";
    }
}
