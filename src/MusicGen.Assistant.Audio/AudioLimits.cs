namespace MusicGen.Assistant.Audio;

/// <summary>Bounds every audio reader applies to what a file declares, before it allocates by it.</summary>
public static class AudioLimits
{
    /// <summary>
    /// The most channels a file may have: more than any speaker layout names (WAVE_FORMAT_EXTENSIBLE's mask has 18
    /// positions, ffmpeg's layouts 64). Readers, mixers and resamplers hold buffers per channel, so a header claiming
    /// 65,535 channels would cost gigabytes for a few bytes of audio.
    /// </summary>
    public const int MaxChannels = 64;

    /// <summary>
    /// The sampling rates a file may declare: below 1 kHz it is not audio, above 768 kHz (DXD's highest) not a rate any
    /// recorder writes. Resampling to the models' rates costs time and memory in proportion to the ratio.
    /// </summary>
    public const int MinSampleRate = 1000, MaxSampleRate = 768_000;
}
