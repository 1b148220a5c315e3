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
}
