using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

/// <summary>Small media files made for the tests with the real ffmpeg.</summary>
public static class TestMedia
{
    /// <summary>A stereo buffer: a sine on the left, noise on the right.</summary>
    public static AudioBuffer ToneAndNoise(int rate, double seconds, double frequency = 440)
    {
        int frames = (int)Math.Round(rate * seconds);
        return new AudioBuffer(rate, [Signals.Sine(frequency, rate, frames, 0.5), Signals.Noise(frames, 7, 0.3f)]);
    }

    /// <summary>The buffer as 16-bit samples read back (what a 16-bit file of it decodes to exactly).</summary>
    public static AudioBuffer QuantizedTo16Bit(TempDirectory dir, AudioBuffer audio)
    {
        string wav = dir.File($"q16-{Guid.NewGuid():N}.wav");
        WavWriter.Write(wav, audio, WavSampleFormat.Pcm16);
        AudioBuffer read = WavReader.Read(wav);
        File.Delete(wav);
        return read;
    }

    /// <summary>A 2 s MPEG-4 video (64x48, 10 fps) with an AAC sine track, or without audio.</summary>
    public static string Video(TempDirectory dir, string name, bool withAudio = true, string videoCodec = "mpeg4")
    {
        string path = dir.File(name);
        string[] audio = withAudio ? ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2"] : [];
        string[] audioCodec = withAudio ? ["-c:a", name.EndsWith(".webm") ? "libopus" : "aac"] : [];
        Ffmpeg.Run(["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=2", .. audio,
            "-c:v", videoCodec, .. audioCodec, "-y", path]);
        return path;
    }

    /// <summary>The first <paramref name="fraction"/> of a file's bytes, as a new file.</summary>
    public static string Truncate(TempDirectory dir, string source, string name, double fraction = 0.5)
    {
        byte[] bytes = File.ReadAllBytes(source);
        return dir.Write(name, bytes[..(int)(bytes.Length * fraction)]);
    }
}
