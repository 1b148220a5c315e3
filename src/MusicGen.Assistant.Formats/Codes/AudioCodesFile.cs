using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Formats.Codes;

/// <summary>
/// The <c>.codes</c> file: discrete codec codes (EnCodec) of one piece of audio, enough to decode it again.
/// <para>Layout, all integers little-endian, version 1:</para>
/// <code>
/// offset size field
///   0     8  magic "MGACODES" (ASCII)
///   8     2  version (uint16) = 1
///  10     2  header length in bytes (uint16) = 64; the codes start here
///  12     4  sample rate, Hz (uint32)
///  16     4  frame rate numerator   (uint32) \ frames per second = num / den = sample rate / hop,
///  20     4  frame rate denominator (uint32) / in lowest terms (32 kHz, hop 640: 50 / 1)
///  24     4  hop length, samples per frame (uint32)
///  28     4  codebook size (uint32, 2..65536)
///  32     2  codebooks per frame, K (uint16, >= 1)
///  34     2  audio channels the codes decode to (uint16, >= 1; 1 for the 32 kHz EnCodec)
///  36     4  flags (uint32) = 0, reserved
///  40     8  original sample count (uint64): decoding trims its output to this; frames = ceil(samples / hop)
///  48     8  frame count, T (uint64)
///  56     8  reserved (uint64) = 0
///  64  2·K·T codes, FRAME-MAJOR: frame 0's K codes (codebook 0 first), then frame 1's, ... each a uint16
/// </code>
/// <para>Frame-major order lets a writer append frames as a codec produces them and a reader fetch any frame range
/// with one read. The file length must be exactly 64 + 2·K·T. Writers patch the sample and frame counts at the end
/// and only then move the file into place, so a failed run never leaves a half file.</para>
/// </summary>
public static class AudioCodesFile
{
    public const string Magic = "MGACODES";
    public const ushort Version = 1;
    public const int HeaderLength = 64;
    public const int BytesPerCode = 2;

    /// <summary>Reads and validates a whole codes file: header, length, and every code against the codebook size.</summary>
    /// <exception cref="AudioCodesFormatException">The file is not a valid codes file (the message says why).</exception>
    public static AudioCodes Read(string path)
    {
        using var reader = AudioCodesReader.Open(path);
        return new AudioCodes(reader.Header, reader.ReadAll());
    }

    /// <summary>Reads only the header (validating it and the file length).</summary>
    public static AudioCodesHeader ReadHeader(string path)
    {
        using var reader = AudioCodesReader.Open(path);
        return reader.Header;
    }

    /// <summary>Writes codes held in memory (one array per codebook, one code per frame) in one call.</summary>
    public static void Write(string path, AudioCodesFormat format, int[][] codes, long sampleCount)
    {
        using var writer = AudioCodesWriter.Create(path, format);
        writer.Append(codes);
        writer.Complete(sampleCount);
    }

    internal static byte[] EncodeHeader(AudioCodesHeader header)
    {
        var f = header.Format;
        var bytes = new byte[HeaderLength];
        var span = bytes.AsSpan();
        Encoding.ASCII.GetBytes(Magic, span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)f.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)f.FrameRate.Numerator);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)f.FrameRate.Denominator);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)f.HopLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)f.CodebookSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)f.Codebooks);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)f.Channels);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], (ulong)header.SampleCount);
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], (ulong)header.FrameCount);
        return bytes;
    }

    /// <summary>Parses and checks a header; <paramref name="fileLength"/> is checked against the frame count.</summary>
    internal static AudioCodesHeader DecodeHeader(ReadOnlySpan<byte> head, long fileLength, string path)
    {
        AudioCodesFormatException Bad(string problem) => new(path, problem);
        if (head.Length < Magic.Length || Encoding.ASCII.GetString(head[..Magic.Length]) != Magic)
            throw Bad($"not an audio codes file: it does not start with the magic '{Magic}' (first bytes: {Preview(head)})");
        if (head.Length < HeaderLength)
            throw Bad($"truncated: the file has {fileLength} bytes, the header alone needs {HeaderLength}");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(head[8..]);
        if (version != Version)
            throw Bad(version > Version
                ? $"version {version} is newer than this program reads (version {Version}); update mga"
                : $"version {version} is not a valid version (this program reads version {Version})");
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head[10..]);
        if (headerLength != HeaderLength) throw Bad($"header length {headerLength}, version {Version} headers are {HeaderLength} bytes");

        var sampleRate = ReadInt(head, 12, "sample rate", path);
        var numerator = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]);
        var denominator = BinaryPrimitives.ReadUInt32LittleEndian(head[20..]);
        var format = new AudioCodesFormat(sampleRate, ReadInt(head, 24, "hop length", path), ReadInt(head, 28, "codebook size", path),
            BinaryPrimitives.ReadUInt16LittleEndian(head[32..]), BinaryPrimitives.ReadUInt16LittleEndian(head[34..]));
        if (format.Problem() is { } problem) throw Bad(problem);
        if (numerator != format.FrameRate.Numerator || denominator != format.FrameRate.Denominator)
            throw Bad($"frame rate {numerator}/{denominator} does not equal sample rate / hop length = {format.SampleRate}/{format.HopLength} " +
                      $"= {format.FrameRate.Numerator}/{format.FrameRate.Denominator}");
        if (BinaryPrimitives.ReadUInt32LittleEndian(head[36..]) != 0 || BinaryPrimitives.ReadUInt64LittleEndian(head[56..]) != 0)
            throw Bad("reserved header fields are not zero (written by a newer or different program?)");

        var samples = BinaryPrimitives.ReadUInt64LittleEndian(head[40..]);
        var frames = BinaryPrimitives.ReadUInt64LittleEndian(head[48..]);
        var frameBytes = (ulong)(format.Codebooks * BytesPerCode);
        var available = (ulong)(fileLength - HeaderLength);
        if (frames > available / frameBytes)
            throw Bad($"truncated: the header says {frames} frames of {format.Codebooks} codebooks ({(UInt128)frames * frameBytes} bytes of codes), " +
                      $"the file holds {available / frameBytes} whole frames ({available} bytes)");
        if (available != frames * frameBytes)
            throw Bad($"{available - frames * frameBytes} bytes follow the last of the {frames} frames the header announces");
        if (samples > long.MaxValue || !format.FitsSampleCount((long)frames, (long)samples))
            throw Bad($"sample count {samples} does not fit {frames} frames of {format.HopLength} samples " +
                      $"(expected {((long)frames - 1) * format.HopLength + 1}..{(long)frames * format.HopLength})");
        return new AudioCodesHeader(format, (long)samples, (long)frames);
    }

    private static int ReadInt(ReadOnlySpan<byte> head, int offset, string field, string path)
    {
        var v = BinaryPrimitives.ReadUInt32LittleEndian(head[offset..]);
        if (v > int.MaxValue) throw new AudioCodesFormatException(path, $"{field} {v} is out of range");
        return (int)v;
    }

    private static string Preview(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return "none, the file is empty";
        var shown = head[..Math.Min(head.Length, 8)];
        var text = new string(shown.ToArray().Select(b => b is >= 0x20 and < 0x7F ? (char)b : '.').ToArray());
        return $"{Convert.ToHexString(shown)} '{text}'";
    }
}

/// <summary>A codes file read whole: its header and one array of codes per codebook (codebook-major in memory).</summary>
public sealed record AudioCodes(AudioCodesHeader Header, int[][] Codes);
