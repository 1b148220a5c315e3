using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Embedding;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// A turn's attachments → one adapter token per modality (M2UGen's encode_* + forward_*), on the loaded set inside
/// the turn's gate. Music: the first <see cref="MusicSeconds"/> s at the MERT's rate (all that encode_audio reads:
/// its window loop steps over window indices by 60, so only window 0 runs), channels averaged, every hidden state
/// averaged over time, then the adapter. Image / video: the ViT / ViViT processor at the model's size, last_hidden_state,
/// then the adapter. One stage per attachment ("encode audio", ...), cancellable between windows.
/// </summary>
internal static class AttachmentEncoding
{
    public const double MusicSeconds = 60;

    public static M2UGenAdapterInputs Run(AssistantModelSet set, IReadOnlyList<TurnAttachment> attachments,
        IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        float[]? music = null, image = null, video = null;
        foreach (var a in attachments)
        {
            var m = Attachments.Modality(a.Kind);
            var token = ProgressStage.Run(progress, $"encode {a.Kind.ToString().ToLowerInvariant()}", "steps", cancellation,
                stage => Encode(set, m, a, stage, cancellation));
            switch (m)
            {
                case M2UGenModality.Music: music = token; break;
                case M2UGenModality.Image: image = token; break;
                default: video = token; break;
            }
        }
        return new M2UGenAdapterInputs(music, image, video);
    }

    private static float[] Encode(AssistantModelSet set, M2UGenModality m, TurnAttachment a, ProgressStage stage, CancellationToken cancellation)
    {
        if (set.Encoder(m) is null)
            throw AssistantException.Unsupported($"this model set takes no {a.Kind.ToString().ToLowerInvariant()} attachment (it has no {m.Name()} encoder and adapter): {a}");
        using var spool = a.Bytes is { } bytes ? SpoolBytes(bytes, a.MediaType!) : null;
        var path = spool?.Path ?? a.Path;
        var label = a.Path ?? a.Name;
        stage.Report(0, 2);
        if (m == M2UGenModality.Music)
        {
            var encoder = set.MusicEncoder!;
            var channels = a.Samples is { } samples
                ? Resample(samples, a.SampleRate, encoder.Preprocessing.SamplingRate, MusicSeconds)
                : ReadHead(path!, label, encoder.Preprocessing.SamplingRate, MusicSeconds, cancellation);
            if (channels[0].Length < encoder.Config.ReceptiveField)
                throw AssistantException.BadInput($"the audio attachment '{label}' is {channels[0].Length} samples at {encoder.Preprocessing.SamplingRate} Hz: too short for one MERT frame ({encoder.Config.ReceptiveField} samples)");
            stage.Report(1, 2);
            var feature = new MertWindowedEncoder(encoder, MusicSeconds).Encode(new ArraySampleSource(channels), null, cancellation);
            stage.Report(2, 2);
            return set.Adapters[m].EmbedTimeMeans(feature.Values).Token;
        }
        var vision = m == M2UGenModality.Image ? set.ImageEncoder! : set.VideoEncoder!;
        var pixels = a.Pixels ?? VisionEncoding.Prepare(vision.Config, path!, preprocessorConfig: null, cancellation).Pixels;
        stage.Report(1, 2);
        var output = vision.Encode(pixels);
        stage.Report(2, 2);
        return set.Adapters[m].Embed(output.LastHiddenState, output.SequenceLength, output.HiddenSize).Token;
    }

    // decode only as much as the encoder reads: the reader stops ffmpeg when disposed
    private static float[][] ReadHead(string path, string label, int rate, double seconds, CancellationToken cancellation)
    {
        var limit = (int)Math.Round(seconds * rate);
        using var reader = InputLimits.Checked(() => AudioDecoder.Open(path, new AudioDecodeOptions { SampleRate = rate, MaxDuration = InputLimits.MaxDuration }, cancellation));
        var blocks = new List<AudioBuffer>();
        var frames = 0;
        while (frames < limit && reader.ReadBlock() is { } block)
        {
            cancellation.ThrowIfCancellationRequested();
            blocks.Add(block);
            frames += block.FrameCount;
        }
        if (frames == 0) throw AssistantException.BadInput($"the audio attachment '{label}' holds no samples");
        return Join(blocks, Math.Min(frames, limit), reader.ChannelCount);
    }

    private static float[][] Resample(float[][] channels, int from, int to, double seconds)
    {
        var audio = new AudioBuffer(from, channels);
        if (from != to)
        {
            var resampler = new MultiChannelResampler(from, to, audio.ChannelCount);
            audio = Concat([resampler.Process(audio), resampler.Flush()], audio.ChannelCount, to);
        }
        var keep = (int)Math.Min(audio.FrameCount, Math.Round(seconds * to));
        return Join([audio], keep, audio.ChannelCount);
    }

    private static AudioBuffer Concat(IReadOnlyList<AudioBuffer> parts, int channels, int rate) =>
        new(rate, Join(parts, parts.Sum(p => p.FrameCount), channels));

    private static float[][] Join(IReadOnlyList<AudioBuffer> blocks, int frames, int channelCount)
    {
        var result = new float[channelCount][];
        for (var c = 0; c < channelCount; c++)
        {
            result[c] = new float[frames];
            var at = 0;
            foreach (var b in blocks)
            {
                var n = Math.Min(b.FrameCount, frames - at);
                if (n <= 0) break;
                Array.Copy(b.Channels[c], 0, result[c], at, n);
                at += n;
            }
        }
        return result;
    }

    private static AttachmentSpool SpoolBytes(ReadOnlyMemory<byte> bytes, string mediaType) => new(bytes, mediaType);

    /// <summary>Bytes of an attachment in a temporary file for the decoders; deleted on dispose.</summary>
    private sealed class AttachmentSpool : IDisposable
    {
        public AttachmentSpool(ReadOnlyMemory<byte> bytes, string mediaType)
        {
            var folder = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mga-attachments")).FullName;
            Path = System.IO.Path.Combine(folder, $"attachment-{Guid.NewGuid():N}{Extension(mediaType)}");
            try { File.WriteAllBytes(Path, bytes.ToArray()); }
            catch { Dispose(); throw; }
        }

        public string Path { get; }

        // ffmpeg reads content, not names; the extension only helps it with raw streams
        private static string Extension(string mediaType) => mediaType.Split('/').Last().Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "wav" or "x-wav" or "wave" or "vnd.wave" => ".wav",
            "mpeg" or "mp3" => ".mp3",
            "flac" or "x-flac" => ".flac",
            "ogg" => ".ogg",
            "png" => ".png",
            "jpeg" or "jpg" => ".jpg",
            "mp4" => ".mp4",
            "webm" => ".webm",
            var other when other.All(char.IsLetterOrDigit) && other.Length <= 8 => "." + other,
            _ => ".bin",
        };

        public void Dispose()
        {
            try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
