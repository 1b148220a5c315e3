using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// Decodes a mono track while its codes are generated: the decoder's completed frames go into an EnCodec decode stream
/// of <see cref="ChunkFrames"/>-frame chunks, each decoded chunk goes out as an <see cref="AudioChunk"/> and is kept
/// for the finished track (the same audio a decode after the generation gives).
/// </summary>
internal sealed class AudioStreamer
{
    /// <summary>One second of frames at 50 Hz: the first sound comes after about this many frames (plus EnCodec's context).</summary>
    public const int ChunkFrames = 50;

    private readonly MusicGenModelSet _set;
    private readonly Action<AudioChunk> _sink;
    private readonly EncodecDecodeStream _stream;
    private readonly float[] _samples;
    private long _written;

    public AudioStreamer(MusicGenModelSet set, int frames, Action<AudioChunk> sink)
    {
        (_set, _sink) = (set, sink);
        _samples = new float[(long)frames * set.Codec.Config.HopLength];
        _stream = set.Codec.StartDecodeStream(set.Config.NumCodebooks, frames, ChunkFrames, OnDecoded);
    }

    public void Push(int[][] frames) => _stream.Push(frames);

    /// <summary>The whole track, one array per channel; throws if frames are missing (a bug, not an input error).</summary>
    public float[][] Finish()
    {
        if (!_stream.IsComplete)
            throw new InvalidOperationException($"the generation handed over {_stream.Frames} of {_stream.TotalFrames} frames");
        return [_samples];
    }

    private void OnDecoded(float[][] block)
    {
        block[0].CopyTo(_samples, _written);
        var offset = _written;
        _written += block[0].Length;
        _sink(new AudioChunk(_set.SampleRate, block, offset, _written == _samples.Length));
    }
}
