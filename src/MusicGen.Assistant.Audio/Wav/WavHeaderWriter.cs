using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Audio.Wav;

/// <summary>
/// Builds the bytes before the audio of a WAV file. Its length depends only on format and channel count, so a
/// streaming writer can write it first with zero frames and overwrite it in place once the length is known.
/// <para>Layout: plain PCM (tag 1) or IEEE float (tag 3) for mono/stereo, WAVE_FORMAT_EXTENSIBLE for more channels
/// (where a speaker mask is expected); float files carry the 'fact' chunk the spec asks of non-PCM formats.</para>
/// </summary>
internal static class WavHeaderWriter
{
    /// <summary>Largest audio payload a RIFF (32-bit size) file can hold with this header.</summary>
    public static long MaxDataBytes(int headerLength) => uint.MaxValue - (headerLength - 8) - 1;

    public static byte[] Build(int sampleRate, int channelCount, WavSampleFormat format, long frames)
    {
        bool extensible = channelCount > 2;
        bool isFloat = format.IsFloat();
        int fmtSize = extensible ? 40 : isFloat ? 18 : 16;
        int factSize = isFloat ? 12 : 0;
        int headerLength = 12 + 8 + fmtSize + factSize + 8;
        int blockAlign = channelCount * format.BytesPerSample();
        long dataBytes = frames * blockAlign;
        long riffSize = headerLength - 8 + dataBytes + (dataBytes & 1);

        var header = new byte[headerLength];
        Span<byte> h = header;
        int pos = 0;
        PutId(h, ref pos, "RIFF");
        PutU32(h, ref pos, (uint)riffSize);
        PutId(h, ref pos, "WAVE");

        PutId(h, ref pos, "fmt ");
        PutU32(h, ref pos, (uint)fmtSize);
        int code = isFloat ? WavFormat.FormatTagIeeeFloat : WavFormat.FormatTagPcm;
        PutU16(h, ref pos, extensible ? WavFormat.FormatTagExtensible : code);
        PutU16(h, ref pos, channelCount);
        PutU32(h, ref pos, (uint)sampleRate);
        PutU32(h, ref pos, (uint)((long)sampleRate * blockAlign));
        PutU16(h, ref pos, blockAlign);
        PutU16(h, ref pos, format.BitsPerSample());
        if (extensible)
        {
            PutU16(h, ref pos, 22);
            PutU16(h, ref pos, format.BitsPerSample());
            PutU32(h, ref pos, DefaultChannelMask(channelCount));
            PutU16(h, ref pos, code);
            byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(h[pos..]);
            pos += tail.Length;
        }
        else if (isFloat)
        {
            PutU16(h, ref pos, 0);
        }

        if (isFloat)
        {
            PutId(h, ref pos, "fact");
            PutU32(h, ref pos, 4);
            PutU32(h, ref pos, (uint)Math.Min(frames, uint.MaxValue));
        }

        PutId(h, ref pos, "data");
        PutU32(h, ref pos, (uint)dataBytes);
        return header;
    }

    /// <summary>The usual speaker layout for common channel counts (WAVEFORMATEXTENSIBLE dwChannelMask); 0 = unassigned.</summary>
    public static uint DefaultChannelMask(int channelCount) => channelCount switch
    {
        1 => 0x4,     // FC
        2 => 0x3,     // FL FR
        3 => 0x7,     // FL FR FC
        4 => 0x33,    // FL FR BL BR
        5 => 0x37,    // FL FR FC BL BR
        6 => 0x3F,    // 5.1
        7 => 0x13F,   // 6.1
        8 => 0x63F,   // 7.1
        _ => 0,
    };

    private static void PutId(Span<byte> h, ref int pos, string id)
    {
        Encoding.ASCII.GetBytes(id, h[pos..]);
        pos += 4;
    }

    private static void PutU16(Span<byte> h, ref int pos, int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(h[pos..], (ushort)value);
        pos += 2;
    }

    private static void PutU32(Span<byte> h, ref int pos, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(h[pos..], value);
        pos += 4;
    }
}
