namespace MusicGen.Assistant.Audio.Wav;

/// <summary>Entry points for reading WAV files (PCM 8/16/24/32-bit, float 32/64, plain or extensible, RIFF or RF64).</summary>
public static class WavReader
{
    /// <summary>Reads the whole file into memory.</summary>
    /// <exception cref="AudioFormatException">The file is not a readable WAV file (the message says why).</exception>
    public static AudioBuffer Read(string path)
    {
        using WavFileReader reader = Open(path);
        return reader.ReadToEnd();
    }

    /// <summary>Opens the file for block-wise reading with bounded memory; the header is validated here.</summary>
    /// <exception cref="AudioFormatException">The file is not a readable WAV file (the message says why).</exception>
    public static WavFileReader Open(string path) => new(path);

    /// <summary>Reads only the header.</summary>
    public static WavFormat ReadFormat(string path)
    {
        using WavFileReader reader = Open(path);
        return reader.Format;
    }
}
