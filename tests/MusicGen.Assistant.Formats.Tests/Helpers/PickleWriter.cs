using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Formats.Tests.Helpers;

/// <summary>
/// Writes pickle opcodes by hand, the way Python's pickler (protocol 2) spells them, so tests can build checkpoints
/// torch never would (forbidden globals, strided views, damaged ids). No memo unless asked for (<see cref="Put"/>,
/// <see cref="Get"/>): every value is written in full.
/// </summary>
public sealed class PickleWriter
{
    private readonly MemoryStream _stream = new();

    public PickleWriter Proto(byte protocol = 2) => Op(0x80, protocol);

    public PickleWriter Stop() => Op((byte)'.');

    public PickleWriter Mark() => Op((byte)'(');

    public PickleWriter Tuple() => Op((byte)'t');

    public PickleWriter EmptyTuple() => Op((byte)')');

    public PickleWriter EmptyDict() => Op((byte)'}');

    public PickleWriter EmptyList() => Op((byte)']');

    public PickleWriter SetItems() => Op((byte)'u');

    public PickleWriter Appends() => Op((byte)'e');

    public PickleWriter Append() => Op((byte)'a');

    public PickleWriter Pop() => Op((byte)'0');

    public PickleWriter SetItem() => Op((byte)'s');

    public PickleWriter Tuple1() => Op(0x85);

    public PickleWriter Tuple2() => Op(0x86);

    /// <summary>LONG_BINPUT: stores the top of the stack in memo slot <paramref name="slot"/>.</summary>
    public PickleWriter Put(uint slot)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, slot);
        return Op((byte)'r').Raw(b);
    }

    /// <summary>LONG_BINGET: pushes memo slot <paramref name="slot"/> (the same object again, not a copy).</summary>
    public PickleWriter Get(uint slot)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, slot);
        return Op((byte)'j').Raw(b);
    }

    public PickleWriter Reduce() => Op((byte)'R');

    public PickleWriter NewObj() => Op(0x81);

    public PickleWriter Build() => Op((byte)'b');

    public PickleWriter BinPersId() => Op((byte)'Q');

    public PickleWriter None() => Op((byte)'N');

    public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    public PickleWriter Global(string module, string name) => Op((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleWriter Str(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
        return Op((byte)'X').Raw(length).Raw(utf8);
    }

    /// <summary>The smallest integer opcode Python would pick (BININT1, BININT2, BININT or LONG1).</summary>
    public PickleWriter Int(long value)
    {
        if (value is >= 0 and <= 0xFF)
        {
            return Op((byte)'K', (byte)value);
        }
        if (value is >= 0 and <= 0xFFFF)
        {
            var b = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
            return Op((byte)'M').Raw(b);
        }
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            return Op((byte)'J').Raw(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, value);
        return Op(0x8a, 8).Raw(l);
    }

    public PickleWriter Float(double value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, value);
        return Op((byte)'G').Raw(b);
    }

    /// <summary>A tuple of ints.</summary>
    public PickleWriter Ints(params long[] values)
    {
        Mark();
        foreach (long v in values)
        {
            Int(v);
        }
        return Tuple();
    }

    /// <summary>
    /// What Tensor.__reduce_ex__ emits: _rebuild_tensor_v2((persistent id), offset, size, stride, requires_grad, OrderedDict()).
    /// </summary>
    public PickleWriter Tensor(string storageType, string key, long numel, long offset, long[] shape, long[] stride, string location = "cpu") =>
        Global("torch._utils", "_rebuild_tensor_v2").TensorArguments(storageType, key, numel, offset, shape, stride, location).Reduce();

    /// <summary>The argument tuple of _rebuild_tensor_v2, persistent id included.</summary>
    public PickleWriter TensorArguments(string storageType, string key, long numel, long offset, long[] shape, long[] stride, string location = "cpu")
    {
        Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str(location).Int(numel).Tuple().BinPersId();
        Int(offset).Ints(shape).Ints(stride).Bool(false);
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple();
    }

    /// <summary>A contiguous tensor that is its whole storage.</summary>
    public PickleWriter Tensor(string storageType, string key, params long[] shape)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        var stride = new long[shape.Length];
        long step = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            stride[i] = step;
            step *= shape[i];
        }
        return Tensor(storageType, key, numel, 0, shape, stride);
    }

    public PickleWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    private PickleWriter Op(byte opcode, params byte[] argument)
    {
        _stream.WriteByte(opcode);
        _stream.Write(argument);
        return this;
    }
}
