namespace MusicGen.Assistant.Audio.Media;

/// <summary>Decoded audio at the source's own rate and channel count, read in blocks.</summary>
internal abstract class PcmSource : IDisposable
{
    /// <summary>Reads up to <paramref name="maxFrames"/> frames into <c>destination[c][0..]</c>; 0 at the end.</summary>
    public abstract int Read(float[][] destination, int maxFrames);

    /// <summary>Called once the end is reached: throws when the decode failed or stopped early.</summary>
    public abstract void Finish(long framesRead);

    public abstract void Dispose();
}
