namespace MusicGen.Assistant.Generation;

/// <summary>
/// A piece of a track being rendered, handed out as soon as it is decoded: <paramref name="Channels"/> holds one array
/// of samples per channel, starting <paramref name="Offset"/> samples into the track. The pieces come in order, without
/// gaps, and together are the finished track's audio; <paramref name="Last"/> marks the final one.
/// </summary>
public sealed record AudioChunk(int SampleRate, float[][] Channels, long Offset, bool Last)
{
    public int FrameCount => Channels.Length == 0 ? 0 : Channels[0].Length;
}
