namespace MusicGen.Assistant.Audio.Wav;

/// <summary>How one sample is stored in a WAV data chunk (little-endian).</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned PCM, silence at 128.</summary>
    Pcm8,
    /// <summary>16-bit signed PCM.</summary>
    Pcm16,
    /// <summary>24-bit signed PCM, packed in 3 bytes.</summary>
    Pcm24,
    /// <summary>32-bit signed PCM.</summary>
    Pcm32,
    /// <summary>32-bit IEEE float.</summary>
    Float32,
    /// <summary>64-bit IEEE float.</summary>
    Float64,
}

public static class WavSampleFormatExtensions
{
    public static int BitsPerSample(this WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => 8,
        WavSampleFormat.Pcm16 => 16,
        WavSampleFormat.Pcm24 => 24,
        WavSampleFormat.Pcm32 => 32,
        WavSampleFormat.Float32 => 32,
        WavSampleFormat.Float64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format."),
    };

    public static int BytesPerSample(this WavSampleFormat format) => format.BitsPerSample() / 8;

    public static bool IsFloat(this WavSampleFormat format) =>
        format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
}
