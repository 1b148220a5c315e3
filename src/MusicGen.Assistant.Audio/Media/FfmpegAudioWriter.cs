using System.Globalization;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Encodes audio to MP3, FLAC or Ogg Vorbis by streaming PCM into ffmpeg's stdin: floats for the lossy codecs, and
/// for FLAC integers rounded exactly as our WAV writer rounds them (ffmpeg would truncate). ffmpeg writes a hidden
/// temporary file beside the target, which <see cref="Complete"/> renames over it once ffmpeg has succeeded; a failure,
/// <see cref="Abort"/>, or Dispose without Complete deletes it, so no half-written file is left and an existing file is
/// never damaged.
/// </summary>
public sealed class FfmpegAudioWriter : IDisposable
{
    private const int FramesPerWrite = 1 << 14;
    private static readonly int[] Mp3Rates = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

    private readonly ToolProcess _process;
    private readonly string _tempPath;
    private readonly CancellationToken _cancellation;
    private readonly byte[] _raw;
    private readonly WavSampleFormat _pcm;
    private State _state = State.Open;

    private enum State { Open, Completed, Aborted }

    private FfmpegAudioWriter(string path, AudioFileFormat format, int sampleRate, int channelCount, AudioEncodeOptions options,
        CancellationToken cancellation)
    {
        Path = path;
        Format = format;
        SampleRate = sampleRate;
        ChannelCount = channelCount;
        _cancellation = cancellation;
        string directory = System.IO.Path.GetDirectoryName(path)!;
        _tempPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        _pcm = format != AudioFileFormat.Flac ? WavSampleFormat.Float32
            : options.FlacBits == 16 ? WavSampleFormat.Pcm16 : WavSampleFormat.Pcm24;
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error",
            "-f", _pcm switch { WavSampleFormat.Pcm16 => "s16le", WavSampleFormat.Pcm24 => "s24le", _ => "f32le" }, "-ar", Invariant(sampleRate), "-ac", Invariant(channelCount), "-i", "pipe:0",
            .. CodecArguments(format, options),
            "-y", FfmpegArguments.InputUrl(_tempPath),
        ];
        _process = ToolProcess.Start((options.Tools ?? MediaTools.Default).FfmpegPath, arguments, writesInput: true, cancellation);
        _raw = new byte[FramesPerWrite * channelCount * _pcm.BytesPerSample()];
    }

    /// <summary>The target file (full path).</summary>
    public string Path { get; }

    public AudioFileFormat Format { get; }

    public int SampleRate { get; }

    public int ChannelCount { get; }

    public long FramesWritten { get; private set; }

    /// <summary>Starts ffmpeg; nothing appears at <paramref name="path"/> until <see cref="Complete"/> succeeds.</summary>
    /// <exception cref="ArgumentException">The format cannot hold this rate or channel count.</exception>
    /// <exception cref="MediaToolNotFoundException">ffmpeg is not installed.</exception>
    public static FfmpegAudioWriter Open(string path, AudioFileFormat format, int sampleRate, int channelCount,
        AudioEncodeOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new AudioEncodeOptions();
        options.Validate();
        string full = System.IO.Path.GetFullPath(path);
        CheckLayout(full, format, sampleRate, channelCount);
        string directory = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"'{full}': the folder '{directory}' does not exist");
        return new FfmpegAudioWriter(full, format, sampleRate, channelCount, options, cancellation);
    }

    /// <summary>Appends a block; its rate and channel count must match the file's.</summary>
    public void Write(AudioBuffer block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.SampleRate != SampleRate || block.ChannelCount != ChannelCount)
            throw new ArgumentException(
                $"Block is {block.ChannelCount} ch at {block.SampleRate} Hz but '{Path}' is being written with {ChannelCount} ch at {SampleRate} Hz.",
                nameof(block));
        if (_state != State.Open)
            throw new InvalidOperationException($"The writer for '{Path}' is {_state.ToString().ToLowerInvariant()}.");
        float[][] channels = block.Channels;
        for (int c = 0; c < channels.Length; c++)
        {
            int nan = Array.FindIndex(channels[c], float.IsNaN);
            if (nan >= 0)
                throw new ArgumentException($"Sample at channel {c}, frame {nan} is NaN, which cannot be encoded; fix the signal.", nameof(block));
        }
        for (int done = 0; done < block.FrameCount;)
        {
            int n = Math.Min(FramesPerWrite, block.FrameCount - done);
            int bytes = n * ChannelCount * _pcm.BytesPerSample();
            WavSampleCodec.Encode(channels, done, n, _pcm, _raw.AsSpan(0, bytes));
            try
            {
                _process.Input.Write(_raw, 0, bytes);
            }
            catch (IOException e)
            {
                throw Fail("ffmpeg stopped taking audio", e);
            }
            done += n;
            FramesWritten += n;
        }
    }

    /// <summary>Ends the input, waits for ffmpeg and moves the file into place. Idempotent.</summary>
    /// <exception cref="MediaFormatException">ffmpeg failed (its message is quoted); the target is left as it was.</exception>
    public void Complete()
    {
        if (_state == State.Completed)
            return;
        if (_state != State.Open)
            throw new InvalidOperationException($"The writer for '{Path}' was aborted.");
        int exitCode;
        try
        {
            _process.CloseInput();
            exitCode = _process.WaitForExit();
        }
        catch (IOException e)
        {
            throw Fail("ffmpeg stopped taking audio", e);
        }
        if (exitCode != 0 || !File.Exists(_tempPath))
            throw Fail($"ffmpeg failed to encode {Format} (exit code {exitCode})", null);
        try
        {
            File.Move(_tempPath, Path, overwrite: true);
        }
        catch
        {
            Discard();
            throw;
        }
        _state = State.Completed;
        _process.Dispose();
    }

    /// <summary>Stops ffmpeg and deletes the temporary file; the target is left as it was.</summary>
    public void Abort()
    {
        if (_state == State.Open)
            Discard();
    }

    /// <summary>Discards the output unless <see cref="Complete"/> succeeded.</summary>
    public void Dispose() => Abort();

    private MediaFormatException Fail(string problem, Exception? inner)
    {
        _process.Kill();
        try
        {
            _process.WaitForExit();
        }
        catch (OperationCanceledException)
        {
            Discard();
            throw;
        }
        string stderr = _process.ErrorText;
        Discard();
        return new MediaFormatException(Path, MediaProblem.EncodeFailed, problem, stderr, inner);
    }

    private void Discard()
    {
        _state = State.Aborted;
        _process.Dispose();
        try
        {
            File.Delete(_tempPath);
        }
        catch (IOException)
        {
            // Best effort: the temporary file is hidden and never replaces the target.
        }
    }

    private static string[] CodecArguments(AudioFileFormat format, AudioEncodeOptions options) => format switch
    {
        AudioFileFormat.Mp3 => options.Mp3BitrateKbps is { } kbps
            ? ["-c:a", "libmp3lame", "-b:a", $"{Invariant(kbps)}k", "-f", "mp3"]
            : ["-c:a", "libmp3lame", "-q:a", "2", "-f", "mp3"],
        // s24 input reaches the FLAC encoder as s32, which it stores as 24-bit samples.
        AudioFileFormat.Flac => ["-c:a", "flac", "-sample_fmt", options.FlacBits == 16 ? "s16" : "s32", "-f", "flac"],
        AudioFileFormat.Ogg => ["-c:a", "libvorbis", "-q:a", FfmpegArguments.Number(options.OggQuality), "-f", "ogg"],
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "ffmpeg writes only MP3, FLAC and Ogg here; WAV goes through WavWriter."),
    };

    private static void CheckLayout(string path, AudioFileFormat format, int sampleRate, int channelCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channelCount);
        string? problem = format switch
        {
            AudioFileFormat.Mp3 when channelCount > 2 => $"MP3 holds 1 or 2 channels, not {channelCount}",
            AudioFileFormat.Mp3 when Array.IndexOf(Mp3Rates, sampleRate) < 0 =>
                $"MP3 cannot be written at {sampleRate} Hz (it takes {string.Join(", ", Mp3Rates)} Hz); resample first or write FLAC",
            AudioFileFormat.Flac or AudioFileFormat.Ogg when channelCount > 8 => $"{format} holds at most 8 channels, not {channelCount}",
            AudioFileFormat.Wav => "WAV is written by WavWriter, not through ffmpeg",
            _ => null,
        };
        if (problem is not null)
            throw new ArgumentException($"'{path}': {problem}.", nameof(format));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
