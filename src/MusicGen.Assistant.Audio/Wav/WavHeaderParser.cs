using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Audio.Wav;

/// <summary>Where a WAV file's audio lies and how it is encoded.</summary>
internal sealed record WavLayout(WavFormat Format, long DataOffset, long DataLength);

/// <summary>
/// Walks the RIFF chunk list of a WAV (or RF64/BW64) file: finds 'fmt ' and 'data' in any order, skips every other
/// chunk (honouring the pad byte after odd sizes) and checks the header against the file's real length.
/// </summary>
internal static class WavHeaderParser
{
    private const uint StreamedSize = 0xFFFFFFFF;

    // KSDATAFORMAT_SUBTYPE_* GUIDs share this tail after the 2-byte format code (and 2 zero bytes).
    private static ReadOnlySpan<byte> SubFormatTail =>
        [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static WavLayout Parse(Stream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> head = stackalloc byte[FileSignature.BytesNeeded];
        stream.Position = 0;
        int headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..headLength];
        bool isRiff = headLength >= 12 && Id(head, 8) == "WAVE" && Id(head, 0) is "RIFF" or "RF64" or "BW64";
        if (!isRiff)
            throw new AudioFormatException(path, $"not a RIFF/WAVE file: {FileSignature.Describe(head)}");
        bool isRf64 = Id(head, 0) != "RIFF";

        Span<byte> chunkHeader = stackalloc byte[8];
        var seen = new List<string>();
        long? rf64DataSize = null;
        RawFormat? fmt = null;
        long dataOffset = -1, dataLength = -1;
        bool dataToEnd = false;
        long pos = 12;
        while (pos + 8 <= fileLength)
        {
            ReadAt(stream, pos, chunkHeader);
            string id = Id(chunkHeader, 0);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            long body = pos + 8;
            long available = fileLength - body;
            seen.Add(id);

            if (id == "data")
            {
                dataOffset = body;
                if (isRf64 && size == StreamedSize && rf64DataSize is long big)
                    dataLength = big;
                else
                    dataLength = size;
                bool sizeUnknown = (size == StreamedSize && rf64DataSize is null)
                    || (size == 0 && available > 0 && !LooksLikeChunkAt(stream, body, fileLength));
                if (sizeUnknown)
                {
                    // Written by a streaming tool that never came back to fill in the size: the audio runs to the end.
                    dataLength = available;
                    dataToEnd = true;
                }
                else if (dataLength > available)
                {
                    throw new AudioFormatException(path,
                        $"truncated: header says {dataLength} bytes of audio, file has {available}");
                }
                if (fmt is not null)
                    break;
                pos = body + dataLength + (dataLength & 1);
                continue;
            }

            if (size > available)
            {
                throw new AudioFormatException(path,
                    $"truncated or corrupt: chunk '{Printable(id)}' at offset {pos} declares {size} bytes but only {available} remain");
            }
            if (id == "fmt ")
            {
                if (size < 16)
                    throw new AudioFormatException(path, $"'fmt ' chunk is {size} bytes; at least 16 are required");
                var bytes = new byte[Math.Min(size, 64u)];
                ReadAt(stream, body, bytes);
                fmt = new RawFormat(bytes);
                if (dataOffset >= 0)
                    break;
            }
            else if (id == "ds64" && isRf64)
            {
                if (size < 24)
                    throw new AudioFormatException(path, $"RF64 'ds64' chunk is {size} bytes; at least 24 are required");
                var bytes = new byte[24];
                ReadAt(stream, body, bytes);
                rf64DataSize = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
            }
            pos = body + size + (size & 1);
        }

        string chunkList = seen.Count == 0 ? "none" : string.Join(", ", seen.Select(s => $"'{Printable(s)}'"));
        if (fmt is null)
            throw new AudioFormatException(path, $"missing 'fmt ' chunk (chunks found: {chunkList})");
        if (dataOffset < 0)
            throw new AudioFormatException(path, $"missing 'data' chunk (chunks found: {chunkList})");

        (WavSampleFormat sampleFormat, int tag, int validBits, uint mask) = Validate(fmt, path);
        int blockAlign = fmt.Channels * sampleFormat.BytesPerSample();
        if (dataLength % blockAlign != 0)
        {
            if (!dataToEnd)
                throw new AudioFormatException(path,
                    $"data chunk size {dataLength} is not a whole number of {blockAlign}-byte frames");
            dataLength -= dataLength % blockAlign; // a streamed recording cut mid-frame: drop the partial frame
        }
        var format = new WavFormat((int)fmt.SampleRate, fmt.Channels, sampleFormat, dataLength / blockAlign,
            tag, validBits, mask, isRf64);
        return new WavLayout(format, dataOffset, dataLength);
    }

