using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>
/// The pickle machine on hand-written pickles: the full layout M2UGen's misc.save_model writes, the tensor wrappers
/// torch uses, and the globals and opcodes it must refuse.
/// </summary>
public sealed class PyTorchPickleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WritePickle(byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".pth");
        TorchZipWriter.WriteCheckpoint(path, "ckpt", pickle, storages);
        return path;
    }

    /// <summary>
    /// {'model': state_dict with "module." names and _metadata, 'optimizer': {...}, 'epoch': 3, 'scaler': {...},
    /// 'args': argparse.Namespace(...)}, as misc.save_model saves a DistributedDataParallel model.
    /// </summary>
    private static byte[] TrainingCheckpointPickle()
    {
        var w = new PickleWriter().Proto().EmptyDict().Mark();
        w.Str("model").Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().Str("module.a.weight").Tensor("FloatStorage", "0", 2, 3).Str("module.a.bias").Tensor("HalfStorage", "1", 2).SetItems()
            // state_dict() sets destination._metadata, which pickles as the OrderedDict's instance state.
            .EmptyDict().Mark().Str("_metadata").Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().Str("").EmptyDict().Mark().Str("version").Int(1).SetItems()
            .Str("module.a").EmptyDict().Mark().Str("version").Int(1).SetItems().SetItems()
            .SetItems().Build();
        w.Str("optimizer").EmptyDict().Mark()
            .Str("state").EmptyDict().Mark().Int(0).EmptyDict().Mark()
            .Str("step").Tensor("FloatStorage", "2").Str("exp_avg").Tensor("FloatStorage", "3", 2, 3).SetItems().SetItems()
            .Str("param_groups").EmptyList().Mark().EmptyDict().Mark()
            .Str("lr").Float(0.001).Str("betas").Mark().Float(0.9).Float(0.95).Tuple()
            .Str("params").EmptyList().Mark().Int(0).Int(1).Appends().SetItems().Appends()
            .SetItems();
        w.Str("epoch").Int(3);
        w.Str("scaler").EmptyDict().Mark().Str("scale").Float(65536.0).Str("_growth_tracker").Int(70000).SetItems();
        w.Str("args").Global("argparse", "Namespace").EmptyTuple().NewObj()
            .EmptyDict().Mark().Str("model").Str("7B").Str("lr").Float(0.001).Str("llama_type").None().SetItems().Build();
        return w.SetItems().Stop().ToArray();
    }

    private static (string, byte[])[] TrainingStorages() =>
        [("0", Floats(1, 2, 3, 4, 5, 6)), ("1", Halves(0.5f, -0.25f)), ("2", Floats(1000)), ("3", Floats(6, 5, 4, 3, 2, 1))];

    [Fact]
    public void Training_checkpoint_exposes_the_model_state_dict_without_module_prefix()
    {
        using var checkpoint = PyTorchCheckpoint.Open(WritePickle(TrainingCheckpointPickle(), TrainingStorages()));

        Assert.Equal("ckpt", checkpoint.ArchiveName);
        Assert.Equal("model", checkpoint.StateDictPath);
        Assert.Equal(["a.weight", "a.bias"], checkpoint.Names);
        Assert.Equal([1f, 2, 3, 4, 5, 6], checkpoint.ReadFloat32("a.weight"));
        Assert.Equal([0.5f, -0.25f], checkpoint.ReadFloat32("a.bias"));
        Assert.Equal("model.module.a.weight", checkpoint.Get("a.weight").PicklePath);
        Assert.False(checkpoint.Contains("module.a.weight"));
    }

    [Fact]
    public void Training_checkpoint_lists_optimizer_tensors_and_plain_values_by_dotted_path()
    {
        using var checkpoint = PyTorchCheckpoint.Open(WritePickle(TrainingCheckpointPickle(), TrainingStorages()));

        Assert.Equal(["model.module.a.weight", "model.module.a.bias", "optimizer.state.0.step", "optimizer.state.0.exp_avg"],
            checkpoint.AllTensors.Select(t => t.PicklePath));
        PyTorchTensorInfo step = checkpoint.AllTensors.Single(t => t.PicklePath == "optimizer.state.0.step");
        Assert.Equal([1000f], checkpoint.ReadFloat32(step));

        Assert.Equal(3L, checkpoint.Values["epoch"]);
        Assert.Equal(65536.0, checkpoint.Values["scaler.scale"]);
        Assert.Equal(70000L, checkpoint.Values["scaler._growth_tracker"]);
        Assert.Equal("7B", checkpoint.Values["args.model"]);
        Assert.Equal(0.001, checkpoint.Values["args.lr"]);
        Assert.Null(checkpoint.Values["args.llama_type"]);
        Assert.Equal("[0.9, 0.95]", checkpoint.Values["optimizer.param_groups.0.betas"]);
        Assert.Equal("[0, 1]", checkpoint.Values["optimizer.param_groups.0.params"]);
        // The state dict's _metadata is instance state of the OrderedDict, not an entry of it.
        Assert.DoesNotContain(checkpoint.Values.Keys, k => k.Contains("_metadata"));
    }

    [Fact]
    public void Another_top_level_dict_can_be_chosen_and_a_missing_one_is_reported()
    {
        string path = WritePickle(TrainingCheckpointPickle(), TrainingStorages());
        using (var optimizer = PyTorchCheckpoint.Open(path, stateDictKey: "optimizer"))
        {
            Assert.Equal(["state.0.step", "state.0.exp_avg"], optimizer.Names);
            Assert.Equal([6f, 5, 4, 3, 2, 1], optimizer.ReadFloat32("state.0.exp_avg"));
        }
        using (var everything = PyTorchCheckpoint.Open(path, stateDictKey: ""))
        {
            Assert.Equal(["model.module.a.weight", "model.module.a.bias", "optimizer.state.0.step", "optimizer.state.0.exp_avg"], everything.Names);
        }
        var e = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(path, stateDictKey: "ema"));
        Assert.Contains("'ema'", e.Message);
        Assert.Contains("'model', 'optimizer', 'epoch', 'scaler', 'args'", e.Message);
    }

    [Fact]
    public void A_bare_state_dict_is_its_own_root()
    {
        byte[] pickle = new PickleWriter().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Mark().Str("w").Tensor("FloatStorage", "0", 2).SetItems().Stop().ToArray();
        using var checkpoint = PyTorchCheckpoint.Open(WritePickle(pickle, ("0", Floats(3, 4))));
        Assert.Equal("", checkpoint.StateDictPath);
        Assert.Equal(["w"], checkpoint.Names);
        Assert.Equal([3f, 4], checkpoint.ReadFloat32("w"));
    }

    [Fact]
    public void Parameter_wrappers_and_torch_Size_yield_the_wrapped_tensor()
    {
        var w = new PickleWriter().Proto().EmptyDict().Mark();
        // torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict())
        w.Str("param").Global("torch._utils", "_rebuild_parameter")
            .Mark().Tensor("FloatStorage", "0", 2).Bool(true).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
        // torch._tensor._rebuild_from_type_v2(_rebuild_tensor_v2, Parameter, (args), {})
        w.Str("typed").Global("torch._tensor", "_rebuild_from_type_v2")
            .Mark().Global("torch._utils", "_rebuild_tensor_v2").Global("torch.nn.parameter", "Parameter")
            .TensorArguments("FloatStorage", "1", 2, 0, [2], [1]).EmptyDict().Tuple().Reduce();
        w.Str("size").Global("torch", "Size").Mark().Ints(4, 5).Tuple().Reduce();
        byte[] pickle = w.SetItems().Stop().ToArray();

        using var checkpoint = PyTorchCheckpoint.Open(WritePickle(pickle, ("0", Floats(1, 2)), ("1", Floats(3, 4))));
        Assert.Equal(["param", "typed"], checkpoint.Names);
        Assert.Equal([1f, 2], checkpoint.ReadFloat32("param"));
        Assert.Equal([3f, 4], checkpoint.ReadFloat32("typed"));
        Assert.Equal("[4, 5]", checkpoint.Values["size"]);
    }

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("builtins", "exec")]
    [InlineData("builtins", "getattr")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch.storage", "_load_from_bytes")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    public void A_forbidden_global_is_refused_by_name_before_it_is_called(string module, string name)
    {
        // The classic payload: GLOBAL posix.system, ("touch /tmp/pwned",), REDUCE.
        byte[] pickle = new PickleWriter().Proto().Global(module, name).Mark().Str("touch /tmp/pwned").Tuple().Reduce().Stop().ToArray();
        string path = WritePickle(pickle);

        var e = Assert.Throws<PyTorchUnsafePickleException>(() => PyTorchCheckpoint.Open(path));
        Assert.Equal($"{module}.{name}", e.GlobalName);
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains("ckpt/data.pkl offset 2", e.Message); // the GLOBAL opcode itself, not the later REDUCE
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_forbidden_global_deep_inside_a_valid_state_dict_is_still_refused()
    {
        byte[] pickle = new PickleWriter().Proto().EmptyDict().Mark().Str("model").EmptyDict().Mark()
            .Str("w").Tensor("FloatStorage", "0", 2)
            .Str("evil").Global("posix", "system").Mark().Str("id").Tuple().Reduce()
            .SetItems().SetItems().Stop().ToArray();
        var e = Assert.Throws<PyTorchUnsafePickleException>(() => PyTorchCheckpoint.Open(WritePickle(pickle, ("0", Floats(1, 2)))));
        Assert.Equal("posix.system", e.GlobalName);
    }

    [Fact]
    public void Storage_classes_cannot_be_called_and_unsupported_storage_types_are_named()
    {
        byte[] call = new PickleWriter().Proto().Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop().ToArray();
        var e = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(call)));
        Assert.Contains("torch.FloatStorage cannot be called", e.Message);

        byte[] complex = new PickleWriter().Proto().EmptyDict().Mark().Str("z").Tensor("ComplexFloatStorage", "0", 1).SetItems().Stop().ToArray();
        var u = Assert.Throws<PyTorchUnsafePickleException>(() => PyTorchCheckpoint.Open(WritePickle(complex, ("0", new byte[8]))));
        Assert.Equal("torch.ComplexFloatStorage", u.GlobalName);
        Assert.Contains("storage type is not supported", u.Message);
    }

    [Fact]
    public void Text_protocol_opcodes_are_refused_with_the_opcode_named()
    {
        byte[] pickle = [0x80, 2, (byte)'I', (byte)'5', (byte)'\n', (byte)'.'];
        var e = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(pickle)));
        Assert.Contains("opcode 0x49 ('I')", e.Message);
        Assert.Contains("offset 2", e.Message);
    }

    [Fact]
    public void A_pickle_without_STOP_or_cut_inside_an_opcode_is_reported_as_truncated()
    {
        byte[] full = new PickleWriter().Proto().EmptyDict().Mark().Str("w").Tensor("FloatStorage", "0", 2).SetItems().Stop().ToArray();
        var noStop = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(full[..^1], ("0", Floats(1, 2)))));
        Assert.Contains("without a STOP opcode", noStop.Message);

        byte[] cut = new PickleWriter().Proto().Str("abcdef").ToArray()[..^3];
        var midOpcode = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(cut)));
        Assert.Contains("needs 6 more bytes", midOpcode.Message);
    }

    [Fact]
    public void Reading_an_unwritten_memo_slot_or_conflicting_storage_ids_is_an_error()
    {
        byte[] memo = [0x80, 2, (byte)'h', 7, (byte)'.'];
        var e = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(memo)));
        Assert.Contains("memo slot 7", e.Message);

        byte[] conflict = new PickleWriter().Proto().EmptyDict().Mark()
            .Str("a").Tensor("FloatStorage", "0", 2).Str("b").Tensor("HalfStorage", "0", 2).SetItems().Stop().ToArray();
        var c = Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(WritePickle(conflict, ("0", Floats(1, 2)))));
        Assert.Contains("storage '0' is named as torch.FloatStorage of 2 elements and again as torch.HalfStorage of 2", c.Message);
    }
}
