using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// Decodes a track while its codes are generated: the decoder's completed frames go into EnCodec decode streams of
/// <see cref="ChunkFrames"/>-frame chunks, one per audio channel (a stereo model's codebook rows alternate [L0, R0,
/// L1, ...], each channel decoded by the mono codec, as the whole-track decode does), and each decoded chunk, once
/// every channel has it, goes out as an <see cref="AudioChunk"/> and is kept for the finished track (the same audio a
/// decode after the generation gives).
/// </summary>
internal sealed class AudioStreamer
{
    /// <summary>One second of frames at 50 Hz: the first sound comes after about this many frames (plus EnCodec's context).</summary>
    public const int ChunkFrames = 50;

    private readonly MusicGenModelSet _set;
    private readonly Action<AudioChunk> _sink;
    private readonly EncodecDecodeStream[] _streams;
    private readonly Queue<float[]>[] _pending;
    private readonly float[][] _samples;
    private long _written;

    public AudioStreamer(MusicGenModelSet set, int frames, Action<AudioChunk> sink)
    {
        (_set, _sink) = (set, sink);
        var channels = set.Config.AudioChannels;
        _samples = Enumerable.Range(0, channels).Select(_ => new float[(long)frames * set.Codec.Config.HopLength]).ToArray();
        _pending = Enumerable.Range(0, channels).Select(_ => new Queue<float[]>()).ToArray();
        _streams = Enumerable.Range(0, channels).Select(c =>
            set.Codec.StartDecodeStream(set.Config.ChannelCodebooks, frames, ChunkFrames, block => OnDecoded(c, block[0]))).ToArray();
    }

    /// <summary>The next frames of every codebook row (item 0), in the decoder's row order.</summary>
    public void Push(int[][] frames)
    {
        var channels = _streams.Length;
        for (var c = 0; c < channels; c++)
            _streams[c].Push(ChannelRows(frames, c, channels));
    }

    /// <summary>One channel's codebook rows of a model whose rows alternate channels ([L0, R0, L1, ...] for stereo).</summary>
    public static int[][] ChannelRows(int[][] rows, int channel, int channels) =>
        channels == 1 ? rows : rows.Where((_, k) => k % channels == channel).ToArray();

    /// <summary>The whole track, one array per channel; throws if frames are missing (a bug, not an input error).</summary>
    public float[][] Finish()
    {
        if (_streams.FirstOrDefault(s => !s.IsComplete) is { } short_)
            throw new InvalidOperationException($"the generation handed over {short_.Frames} of {short_.TotalFrames} frames");
        return _samples;
    }

    // the channels decode the same chunk windows one after the other: a chunk goes out when the last channel has it
    private void OnDecoded(int channel, float[] block)
    {
        _pending[channel].Enqueue(block);
        if (_pending.Any(q => q.Count == 0)) return;
        var blocks = _pending.Select(q => q.Dequeue()).ToArray();
        var length = blocks[0].Length;
        if (blocks.Any(b => b.Length != length))
            throw new InvalidOperationException($"the channels decoded chunks of {string.Join(" and ", blocks.Select(b => b.Length))} samples at sample {_written}");
        for (var c = 0; c < blocks.Length; c++) blocks[c].CopyTo(_samples[c], _written);
        var offset = _written;
        _written += length;
        _sink(new AudioChunk(_set.SampleRate, blocks, offset, _written == _samples[0].Length));
    }
}
