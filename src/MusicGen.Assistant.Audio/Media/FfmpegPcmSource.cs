using System.Globalization;
using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// One audio stream decoded by ffmpeg to raw 32-bit float PCM on its stdout, at the stream's own rate and channel
/// count: the encoded file is read by ffmpeg, and only one block of PCM is in memory here at a time.
/// </summary>
internal sealed class FfmpegPcmSource : PcmSource
{
    // A decode that ends this much short of the declared duration means the file was cut (containers and codec
    // padding disagree by a few milliseconds, never by this much).
    private static readonly TimeSpan TruncationSlack = TimeSpan.FromMilliseconds(200);
    private const double TruncationFraction = 0.02;

    private readonly ToolProcess _process;
    private readonly MediaInfo _info;
    private readonly MediaStreamInfo _stream;
    private readonly int _channels;
    private byte[] _raw = [];
    private int _pending; // bytes of an incomplete frame carried to the next read

    public FfmpegPcmSource(MediaTools tools, MediaInfo info, MediaStreamInfo stream, CancellationToken cancellation)
    {
        _info = info;
        _stream = stream;
        _channels = stream.Channels!.Value;
        // Raw floats in this machine's byte order, so they can be reinterpreted without swapping.
        string format = BitConverter.IsLittleEndian ? "f32le" : "f32be";
        string[] arguments =
        [
            .. FfmpegArguments.Quiet,
            "-i", FfmpegArguments.InputUrl(info.Path),
            "-map", $"0:{stream.Index}",
            // Pinned to the probed layout: a stream that changes rate or channels midway still yields one layout.
            "-ac", _channels.ToString(CultureInfo.InvariantCulture),
            "-ar", stream.SampleRate!.Value.ToString(CultureInfo.InvariantCulture),
            "-c:a", "pcm_" + format, "-f", format, "pipe:1",
        ];
        _process = ToolProcess.Start(tools.FfmpegPath, arguments, writesInput: false, cancellation);
    }

    public override int Read(float[][] destination, int maxFrames)
    {
        int frameBytes = _channels * sizeof(float);
        int wanted = checked(maxFrames * frameBytes);
        if (_raw.Length < wanted)
        {
            var bigger = new byte[wanted];
            _raw.AsSpan(0, _pending).CopyTo(bigger);
            _raw = bigger;
        }
        int filled = _pending;
        while (filled < wanted)
        {
            int got = _process.Output.Read(_raw, filled, wanted - filled);
            if (got == 0)
                break;
            filled += got;
        }
        int frames = filled / frameBytes;
        _pending = filled - frames * frameBytes;
        Deinterleave(MemoryMarshal.Cast<byte, float>(_raw.AsSpan(0, frames * frameBytes)), destination, frames);
        if (_pending > 0)
            _raw.AsSpan(frames * frameBytes, _pending).CopyTo(_raw);
        return frames;
    }

    public override void Finish(long framesRead)
    {
        int exitCode = _process.WaitForExit();
        string stderr = _process.ErrorText;
        if (exitCode != 0)
            throw new MediaFormatException(_info.Path, MediaProblem.DecodeFailed,
                $"ffmpeg failed to decode audio stream {_stream.Index} ({_stream.Codec}; exit code {exitCode})", stderr);
        if (_info.DurationIsEstimate || _info.DurationOf(_stream) is not { } declared)
            return;
        TimeSpan decoded = AudioBuffer.FramesToDuration(framesRead, _stream.SampleRate!.Value);
        TimeSpan slack = TimeSpan.FromTicks(Math.Max(TruncationSlack.Ticks, (long)(declared.Ticks * TruncationFraction)));
        if (declared - decoded > slack)
            throw new MediaFormatException(_info.Path, MediaProblem.Truncated,
                $"the audio ends after {decoded.TotalSeconds:0.###} s but the file declares {declared.TotalSeconds:0.###} s: " +
                "it is probably truncated (cut short while copying or downloading)", stderr);
    }

    public override void Dispose() => _process.Dispose();

    private void Deinterleave(ReadOnlySpan<float> interleaved, float[][] destination, int frames)
    {
        if (_channels == 1)
        {
            interleaved.CopyTo(destination[0]);
            return;
        }
        for (int c = 0; c < _channels; c++)
        {
            float[] dst = destination[c];
            for (int f = 0, i = c; f < frames; f++, i += _channels)
                dst[f] = interleaved[i];
        }
    }
}
