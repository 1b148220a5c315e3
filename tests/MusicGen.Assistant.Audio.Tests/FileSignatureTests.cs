namespace MusicGen.Assistant.Audio.Tests;

public class FileSignatureTests
{
    [Theory]
    [InlineData("RIFF\0\0\0\0WAVEfmt ", "WAV")]
    [InlineData("RF64\0\0\0\0WAVEds64", "WAV")]
    [InlineData("ID3\u0004\0\0", "MP3 (ID3 tag)")]
    [InlineData("fLaC\0\0\0\u0022", "FLAC")]
    [InlineData("OggS\0\u0002", "OGG")]
    [InlineData("\0\0\0\u0018ftypisom", "MP4/M4A (ISO base media 'ftyp')")]
    [InlineData("FORM\0\0\0\0AIFC", "AIFF (AIFC)")]
    [InlineData("caff\0\u0001", "Core Audio Format (CAF)")]
    [InlineData("#!AMR\n", "AMR")]
    [InlineData("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR", "PNG image")]
    [InlineData("\u00ff\u00d8\u00ff\u00e0\0\u0010JFIF", "JPEG image")]
    [InlineData("GIF89a\u0010\0", "GIF image")]
    [InlineData("RIFF\0\0\0\0WEBPVP8L", "WebP image")]
    [InlineData("BM\u0036\u0010\0\0\0\0\0\0\u0036\0\0\0", "BMP image")]
    [InlineData("BM is also how some notes start", "text")]
    [InlineData("", "an empty file")]
    public void IdentifiesCommonContainers(string head, string expected)
    {
        byte[] bytes = head.Select(c => (byte)c).ToArray();
        Assert.Equal(expected, FileSignature.Identify(bytes));
    }

    [Fact]
    public void UnknownBinaryIsNullAndDescribedInHex()
    {
        byte[] bytes = [0x00, 0xC3, 0x10, 0x7F, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D];
        Assert.Null(FileSignature.Identify(bytes));
        Assert.Equal("unknown format (first bytes: 00 C3 10 7F 80 01 02 03 04 05 06 07 08 09 0A 0B)", FileSignature.Describe(bytes));
    }
}
