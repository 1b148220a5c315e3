using System.Buffers.Binary;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Codes;

/// <summary>Every way a codes file can be broken gives an <see cref="AudioCodesFormatException"/> that names the problem.</summary>
public sealed class AudioCodesCorruptInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _valid;

    public AudioCodesCorruptInputTests()
    {
        _valid = _dir.File("valid.codes");
        var codes = Enumerable.Range(0, 4).Select(q => Enumerable.Range(0, 25).Select(t => (t + q) % 64).ToArray()).ToArray();
        AudioCodesFile.Write(_valid, new AudioCodesFormat(32000, 640, 64, 4, 1), codes, 16000);
    }

    public void Dispose() => _dir.Dispose();

    private string Corrupt(Action<byte[]> change, int? length = null)
    {
        var bytes = File.ReadAllBytes(_valid);
        change(bytes);
        var path = _dir.File($"{Guid.NewGuid():N}.codes");
        File.WriteAllBytes(path, length is { } n ? bytes[..n] : bytes);
        return path;
    }

    private static string ReadError(string path) =>
        Assert.Throws<AudioCodesFormatException>(() => AudioCodesFile.Read(path)).Message;

    [Fact]
    public void The_valid_file_reads()
    {
        var read = AudioCodesFile.Read(_valid);
        Assert.Equal(25, read.Header.FrameCount);
        Assert.Equal(3, read.Codes[3][0]);
    }

    [Fact]
    public void A_wav_file_is_not_a_codes_file()
    {
        var path = _dir.File("x.wav");
        File.WriteAllBytes(path, "RIFF\x24\0\0\0WAVEfmt "u8.ToArray());
        var message = ReadError(path);
        Assert.Contains("not an audio codes file", message);
        Assert.Contains("'RIFF$...'", message);
        Assert.Contains(path, message);
    }

    [Fact]
    public void An_empty_file_is_not_a_codes_file() =>
        Assert.Contains("not an audio codes file", ReadError(Corrupt(_ => { }, length: 0)));

    [Fact]
    public void A_cut_header_is_truncated() =>
        Assert.Contains("truncated: the file has 40 bytes, the header alone needs 64", ReadError(Corrupt(_ => { }, length: 40)));

    [Fact]
    public void Missing_frames_are_counted()
    {
        // 25 frames of 4 codes = 200 bytes; keep 12 whole frames and half of the 13th
        var message = ReadError(Corrupt(_ => { }, length: 64 + 12 * 8 + 3));
        Assert.Contains("header says 25 frames", message);
        Assert.Contains("holds 12 whole frames", message);
    }

    [Fact]
    public void Trailing_bytes_are_refused() =>
        Assert.Contains("2 bytes follow the last of the 25 frames", ReadError(AppendBytes(2)));

    private string AppendBytes(int n)
    {
        var path = Corrupt(_ => { });
        using var s = new FileStream(path, FileMode.Append);
        s.Write(new byte[n]);
        return path;
    }

    [Fact]
    public void A_code_outside_the_codebook_names_codebook_and_frame()
    {
        // frame 17, codebook 2 sits at 64 + (17 * 4 + 2) * 2
        var message = ReadError(Corrupt(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(64 + (17 * 4 + 2) * 2), 64)));
        Assert.Contains("codebook 2, frame 17: code 64 is outside the codebook (size 64)", message);
    }

    [Fact]
    public void A_newer_version_asks_for_an_update() =>
        Assert.Contains("version 2 is newer", ReadError(Corrupt(b => b[8] = 2)));

    [Fact]
    public void A_frame_rate_that_disagrees_with_rate_and_hop_is_refused() =>
        Assert.Contains("frame rate 51/1 does not equal", ReadError(Corrupt(b => b[16] = 51)));

    [Fact]
    public void A_sample_count_the_frames_cannot_hold_is_refused() =>
        Assert.Contains("sample count 16001 does not fit 25 frames",
            ReadError(Corrupt(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(40), 16001))));

    [Fact]
    public void A_zero_hop_is_refused() =>
        Assert.Contains("hop length 0 must be positive", ReadError(Corrupt(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), 0))));

    [Fact]
    public void A_codebook_size_beyond_uint16_is_refused() =>
        Assert.Contains("codebook size 70000 is outside 2..65536",
            ReadError(Corrupt(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), 70000))));

    [Fact]
    public void Nonzero_reserved_fields_are_refused() =>
        Assert.Contains("reserved header fields", ReadError(Corrupt(b => b[60] = 1)));

    [Fact]
    public void A_missing_file_is_a_file_not_found() =>
        Assert.Throws<FileNotFoundException>(() => AudioCodesFile.Read(_dir.File("absent.codes")));
}
