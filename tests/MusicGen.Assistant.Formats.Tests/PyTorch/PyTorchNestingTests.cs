using System.Diagnostics;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>
/// Pickles shaped to break a recursive or tree-walking reader: nesting 200,000 levels deep (a stack overflow would
/// kill the test host, not fail one test), containers shared through the memo so that as a tree they are
/// exponentially large, and keys built the same way. Each must end in a clear error naming the file, or load, quickly.
/// </summary>
public sealed class PyTorchNestingTests : IDisposable
{
    private const int Deep = 200_000;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".pth");
        TorchZipWriter.WriteCheckpoint(path, "ckpt", pickle, storages);
        return path;
    }

    /// <summary>{'model': value}, where <paramref name="value"/> writes the value onto the stack.</summary>
    private static byte[] ModelHolding(Action<PickleWriter> value)
    {
        var w = new PickleWriter().Proto().EmptyDict().Str("model");
        value(w);
        return w.SetItem().Stop().ToArray();
    }

    private PyTorchFormatException Refused(byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        string path = Write(pickle, storages);
        var e = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void Lists_nested_200000_deep_are_refused_at_the_depth_limit()
    {
        var e = Refused(ModelHolding(w =>
        {
            for (var i = 0; i < Deep; i++) w.EmptyList();
            for (var i = 1; i < Deep; i++) w.Append();
        }));
        Assert.Contains($"deeper than {PyTorchCheckpoint.MaxNestingDepth} levels", e.Message);
    }

    [Fact]
    public void Dicts_nested_200000_deep_are_refused_at_the_depth_limit()
    {
        var e = Refused(ModelHolding(w =>
        {
            for (var i = 0; i < Deep; i++) w.EmptyDict().Str("k");
            w.None();
            for (var i = 0; i < Deep; i++) w.SetItem();
        }));
        Assert.Contains($"deeper than {PyTorchCheckpoint.MaxNestingDepth} levels", e.Message);
    }

    [Fact]
    public void Tuples_nested_200000_deep_are_refused_as_values_and_as_keys()
    {
        var asValue = Refused(ModelHolding(w =>
        {
            w.Tensor("FloatStorage", "0", 1); // a tensor inside, so the tuples are walked, not described as one value
            for (var i = 0; i < Deep; i++) w.Tuple1();
        }), ("0", Floats(1)));
        Assert.Contains("deeper than", asValue.Message);

        var w = new PickleWriter().Proto().EmptyDict().None();
        for (var i = 0; i < Deep; i++) w.Tuple1();
        var asKey = Refused(w.Str("v").SetItem().Stop().ToArray());
        Assert.Contains("dictionary key", asKey.Message);
    }

    [Fact]
    public void Marks_and_stack_items_200000_deep_are_handled_without_recursion()
    {
        var w = new PickleWriter().Proto().EmptyDict().Str("model");
        for (var i = 0; i < Deep; i++) w.Mark();
        w.None();
        for (var i = 0; i < Deep; i++) w.Tuple();
        var e = Refused(w.SetItem().Stop().ToArray());
        Assert.Contains("deeper than", e.Message);
    }

    /// <summary>
    /// L0 = [x]; L(i+1) = [Li, Li] through the memo: 2^levels leaves as a tree, a few bytes per level as a pickle.
    /// </summary>
    private static byte[] SharedListLadder(int levels, Action<PickleWriter> leaf)
    {
        var w = new PickleWriter().Proto().EmptyDict().Str("model").EmptyList();
        leaf(w);
        w.Append().Put(0);
        for (uint i = 1; i <= levels; i++) w.Pop().EmptyList().Mark().Get(i - 1).Get(i - 1).Appends().Put(i);
        return w.SetItem().Stop().ToArray();
    }

    [Fact]
    public void Containers_shared_into_an_exponential_tree_are_refused_quickly()
    {
        var watch = Stopwatch.StartNew();
        var e = Refused(SharedListLadder(60, w => w.Tensor("FloatStorage", "0", 1)), ("0", Floats(1)));
        Assert.Contains("share sub-objects", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Shared_containers_without_leaves_are_walked_once_each()
    {
        // 2^60 paths to empty dicts, no leaf at all: memoized by identity this is 60 small steps
        var w = new PickleWriter().Proto().EmptyDict().Str("model").EmptyDict().Put(0);
        for (uint i = 1; i <= 60; i++) w.Pop().EmptyDict().Mark().Str("a").Get(i - 1).Str("b").Get(i - 1).SetItems().Put(i);
        w.SetItem().Str("epoch").Int(1).SetItem().Stop();
        var watch = Stopwatch.StartNew();
        using var checkpoint = PyTorchCheckpoint.Open(Write(w.ToArray()));
        Assert.Empty(checkpoint.AllTensors);
        Assert.Equal(1L, checkpoint.Values["epoch"]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_state_dict_saved_under_two_keys_lists_its_tensors_under_both()
    {
        // {'model': sd, 'ema': sd} with sd memoized: the same object twice, as torch.save writes it
        var w = new PickleWriter().Proto().EmptyDict().Str("model")
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Put(7)
            .Mark().Str("w").Tensor("FloatStorage", "0", 2).SetItems()
            .SetItem().Str("ema").Get(7).SetItem().Stop();
        using var checkpoint = PyTorchCheckpoint.Open(Write(w.ToArray(), ("0", Floats(1, 2))));
        Assert.Equal(["model.w", "ema.w"], checkpoint.AllTensors.Select(t => t.PicklePath));
        Assert.Equal(["w"], checkpoint.Names);
        Assert.Equal([1f, 2], checkpoint.ReadFloat32("w"));
    }

    [Fact]
    public void Keys_shared_into_an_exponential_tuple_are_refused_quickly()
    {
        // K0 = (None,); K(i+1) = (Ki, Ki): as a tree 2^40 nodes; hashing or comparing it as a tree would never end
        var w = new PickleWriter().Proto().EmptyDict().None().Tuple1().Put(0);
        for (uint i = 1; i <= 40; i++) w.Pop().Get(i - 1).Get(i - 1).Tuple2().Put(i);
        w.Str("v").SetItem().Stop();
        var watch = Stopwatch.StartNew();
        var e = Refused(w.ToArray());
        Assert.Contains("dictionary key", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }
}
