using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Audio.Tests.Wav;

/// <summary>Builds WAV files byte by byte, so tests control every header field and chunk.</summary>
public sealed class WavBytes
{
    private readonly List<byte[]> _chunks = [];

    public string RiffId { get; set; } = "RIFF";

    /// <summary>Overrides the RIFF size field (default: the true size).</summary>
    public uint? RiffSize { get; set; }

    public WavBytes Chunk(string id, byte[] body, uint? declaredSize = null, bool pad = true)
    {
        var chunk = new List<byte>();
        chunk.AddRange(Encoding.ASCII.GetBytes(id));
        chunk.AddRange(U32(declaredSize ?? (uint)body.Length));
        chunk.AddRange(body);
        if (pad && body.Length % 2 == 1)
            chunk.Add(0);
        _chunks.Add([.. chunk]);
        return this;
    }

    public WavBytes Raw(byte[] bytes)
    {
        _chunks.Add(bytes);
        return this;
    }

    /// <summary>A plain 16-byte WAVEFORMAT body.</summary>
    public static byte[] Fmt(int tag, int channels, int rate, int bits, int? blockAlign = null)
    {
        int align = blockAlign ?? channels * bits / 8;
        return [.. U16(tag), .. U16(channels), .. U32((uint)rate), .. U32((uint)(rate * align)), .. U16(align), .. U16(bits)];
    }

    /// <summary>A 40-byte WAVE_FORMAT_EXTENSIBLE body with sub-format code <paramref name="subFormat"/>.</summary>
    public static byte[] FmtExtensible(int subFormat, int channels, int rate, int bits, int validBits, uint mask)
    {
        byte[] guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        return [.. Fmt(0xFFFE, channels, rate, bits), .. U16(22), .. U16(validBits), .. U32(mask), .. U16(subFormat), .. guidTail];
    }

    public static byte[] Pcm16(params short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        return bytes;
    }

    public static byte[] Float32(params float[] samples)
    {
        var bytes = new byte[samples.Length * 4];
        for (int i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), samples[i]);
        return bytes;
    }

    public byte[] Build()
    {
        int bodyLength = 4 + _chunks.Sum(c => c.Length);
        var file = new List<byte>();
        file.AddRange(Encoding.ASCII.GetBytes(RiffId));
        file.AddRange(U32(RiffSize ?? (uint)bodyLength));
        file.AddRange(Encoding.ASCII.GetBytes("WAVE"));
        foreach (byte[] c in _chunks)
            file.AddRange(c);
        return [.. file];
    }

    public static byte[] U16(int v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        return b;
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }
}