    private static (WavSampleFormat, int Tag, int ValidBits, uint Mask) Validate(RawFormat fmt, string path)
    {
        if (fmt.Channels == 0)
            throw new AudioFormatException(path, "zero channels in 'fmt ' chunk");
        if (fmt.Channels > AudioLimits.MaxChannels)
            throw new AudioFormatException(path,
                $"{fmt.Channels} channels in 'fmt ' chunk; at most {AudioLimits.MaxChannels} are supported");
        if (fmt.SampleRate == 0)
            throw new AudioFormatException(path, "zero sample rate in 'fmt ' chunk");
        if (fmt.SampleRate is < AudioLimits.MinSampleRate or > AudioLimits.MaxSampleRate)
            throw new AudioFormatException(path,
                $"sample rate {fmt.SampleRate} Hz is not supported: supported input rates are {AudioLimits.MinSampleRate} to {AudioLimits.MaxSampleRate} Hz");

        int code = fmt.FormatTag;
        int validBits = fmt.BitsPerSample;
        uint mask = 0;
        if (code == WavFormat.FormatTagExtensible)
        {
            if (fmt.Bytes.Length < 40 || fmt.ExtensionSize < 22)
                throw new AudioFormatException(path,
                    $"WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is {fmt.Bytes.Length} bytes with cbSize {fmt.ExtensionSize}; expected 40 and 22");
            ReadOnlySpan<byte> guid = fmt.Bytes.AsSpan(24, 16);
            if (!guid[2..4].SequenceEqual(new byte[2]) || !guid[4..].SequenceEqual(SubFormatTail))
                throw new AudioFormatException(path,
                    $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)}; only PCM and IEEE float are supported");
            code = BinaryPrimitives.ReadUInt16LittleEndian(guid);
            int declaredValid = BinaryPrimitives.ReadUInt16LittleEndian(fmt.Bytes.AsSpan(18));
            mask = BinaryPrimitives.ReadUInt32LittleEndian(fmt.Bytes.AsSpan(20));
            if (declaredValid > fmt.BitsPerSample)
                throw new AudioFormatException(path,
                    $"valid bits per sample {declaredValid} exceed the {fmt.BitsPerSample}-bit container");
            if (declaredValid != 0)
                validBits = declaredValid;
        }

        WavSampleFormat? sampleFormat = (code, fmt.BitsPerSample) switch
        {
            (WavFormat.FormatTagPcm, 8) => WavSampleFormat.Pcm8,
            (WavFormat.FormatTagPcm, 16) => WavSampleFormat.Pcm16,
            (WavFormat.FormatTagPcm, 24) => WavSampleFormat.Pcm24,
            (WavFormat.FormatTagPcm, 32) => WavSampleFormat.Pcm32,
            (WavFormat.FormatTagIeeeFloat, 32) => WavSampleFormat.Float32,
            (WavFormat.FormatTagIeeeFloat, 64) => WavSampleFormat.Float64,
            _ => null,
        };
        if (sampleFormat is null)
        {
            if (code == WavFormat.FormatTagPcm)
                throw new AudioFormatException(path,
                    $"unsupported bit depth: PCM with {fmt.BitsPerSample} bits per sample (supported: 8, 16, 24, 32)");
            if (code == WavFormat.FormatTagIeeeFloat)
                throw new AudioFormatException(path,
                    $"unsupported bit depth: IEEE float with {fmt.BitsPerSample} bits per sample (supported: 32, 64)");
            throw new AudioFormatException(path,
                $"unsupported WAV format code 0x{code:X4} ({FormatName(code)}); supported: PCM (1), IEEE float (3) " +
                "and WAVE_FORMAT_EXTENSIBLE (0xFFFE) with a PCM or float sub-format");
        }
        int expectedAlign = fmt.Channels * sampleFormat.Value.BytesPerSample();
        if (fmt.BlockAlign != expectedAlign)
            throw new AudioFormatException(path,
                $"block align {fmt.BlockAlign} is inconsistent with {fmt.Channels} channel(s) × {fmt.BitsPerSample} bits " +
                $"(expected {expectedAlign})");
        return (sampleFormat.Value, fmt.FormatTag, validBits, mask);
    }

    /// <summary>True when 8 bytes at <paramref name="offset"/> read as a plausible chunk header (printable id, size that fits).</summary>
    private static bool LooksLikeChunkAt(Stream stream, long offset, long fileLength)
    {
        if (offset + 8 > fileLength)
            return false;
        Span<byte> header = stackalloc byte[8];
        ReadAt(stream, offset, header);
        foreach (byte b in header[..4])
            if (b is < 0x20 or >= 0x7F)
                return false;
        return BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) <= fileLength - offset - 8;
    }

    private static void ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        stream.Position = offset;
        stream.ReadExactly(buffer);
    }

    private static string Id(ReadOnlySpan<byte> bytes, int offset) => Encoding.Latin1.GetString(bytes.Slice(offset, 4));

    private static string Printable(string id)
    {
        var sb = new StringBuilder();
        foreach (char ch in id)
            sb.Append(ch is >= ' ' and < '\x7F' ? ch.ToString() : $"\\x{(int)ch:X2}");
        return sb.ToString();
    }

    private static string FormatName(int code) => code switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "µ-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG",
        0x0055 => "MPEG Layer III",
        0x00FF => "AAC",
        0x0161 => "Windows Media Audio",
        0x2000 => "AC-3",
        0xF1AC => "FLAC",
        _ => "unknown",
    };

    /// <summary>The common 16-byte WAVEFORMAT fields plus whatever extension follows.</summary>
    private sealed class RawFormat(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;
        public int FormatTag => BinaryPrimitives.ReadUInt16LittleEndian(Bytes);
        public int Channels => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(2));
        public uint SampleRate => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(4));
        public int BlockAlign => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(12));
        public int BitsPerSample => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(14));
        public int ExtensionSize => Bytes.Length >= 18 ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(16)) : 0;
    }
}
