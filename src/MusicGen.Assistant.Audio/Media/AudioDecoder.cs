using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Audio from any media file (wav, mp3, flac, ogg, m4a, mp4, webm, mkv, ...): plain WAV is read by our own reader,
/// everything else is decoded by ffmpeg to float PCM at the source rate; then channels are mixed with
/// <see cref="ChannelMixer"/> and the rate converted with our polyphase resampler, as <see cref="AudioDecodeOptions"/> asks.
/// </summary>
public static class AudioDecoder
{
    /// <summary>Decodes the whole stream into memory.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="MediaFormatException">Empty, not media, no audio stream, damaged, truncated or too long.</exception>
    /// <exception cref="MediaToolNotFoundException">The file needs ffmpeg and it is not installed.</exception>
    public static AudioBuffer Decode(string path, AudioDecodeOptions? options = null, CancellationToken cancellation = default)
    {
        using MediaAudioReader reader = Open(path, options, cancellation);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Opens the file for block-wise reading. Everything that can be known before decoding is checked here: the file is
    /// media, has the audio stream, is not declared longer than the limit, and its channels map as asked.
    /// </summary>
    /// <inheritdoc cref="Decode" path="/exception"/>
    public static MediaAudioReader Open(string path, AudioDecodeOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new AudioDecodeOptions();
        Resolved input = Resolve(path, options, cancellation);
        PcmSource source = input.Wav is { } wav
            ? new WavPcmSource(wav)
            : new FfmpegPcmSource(input.Tools!, input.Info, input.Stream, cancellation);
        try
        {
            return new MediaAudioReader(source, input.Info, input.Stream, options);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs every check <see cref="Open"/> runs and says what would be decoded, without decoding anything
    /// (a WAV header is read, other files are probed).
    /// </summary>
    /// <inheritdoc cref="Decode" path="/exception"/>
    public static AudioInputInfo Inspect(string path, AudioDecodeOptions? options = null, CancellationToken cancellation = default)
    {
        Resolved input = Resolve(path, options ?? new AudioDecodeOptions(), cancellation);
        input.Wav?.Dispose();
        return new AudioInputInfo(input.Info, input.Stream);
    }

    private sealed record Resolved(MediaInfo Info, MediaStreamInfo Stream, WavFileReader? Wav, MediaTools? Tools);

    private static Resolved Resolve(string path, AudioDecodeOptions options, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options.Validate();
        byte[] head = MediaFileCheck.ReadHead(path);

        AudioFormatException? wavProblem = null;
        if (options.StreamIndex is null or 0 && FileSignature.Identify(head) == "WAV")
        {
            WavFileReader? wav = null;
            try
            {
                wav = WavReader.Open(path);
                MediaInfo described = WavPcmSource.Describe(path, wav.Format);
                CheckBeforeDecoding(described, described.Streams[0], options);
                return new Resolved(described, described.Streams[0], wav, null);
            }
            catch (AudioFormatException e)
            {
                wav?.Dispose();
                wavProblem = e; // e.g. a compressed WAV codec our reader does not do: ffmpeg may
            }
            catch
            {
                wav?.Dispose();
                throw;
            }
        }

        MediaTools tools;
        try
        {
            tools = options.Tools ?? MediaTools.Default;
        }
        catch (MediaToolNotFoundException) when (wavProblem is not null)
        {
            throw wavProblem;
        }
        MediaInfo info;
        try
        {
            info = MediaProbe.Probe(path, tools, cancellation);
        }
        catch (MediaFormatException e) when (wavProblem is not null)
        {
            throw new MediaFormatException(path, MediaProblem.Damaged,
                $"not a readable WAV file ({wavProblem.Problem}), and ffmpeg cannot read it either", e.ToolOutput, e);
        }
        MediaStreamInfo stream = PickStream(info, options.StreamIndex);
        if (stream.SampleRate is null || stream.Channels is null)
            throw new MediaFormatException(path, MediaProblem.DecodeFailed,
                $"audio stream {stream.Index} ({stream.Codec}) has no known sample rate or channel count");
        CheckBeforeDecoding(info, stream, options);
        return new Resolved(info, stream, null, tools);
    }

    private static MediaStreamInfo PickStream(MediaInfo info, int? index)
    {
        if (index is { } wanted)
        {
            MediaStreamInfo? chosen = info.Streams.FirstOrDefault(s => s.Index == wanted);
            if (chosen is { Type: MediaStreamType.Audio })
                return chosen;
            throw new MediaFormatException(info.Path, MediaProblem.NoAudioStream,
                chosen is null
                    ? $"has no stream {wanted} (it holds {info.DescribeStreams()})"
                    : $"stream {wanted} is not audio ({chosen})");
        }
        return info.AudioStreams.FirstOrDefault() ?? throw new MediaFormatException(info.Path, MediaProblem.NoAudioStream,
            $"has no audio stream (it holds {info.DescribeStreams()})");
    }

    private static void CheckBeforeDecoding(MediaInfo info, MediaStreamInfo stream, AudioDecodeOptions options)
    {
        if (!info.DurationIsEstimate && info.DurationOf(stream) is { } declared && declared > options.MaxDuration)
            throw new MediaFormatException(info.Path, MediaProblem.TooLong,
                $"the audio is {MediaAudioReader.Describe(declared)} long, over the limit of " +
                $"{MediaAudioReader.Describe(options.MaxDuration)} (MaxDuration); trim the file or raise the limit");
        int channels = stream.Channels!.Value;
        if (stream.SampleRate is < AudioLimits.MinSampleRate or > AudioLimits.MaxSampleRate)
            throw new MediaFormatException(info.Path, MediaProblem.Unsupported,
                $"audio stream {stream.Index} is {stream.SampleRate} Hz: supported input rates are {AudioLimits.MinSampleRate} to {AudioLimits.MaxSampleRate} Hz");
        if (channels is < 1 or > AudioLimits.MaxChannels)
            throw new MediaFormatException(info.Path, MediaProblem.Unsupported,
                $"audio stream {stream.Index} declares {channels} channels; at most {AudioLimits.MaxChannels} are supported");
        if (options.ChannelCount is { } wanted && wanted != channels && wanted != 1 && channels != 1)
            throw new MediaFormatException(info.Path, MediaProblem.Unsupported,
                $"the audio has {channels} channels{(stream.ChannelLayout is { } l ? $" ({l})" : "")}; mixing them to {wanted} " +
                "is ambiguous: ask for mono (1) or keep the channels");
    }
}
