using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>Small media files made by the tests: a 16-bit PCM WAV of a sine tone, a PNG picture, bytes that are not media.</summary>
public static class TestMedia
{
    public static byte[] Wav(double seconds, int rate = 32000, double hz = 440)
    {
        var frames = (int)(seconds * rate);
        var bytes = new byte[44 + frames * 2];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 36 + frames * 2);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(bytes, 8);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(34), 16);
        Encoding.ASCII.GetBytes("data").CopyTo(bytes, 36);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), frames * 2);
        for (var i = 0; i < frames; i++)
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + 2 * i), (short)(0.3 * 32767 * Math.Sin(2 * Math.PI * hz * i / rate)));
        return bytes;
    }

    /// <summary>Frames of a 16-bit mono PCM WAV (its data chunk's size / 2); asserts the header is one.</summary>
    public static (int Rate, int Channels, long Frames) ReadWavHeader(byte[] wav)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(wav, 8, 4));
        var at = 12;
        int rate = 0, channels = 0, bits = 0;
        while (at + 8 <= wav.Length)
        {
            var id = Encoding.ASCII.GetString(wav, at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(at + 4));
            if (id == "fmt ")
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(at + 10));
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(at + 12));
                bits = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(at + 22));
            }
            if (id == "data") return (rate, channels, size / (channels * bits / 8));
            at += 8 + size + (size & 1);
        }
        throw new Xunit.Sdk.XunitException("no data chunk in the WAV");
    }

    /// <summary>A 2x2 PNG (valid: ffprobe reads it).</summary>
    public static byte[] Png() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==");

    public static byte[] NotMedia() => Encoding.UTF8.GetBytes("this is a text file pretending to be a song\n" + new string('x', 200));
}
