using System.Text;

namespace MusicGen.Assistant.Formats.Tests.Helpers;

/// <summary>
/// Hand encoder of GGUF pieces straight from the specification (little-endian; strings are u64 length + UTF-8),
/// independent of GgufWriter, to build expected bytes and corrupt files field by field.
/// </summary>
public sealed class GgufBytes
{
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    public GgufBytes() => _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);

    public long Length => _stream.Length;

    /// <summary>"GGUF", version, tensor count, kv count.</summary>
    public GgufBytes Header(uint version, long tensorCount, long kvCount)
    {
        _writer.Write("GGUF"u8);
        return U32(version).I64(tensorCount).I64(kvCount);
    }

    public GgufBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _writer.Write(bytes);
        return this;
    }

    public GgufBytes U8(byte v) { _writer.Write(v); return this; }
    public GgufBytes U32(uint v) { _writer.Write(v); return this; }
    public GgufBytes U64(ulong v) { _writer.Write(v); return this; }
    public GgufBytes I64(long v) { _writer.Write(v); return this; }

    public GgufBytes Str(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        return U64((ulong)bytes.Length).Raw(bytes);
    }

    /// <summary>A key with a UINT32 (type 4) value.</summary>
    public GgufBytes KvU32(string key, uint value) => Str(key).U32(4).U32(value);

    /// <summary>A key with a STRING (type 8) value.</summary>
    public GgufBytes KvString(string key, string value) => Str(key).U32(8).Str(value);

    /// <summary>name, n_dims, ne[], ggml type id, offset.</summary>
    public GgufBytes TensorInfo(string name, long[] ne, uint type, ulong offset)
    {
        Str(name).U32((uint)ne.Length);
        foreach (long n in ne)
        {
            I64(n);
        }
        return U32(type).U64(offset);
    }

    /// <summary>Zero bytes up to the next multiple of <paramref name="alignment"/>.</summary>
    public GgufBytes PadTo(int alignment)
    {
        while (_stream.Length % alignment != 0)
        {
            _writer.Write((byte)0);
        }
        return this;
    }

    public byte[] ToArray()
    {
        _writer.Flush();
        return _stream.ToArray();
    }

    public string WriteTo(string path)
    {
        System.IO.File.WriteAllBytes(path, ToArray());
        return path;
    }
}
