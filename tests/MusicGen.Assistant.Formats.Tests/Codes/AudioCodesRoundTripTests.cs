using System.Buffers.Binary;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Codes;

public class AudioCodesRoundTripTests
{
    private static readonly AudioCodesFormat Encodec32 = new(32000, 640, 2048, 4, 1);

    private static int[][] Pattern(int codebooks, int frames, int size) =>
        Enumerable.Range(0, codebooks).Select(q => Enumerable.Range(0, frames).Select(t => (t * 7 + q * 131) % size).ToArray()).ToArray();

    [Fact]
    public void Codes_written_in_chunks_read_back_identically()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.codes");
        var codes = Pattern(4, 1003, 2048);
        codes[3][1002] = 2047; // the largest code fits uint16 unsigned
        using (var writer = AudioCodesWriter.Create(path, Encodec32))
        {
            for (var start = 0; start < 1003; start += 250) writer.Append(codes, start, Math.Min(250, 1003 - start));
            writer.Complete(1002 * 640 + 17);
        }

        var read = AudioCodesFile.Read(path);
        Assert.Equal(new AudioCodesHeader(Encodec32, 1002 * 640 + 17, 1003), read.Header);
        Assert.Equal(codes, read.Codes);
        using var reader = AudioCodesReader.Open(path);
        var middle = reader.ReadFrames(500, 3);
        Assert.Equal(codes.Select(c => c[500..503]).ToArray(), middle);
    }

    [Fact]
    public void The_layout_is_the_documented_one()
    {
        using var dir = new TempDirectory();
        var path = dir.File("b.codes");
        // 2 codebooks, 3 frames: frame-major, codebook 0 first
        AudioCodesFile.Write(path, new AudioCodesFormat(24000, 320, 1024, 2, 1), [[1, 2, 3], [1000, 1001, 1023]], 700);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(64 + 2 * 2 * 3, bytes.Length);
        Assert.Equal("MGACODES"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(64, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)));
        Assert.Equal(24000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(75u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16))); // 24000/320 = 75/1
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(320u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(1024u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(34)));
        Assert.Equal(700UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48)));
        var body = Enumerable.Range(0, 6).Select(i => (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(64 + 2 * i))).ToArray();
        Assert.Equal([1, 1000, 2, 1001, 3, 1023], body);
    }

    [Fact]
    public void Frame_rate_is_kept_as_an_exact_fraction()
    {
        var odd = new AudioCodesFormat(44100, 512, 1024, 1, 1);
        Assert.Equal((11025, 128), odd.FrameRate);
        Assert.Equal(44100 / 512.0, odd.FramesPerSecond);
        Assert.Equal((50, 1), Encodec32.FrameRate);
    }

    [Fact]
    public void Nothing_appears_at_the_target_until_complete_and_an_abort_leaves_no_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("c.codes");
        File.WriteAllText(path, "previous");
        using (var writer = AudioCodesWriter.Create(path, Encodec32))
        {
            writer.Append(Pattern(4, 10, 2048));
            Assert.Equal("previous", File.ReadAllText(path));
            // disposed without Complete: discarded
        }
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(["c.codes"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_code_outside_the_codebook_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var path = dir.File("d.codes");
        using var writer = AudioCodesWriter.Create(path, Encodec32);
        writer.Append(Pattern(4, 5, 2048));
        var bad = Pattern(4, 5, 2048);
        bad[2][3] = 2048;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => writer.Append(bad));
        Assert.Contains("codebook 2, frame 8: code 2048", e.Message);
        Assert.Equal(5, writer.FramesWritten);
        writer.Complete();
        Assert.Equal(5, AudioCodesFile.ReadHeader(path).FrameCount);
        Assert.Equal(5 * 640, AudioCodesFile.ReadHeader(path).SampleCount);
    }

    [Fact]
    public void A_sample_count_that_does_not_match_the_frames_is_refused()
    {
        using var dir = new TempDirectory();
        using var writer = AudioCodesWriter.Create(dir.File("e.codes"), Encodec32);
        writer.Append(Pattern(4, 25, 2048));
        var e = Assert.Throws<ArgumentException>(() => writer.Complete(16000 + 1)); // needs 26 frames
        Assert.Contains("25 frames", e.Message);
    }

    [Fact]
    public void Zero_frames_make_a_valid_empty_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("f.codes");
        AudioCodesFile.Write(path, Encodec32, [[], [], [], []], 0);
        var read = AudioCodesFile.Read(path);
        Assert.Equal(0, read.Header.FrameCount);
        Assert.All(read.Codes, c => Assert.Empty(c));
    }
}
