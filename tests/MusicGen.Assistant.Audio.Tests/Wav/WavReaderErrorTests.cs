using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Wav;

public class WavReaderErrorTests
{
    private static AudioFormatException ReadFails(byte[] bytes, string name = "bad.wav")
    {
        using var dir = new TempDirectory();
        string path = dir.Write(name, bytes);
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"'{path}': ", e.Message);
        return e;
    }

    private static byte[] Wav(byte[] fmt, byte[] data) => new WavBytes().Chunk("fmt ", fmt).Chunk("data", data).Build();

    [Theory]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0x23, 0x54, 0x53, 0x53, 0x45 }, "looks like MP3 (ID3 tag)")]
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0 }, "looks like MP3 (MPEG audio frame")]
    [InlineData(new byte[] { 0xFF, 0xF1, 0x50, 0x80, 0, 0, 0, 0, 0, 0, 0, 0 }, "looks like AAC (ADTS stream)")]
    [InlineData(new byte[] { 0x66, 0x4C, 0x61, 0x43, 0, 0, 0, 0x22, 0x10, 0, 0x10, 0 }, "looks like FLAC (first bytes: 66 4C 61 43")]
    [InlineData(new byte[] { 0x4F, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0, 0, 0 }, "looks like OGG")]
    [InlineData(new byte[] { 0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x4D, 0x34, 0x41, 0x20 }, "looks like MP4/M4A")]
    [InlineData(new byte[] { 0x46, 0x4F, 0x52, 0x4D, 0, 0, 0, 4, 0x41, 0x49, 0x46, 0x46 }, "looks like AIFF (AIFF)")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x41, 0x56, 0x49, 0x20 }, "RIFF container of type 'AVI '")]
    [InlineData(new byte[] { 0x1A, 0x45, 0xDF, 0xA3, 1, 0, 0, 0, 0, 0, 0, 0 }, "looks like Matroska/WebM")]
    [InlineData(new byte[] { 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x0A }, "looks like text")]
    [InlineData(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B }, "unknown format (first bytes: 00 01 02 03")]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 4, 0 }, "RIFF header cut short")]
    public void NotAWavFileSaysWhatItLooksLike(byte[] head, string expected)
    {
        AudioFormatException e = ReadFails(head, "song.wav");
        Assert.Contains("not a RIFF/WAVE file", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFmtChunk()
    {
        AudioFormatException e = ReadFails(new WavBytes().Chunk("LIST", new byte[4]).Chunk("data", new byte[4]).Build());
        Assert.Contains("missing 'fmt ' chunk (chunks found: 'LIST', 'data')", e.Message);
    }

    [Fact]
    public void MissingDataChunk()
    {
        AudioFormatException e = ReadFails(new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 8000, 16)).Build());
        Assert.Contains("missing 'data' chunk (chunks found: 'fmt ')", e.Message);
    }

    [Theory]
    [InlineData(0x0055, "unsupported WAV format code 0x0055 (MPEG Layer III)")]
    [InlineData(0x0002, "unsupported WAV format code 0x0002 (Microsoft ADPCM)")]
    [InlineData(0x0007, "unsupported WAV format code 0x0007 (µ-law)")]
    [InlineData(0x1234, "unsupported WAV format code 0x1234 (unknown)")]
    public void UnsupportedFormatCode(int tag, string expected)
    {
        Assert.Contains(expected, ReadFails(Wav(WavBytes.Fmt(tag, 1, 8000, 16), new byte[4])).Message);
    }

    [Theory]
    [InlineData(1, 12, "unsupported bit depth: PCM with 12 bits per sample")]
    [InlineData(1, 64, "unsupported bit depth: PCM with 64 bits per sample")]
    [InlineData(3, 16, "unsupported bit depth: IEEE float with 16 bits per sample")]
    public void UnsupportedBitDepth(int tag, int bits, string expected)
    {
        Assert.Contains(expected, ReadFails(Wav(WavBytes.Fmt(tag, 1, 8000, bits, blockAlign: 2), new byte[4])).Message);
    }

    [Fact]
    public void UnsupportedExtensibleSubFormat()
    {
        byte[] fmt = WavBytes.FmtExtensible(0x0055, 1, 8000, 16, 16, 4);
        Assert.Contains("unsupported WAV format code 0x0055", ReadFails(Wav(fmt, new byte[4])).Message);
        fmt[^1] = 0x72; // not the KSDATAFORMAT GUID family at all
        Assert.Contains("unsupported WAVE_FORMAT_EXTENSIBLE sub-format", ReadFails(Wav(fmt, new byte[4])).Message);
    }

    [Fact]
    public void BlockAlignInconsistent()
    {
        AudioFormatException e = ReadFails(Wav(WavBytes.Fmt(1, 2, 8000, 16, blockAlign: 2), new byte[8]));
        Assert.Contains("block align 2 is inconsistent with 2 channel(s) × 16 bits (expected 4)", e.Message);
    }

    [Fact]
    public void TruncatedDataChunk()
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Chunk("data", new byte[1000], declaredSize: 4000)
            .Build();
        Assert.Contains("truncated: header says 4000 bytes of audio, file has 1000", ReadFails(bytes).Message);
    }

    [Fact]
    public void TruncatedChunkBeforeData()
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Chunk("LIST", new byte[10], declaredSize: 5000)
            .Build();
        Assert.Contains("chunk 'LIST' at offset 36 declares 5000 bytes but only 10 remain", ReadFails(bytes).Message);
    }

    [Fact]
    public void TruncatedFmtChunk()
    {
        byte[] bytes = [.. new WavBytes().Build(), .. "fmt "u8, .. WavBytes.U32(16), 1, 0, 2];
        Assert.Contains("chunk 'fmt ' at offset 12 declares 16 bytes but only 3 remain", ReadFails(bytes).Message);
    }

    [Fact]
    public void FmtChunkTooShort()
    {
        Assert.Contains("'fmt ' chunk is 14 bytes; at least 16 are required",
            ReadFails(Wav(WavBytes.Fmt(1, 1, 8000, 16)[..14], new byte[2])).Message);
    }

    [Fact]
    public void DataNotAWholeNumberOfFrames()
    {
        Assert.Contains("data chunk size 7 is not a whole number of 4-byte frames",
            ReadFails(Wav(WavBytes.Fmt(1, 2, 8000, 16), new byte[7])).Message);
    }

    [Fact]
    public void ZeroChannels()
    {
        Assert.Contains("zero channels", ReadFails(Wav(WavBytes.Fmt(1, 0, 8000, 16), new byte[4])).Message);
    }

    [Fact]
    public void ZeroSampleRate()
    {
        Assert.Contains("zero sample rate", ReadFails(Wav(WavBytes.Fmt(1, 1, 0, 16), new byte[4])).Message);
    }

    [Fact]
    public void ExtensibleHeaderTooShort()
    {
        byte[] fmt = [.. WavBytes.Fmt(0xFFFE, 1, 8000, 16), .. WavBytes.U16(0)];
        Assert.Contains("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is 18 bytes with cbSize 0; expected 40 and 22",
            ReadFails(Wav(fmt, new byte[4])).Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => WavReader.Read(dir.File("nope.wav")));
    }

    [Fact]
    public void FileCutDuringStreamingIsReported()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cut.wav");
        WavWriter.Write(path, new AudioBuffer(8000, 1, 1000), WavSampleFormat.Pcm16);
        using WavFileReader reader = WavReader.Open(path);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            f.SetLength(44 + 500);
        var e = Assert.Throws<AudioFormatException>(() => reader.ReadToEnd());
        Assert.Contains("truncated: the file ended 1500 bytes early", e.Message);
    }
}
