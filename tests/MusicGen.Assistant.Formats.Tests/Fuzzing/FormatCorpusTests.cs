using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing.Fuzzing;
using Xunit.Abstractions;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.Fuzzing;

/// <summary>
/// Corpora of damaged files generated from valid ones this project writes (seeded, so every run sees the same
/// inputs): each reader must read the file or refuse it with its format's exception naming the file, with bounded
/// allocation and time (see <see cref="FuzzCorpus"/>).
/// </summary>
public sealed class FormatCorpusTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // ---- GGUF ----------------------------------------------------------------------------------------------------

    /// <summary>A small GGUF with every value type the readers meet and f32 / f16 / q8_0 tensors.</summary>
    private byte[] SmallGguf()
    {
        var path = _temp.File("seed.gguf");
        using (var w = new GgufWriter(path))
        {
            w.SetMetadata("general.architecture", "test");
            w.SetMetadata("test.count", 3u);
            w.SetMetadata("test.signed", -7);
            w.SetMetadata("test.eps", 1e-5f);
            w.SetMetadata("test.flag", true);
            w.SetMetadata("test.ratios", GgufArray.Of(new[] { 8, 5, 4, 4 }));
            w.SetMetadata("test.names", GgufArray.Of(new[] { "a", "bb", "ccc" }));
            w.SetMetadata("test.bandwidth", 2.2);
            w.AddTensor("w", GgmlType.F32, [4, 3]);
            w.AddTensor("h", GgmlType.F16, [8]);
            w.AddTensor("q", GgmlType.Q8_0, [32, 2]);
            w.WriteHeader();
            w.WriteTensorData("w", MemoryMarshal.AsBytes(Enumerable.Range(0, 12).Select(i => (float)i).ToArray().AsSpan()));
            w.WriteTensorData("h", MemoryMarshal.AsBytes(Enumerable.Range(0, 8).Select(i => (Half)i).ToArray().AsSpan()));
            w.WriteTensorData("q", Quantizer.Quantize(Enumerable.Range(0, 64).Select(i => i / 8f).ToArray(), 32, GgmlType.Q8_0));
            w.Finish();
        }
        return File.ReadAllBytes(path);
    }

    private static void ReadGguf(string path)
    {
        using var file = GgufFile.Open(path);
        foreach (var (key, value) in file.Metadata)
            _ = value.Type == GgufValueType.ARRAY ? value.AsArray().Count.ToString() : value.ToString();
        foreach (var tensor in file.Tensors)
        {
            if (tensor.Type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.F64) file.ReadFloat32(tensor.Name);
            else _ = file.GetTensorBytes(tensor).Length;
        }
    }

    [Fact]
    public void Damaged_gguf_files_are_read_or_refused_by_name()
    {
        var seed = SmallGguf();
        var fields = SizeFieldMaps.Gguf(seed);
        var tally = new FuzzCorpus { Format = "GGUF file", Read = ReadGguf, Typed = [typeof(GgufFormatException)] }
            .AssertHolds(ByteMutations.SweepSizeFields(seed, "model.gguf", fields).Concat(ByteMutations.Mutate(seed, "model.gguf", 1101, 250, fields)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > tally.Total / 2, tally.ToString());
    }

    // ---- safetensors ---------------------------------------------------------------------------------------------

    private byte[] SmallSafetensors()
    {
        var path = _temp.File("seed.safetensors");
        SafetensorsWriter.Write(path,
        [
            ("a.weight", SafetensorsDType.F32, [3, 2], Floats(1, 2, 3, 4, 5, 6)),
            ("a.bias", SafetensorsDType.F16, [2], Halves(0.5f, -1)),
            ("b.ids", SafetensorsDType.I64, [2], Longs(7, 9)),
            ("c.bf", SafetensorsDType.BF16, [1, 1], BFloat16s(2)),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(path);
    }

    private static void ReadSafetensors(string path)
    {
        using var file = SafetensorsFile.Open(path);
        foreach (var t in file.Tensors)
        {
            if (t.DType is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64) file.ReadFloat32(t.Name);
            else if (t.DType is SafetensorsDType.I64 or SafetensorsDType.I32 or SafetensorsDType.I16 or SafetensorsDType.I8 or SafetensorsDType.U8) file.ReadInt64(t.Name);
            else _ = file.GetBytes(t).Length;
        }
    }

    /// <summary>The header JSON mutated (huge offsets and shapes, wrong types, deep nesting...) and re-framed with a correct length.</summary>
    private static IEnumerable<FuzzInput> HeaderMutations(byte[] seed, int count)
    {
        var headerLength = (int)BitConverter.ToUInt64(seed, 0);
        var json = Encoding.UTF8.GetString(seed, 8, headerLength);
        var data = seed.AsSpan(8 + headerLength).ToArray();
        foreach (var input in JsonMutations.Mutate(json, "model.safetensors", 2202, count).Concat(JsonMutations.Sweep(json, "model.safetensors", count)))
        {
            var header = input.Bytes;
            var framed = new byte[8 + header.Length + data.Length];
            BitConverter.TryWriteBytes(framed.AsSpan(0, 8), (ulong)header.Length);
            header.CopyTo(framed, 8);
            data.CopyTo(framed, 8 + header.Length);
            yield return input with { Bytes = framed };
        }
    }

    [Fact]
    public void Damaged_safetensors_files_are_read_or_refused_by_name()
    {
        var seed = SmallSafetensors();
        var tally = new FuzzCorpus { Format = "safetensors file", Read = ReadSafetensors, Typed = [typeof(SafetensorsFormatException)] }
            .AssertHolds(ByteMutations.Mutate(seed, "model.safetensors", 1202, 120, SizeFieldMaps.Safetensors())
                .Concat(ByteMutations.SweepSizeFields(seed, "model.safetensors", SizeFieldMaps.Safetensors()))
                .Concat(HeaderMutations(seed, 110)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > tally.Total / 2, tally.ToString());
    }

    // ---- PyTorch .pth --------------------------------------------------------------------------------------------

    private static readonly Entry[] Entries =
    [
        new("enc.weight", "FloatStorage", "0", 6, 0, [2, 3], [3, 1]),
        new("enc.bias", "HalfStorage", "1", 2, 0, [2], [1]),
        new("enc.t", "FloatStorage", "0", 6, 1, [2, 2], [1, 3]),
        new("steps", "LongStorage", "2", 1, 0, [], []),
    ];

    private static readonly (string, byte[])[] Storages =
        [("0", Floats(1, 2, 3, 4, 5, 6)), ("1", Halves(0.5f, 2)), ("2", Longs(12))];

    private byte[] Zip(byte[] pickle, IEnumerable<(string, byte[])> storages)
    {
        var path = _temp.File(Guid.NewGuid().ToString("N") + ".pth");
        TorchZipWriter.WriteCheckpoint(path, "archive", pickle, storages);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    private static void ReadPth(string path)
    {
        using var checkpoint = PyTorchCheckpoint.Open(path);
        foreach (var t in checkpoint.AllTensors.Where(t => t.DType is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64))
            checkpoint.ReadFloat32(t);
        foreach (var t in checkpoint.Tensors.Where(t => t.DType is SafetensorsDType.I64 or SafetensorsDType.I32 or SafetensorsDType.U8 or SafetensorsDType.BOOL))
            checkpoint.ReadInt64(t.Name);
    }

    /// <summary>Tensor entries with hostile sizes, offsets, strides and element counts written into the pickle.</summary>
    private static IEnumerable<FuzzInput> HostileEntries(Func<byte[], byte[]> zip, int seed, int count)
    {
        long[] hostile = [0, 1, 7, 1L << 31, (1L << 32) + 1, 1L << 40, long.MaxValue / 2, long.MaxValue];
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var entries = Entries.ToArray();
            var k = rng.Next(entries.Length);
            var e = entries[k];
            long Pick() => hostile[rng.Next(hostile.Length)];
            entries[k] = rng.Next(4) switch
            {
                0 => e with { Shape = [.. e.Shape.Select(_ => Pick()), .. rng.Next(2) == 0 ? new[] { Pick() } : []], Stride = [.. e.Stride.Select(_ => Pick()), 1] },
                1 => e with { Offset = Pick() },
                2 => e with { Numel = Pick() },
                _ => e with { Stride = e.Stride.Select(_ => Pick()).ToArray() },
            };
            yield return new FuzzInput($"#{i} {entries[k]}", zip(StateDictPickle(entries)), "checkpoint.pth");
        }
    }

    /// <summary>Pickles of {'model': x} where x nests very deep or shares sub-objects through the memo.</summary>
    private static IEnumerable<FuzzInput> NestedAndShared(Func<byte[], byte[]> zip)
    {
        foreach (var depth in new[] { 63, 65, 1_000, 100_000 })
        {
            var w = new PickleWriter().Proto().EmptyDict().Str("model");
            for (var i = 0; i < depth; i++) w.EmptyList();
            w.Tensor("FloatStorage", "0", 6).Append();
            for (var i = 1; i < depth; i++) w.Append();
            yield return new FuzzInput($"lists {depth} deep", zip(w.SetItem().Stop().ToArray()), "checkpoint.pth");

            var t = new PickleWriter().Proto().EmptyDict().Str("model").Tensor("FloatStorage", "0", 6);
            for (var i = 0; i < depth; i++) t.Tuple1();
            yield return new FuzzInput($"tuples {depth} deep", zip(t.SetItem().Stop().ToArray()), "checkpoint.pth");
        }
        foreach (var levels in new[] { 10, 20, 40, 62 })
        {
            var w = new PickleWriter().Proto().EmptyDict().Str("model").EmptyDict().Str("w").Tensor("FloatStorage", "0", 6).SetItem().Put(0);
            for (uint i = 1; i <= levels; i++) w.Pop().EmptyDict().Mark().Str("a").Get(i - 1).Str("b").Get(i - 1).SetItems().Put(i);
            yield return new FuzzInput($"dicts shared {levels} levels (2^{levels} paths)", zip(w.SetItem().Stop().ToArray()), "checkpoint.pth");
        }
    }

    [Fact]
    public void Damaged_pytorch_checkpoints_are_read_or_refused_by_name()
    {
        byte[] ZipPickle(byte[] pickle) => Zip(pickle, Storages);
        var pickle = StateDictPickle(Entries);
        var seed = ZipPickle(pickle);
        ReadPth(WriteSeed(seed, "seed.pth"));
        // the pickle damaged inside a well-formed zip (a CRC would catch damage to the zip as a whole)
        var damagedPickles = ByteMutations.Mutate(pickle, "checkpoint.pth", 1303, 200)
            .Select(input => input with { Bytes = ZipPickle(input.Bytes) });
        var tally = new FuzzCorpus
            {
                Format = "PyTorch checkpoint", Read = ReadPth,
                Typed = [typeof(PyTorchFormatException), typeof(PyTorchUnsafePickleException)],
            }
            .AssertHolds(damagedPickles
                .Concat(ByteMutations.Mutate(seed, "checkpoint.pth", 1304, 120, SizeFieldMaps.Zip(seed)))
                .Concat(HostileEntries(ZipPickle, 1305, 100))
                .Concat(NestedAndShared(ZipPickle)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > tally.Total / 2, tally.ToString());
    }

    private string WriteSeed(byte[] bytes, string name)
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- .codes --------------------------------------------------------------------------------------------------

    private static void ReadCodes(string path)
    {
        using var reader = AudioCodesReader.Open(path);
        reader.ReadFrames(0, (int)Math.Min(reader.Header.FrameCount, int.MaxValue));
    }

    [Fact]
    public void Damaged_codes_files_are_read_or_refused_by_name()
    {
        var path = _temp.File("seed.codes");
        var codes = Enumerable.Range(0, 4).Select(q => Enumerable.Range(0, 50).Select(t => (t * 7 + q * 13) % 2048).ToArray()).ToArray();
        AudioCodesFile.Write(path, new AudioCodesFormat(32000, 640, 2048, 4, 1), codes, 50 * 640 - 3);
        var seed = File.ReadAllBytes(path);
        var tally = new FuzzCorpus { Format = "codes file", Read = ReadCodes, Typed = [typeof(AudioCodesFormatException)] }
            .AssertHolds(ByteMutations.SweepSizeFields(seed, "track.codes", SizeFieldMaps.Codes())
                .Concat(ByteMutations.Mutate(seed, "track.codes", 1401, 80, SizeFieldMaps.Codes())));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > tally.Total / 2, tally.ToString());
    }
}
