using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>
/// Hand-built torch.save archives for cases the fixtures do not cover: {'model': OrderedDict(name: tensor)} written
/// opcode by opcode, storages as raw little-endian bytes.
/// </summary>
internal static class SyntheticCheckpoint
{
    /// <summary>One tensor entry of the state dict: a view of storage <paramref name="Key"/>.</summary>
    public sealed record Entry(string Name, string StorageType, string Key, long Numel, long Offset, long[] Shape, long[] Stride);

    /// <summary>The pickle of {'model': OrderedDict(entries), 'epoch': 1} as torch.save would write it (without memo).</summary>
    public static byte[] StateDictPickle(IEnumerable<Entry> entries)
    {
        var w = new PickleWriter().Proto().EmptyDict().Mark().Str("model");
        w.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        foreach (Entry e in entries)
        {
            w.Str(e.Name).Tensor(e.StorageType, e.Key, e.Numel, e.Offset, e.Shape, e.Stride);
        }
        return w.SetItems().Str("epoch").Int(1).SetItems().Stop().ToArray();
    }

    public static string Write(TempDirectory temp, string fileName, IEnumerable<Entry> entries, IEnumerable<(string Key, byte[] Data)> storages,
        bool forceZip64 = false)
    {
        string path = temp.File(fileName);
        TorchZipWriter.WriteCheckpoint(path, "archive", StateDictPickle(entries), storages, forceZip64);
        return path;
    }

    public static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static byte[] Halves(params float[] values) => MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray();

    /// <summary>bfloat16 by truncation: the tests only use values a bfloat16 holds exactly.</summary>
    public static byte[] BFloat16s(params float[] values) =>
        MemoryMarshal.AsBytes(values.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray().AsSpan()).ToArray();

    public static byte[] Doubles(params double[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static byte[] Longs(params long[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] Range(int count) => Enumerable.Range(0, count).Select(i => (float)i).ToArray();
}
