using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Audio.Tests.Fuzzing;

/// <summary>
/// Damaged WAV files generated from valid ones WavWriter writes (PCM 8/16/24, float 32/64, mono to 6 channels, RIFF
/// and extensible headers): each must be read, mixed and resampled to 32 kHz, or refused with an
/// <see cref="AudioFormatException"/> naming the file, with memory bounded by the input (a header may claim 65,535
/// channels or billions of frames) and no hang.
/// </summary>
public sealed class WavCorpusTests(ITestOutputHelper output)
{
    // RIFF size, fmt size, format tag, channels, rate, byte rate, block align, bits, then the data chunk's size
    private static readonly SizeField[] PlainHeader =
    [
        new(4, 4, "RIFF size"), new(16, 4, "fmt size"), new(20, 2, "format tag"), new(22, 2, "channels"), new(24, 4, "sample rate"),
        new(28, 4, "byte rate"), new(32, 2, "block align"), new(34, 2, "bits per sample"), new(40, 4, "data size"),
    ];

    private static byte[] Seed(int channels, int rate, WavSampleFormat format, int frames)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-wav-seed-{Guid.NewGuid():N}.wav");
        try
        {
            var samples = Enumerable.Range(0, channels)
                .Select(c => Enumerable.Range(0, frames).Select(t => MathF.Sin(t * 0.05f * (c + 1)) * 0.5f).ToArray()).ToArray();
            WavWriter.Write(path, new AudioBuffer(rate, samples), format);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>What generate --continue and codec encode do with a WAV: read it block-wise, resample to 32 kHz, mix to mono.</summary>
    private static void ReadResampleMix(string path)
    {
        using var reader = WavReader.Open(path);
        var resampler = new MultiChannelResampler(reader.SampleRate, 32000, reader.ChannelCount);
        foreach (var block in reader.ReadBlocks(8192))
            ChannelMixer.ToMono(resampler.Process(block));
        ChannelMixer.ToMono(resampler.Flush());
    }

    [Fact]
    public void Damaged_wav_files_are_read_or_refused_by_name()
    {
        var total = new FuzzTally();
        var seeds = new (string Name, byte[] Bytes)[]
        {
            ("pcm16 stereo 44.1k", Seed(2, 44100, WavSampleFormat.Pcm16, 700)),
            ("float32 mono 32k", Seed(1, 32000, WavSampleFormat.Float32, 500)),
            ("pcm24 6ch 48k", Seed(6, 48000, WavSampleFormat.Pcm24, 300)),
            ("pcm8 mono 8k", Seed(1, 8000, WavSampleFormat.Pcm8, 400)),
            ("float64 stereo 24k", Seed(2, 24000, WavSampleFormat.Float64, 200)),
        };
        var corpus = new FuzzCorpus { Format = "WAV file", Read = ReadResampleMix, Typed = [typeof(AudioFormatException)] };
        for (var i = 0; i < seeds.Length; i++)
        {
            var (name, bytes) = seeds[i];
            ReadResampleMix(WriteTemp(bytes)); // the seed itself reads
            var tally = corpus.AssertHolds(ByteMutations.SweepSizeFields(bytes, "input.wav", PlainHeader)
                .Concat(ByteMutations.Mutate(bytes, "input.wav", 4400 + i, 30, PlainHeader)));
            output.WriteLine($"{name}: {tally}");
            total.Total += tally.Total;
            total.Refused += tally.Refused;
        }
        Assert.True(total.Refused > total.Total / 3, $"{total.Refused} of {total.Total} refused");
    }

    [Fact]
    public void A_wav_claiming_65535_channels_is_refused_before_its_buffers_are_made()
    {
        var bytes = Seed(1, 32000, WavSampleFormat.Pcm16, 65535 * 16); // data for 16 frames of 65,535 channels
        BitConverter.TryWriteBytes(bytes.AsSpan(22, 2), (ushort)65535);
        BitConverter.TryWriteBytes(bytes.AsSpan(32, 2), unchecked((ushort)(65535 * 2)));
        var path = WriteTemp(bytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<AudioFormatException>(() => ReadResampleMix(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"at most {AudioLimits.MaxChannels}", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    private static string WriteTemp(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-wav-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
