namespace MusicGen.Assistant.Media;

/// <summary>
/// What an input audio file holds before it is decoded: codec, rate, channels and the length it declares
/// (null when the container does not say, e.g. a raw AAC stream).
/// </summary>
public sealed record InputAudioInfo(string Codec, int SampleRate, int ChannelCount, long? FrameCount, TimeSpan? Duration);
