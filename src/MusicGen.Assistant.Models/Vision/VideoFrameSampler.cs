namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// Chooses the frames of a video that M2UGen's video path encodes: its gradio_app/inference
/// <c>sample_frame_indices(clip_len=32, frame_sample_rate=1, seg_len=frame_count)</c>, with the frames then taken from
/// the fully decoded video by index (gradio_app's read_video_pyav, which also repeats a frame when an index repeats).
/// </summary>
public static class VideoFrameSampler
{
    /// <summary>Frames per clip of M2UGen's video path (ViViT-B's num_frames).</summary>
    public const int ClipLength = 32;

    /// <summary>
    /// Indices into [0, frameCount): with enough frames, clipLength·rate consecutive-by-rate frames ending at a random
    /// end (numpy randint(clip·rate, frameCount)); with fewer frames, clipLength copies of one random frame (end
    /// index e in [0, frameCount), frame e - 1, where -1 is Python's last frame). A video of exactly clip·rate frames
    /// makes numpy's randint fail in M2UGen; here it takes the whole video.
    /// </summary>
    /// <param name="random">The draw of the end index (numpy's global RNG in M2UGen); pass a seeded one to repeat a choice.</param>
    public static int[] SampleIndices(int frameCount, Random random, int clipLength = ClipLength, int frameSampleRate = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (frameCount < 1) throw new ArgumentOutOfRangeException(nameof(frameCount), frameCount, "the video has no frames");
        if (clipLength < 1 || frameSampleRate < 1)
            throw new ArgumentOutOfRangeException(nameof(clipLength), $"clip of {clipLength} frames at rate {frameSampleRate}");
        var converted = clipLength * frameSampleRate;
        if (converted > frameCount) converted = 0;
        var end = converted == frameCount ? frameCount : random.Next(converted, frameCount);
        var start = end - converted;
        var indices = new int[clipLength];
        // np.linspace(start, end, clip_len), np.clip(.., start, end - 1) (the upper bound wins when the bounds cross),
        // astype(int64) truncates toward zero
        var step = clipLength > 1 ? (end - start) / (double)(clipLength - 1) : 0;
        for (var i = 0; i < clipLength; i++)
        {
            var value = i == clipLength - 1 && clipLength > 1 ? end : start + i * step;
            value = Math.Min(Math.Max(value, start), end - 1);
            var index = (int)value;
            indices[i] = index < 0 ? frameCount + index : index;
        }
        return indices;
    }
}
