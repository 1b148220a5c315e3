using System.Diagnostics;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Embedding;

/// <summary>
/// Music file → MERT feature: decode (any format ffmpeg reads) at the encoder's rate keeping the channels, then
/// <see cref="MertWindowedEncoder"/> (downmix by channel mean as M2UGen does, 60 s windows, every hidden state
/// averaged over all frames).
/// </summary>
internal static class MusicEncoding
{
    public static EncodedMedia Run(ComputeBackend backend, string mediaPath, string modelPath, IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        using var encoder = HubertEncoder.Load(modelPath, backend);
        var rate = encoder.Preprocessing.SamplingRate;
        var clock = Stopwatch.StartNew();
        var audio = InputLimits.Checked(() => AudioDecoder.Decode(mediaPath, new AudioDecodeOptions { SampleRate = rate, MaxDuration = InputLimits.MaxDuration }, cancellation));
        var decodeTime = clock.Elapsed;

        clock.Restart();
        var windowed = new MertWindowedEncoder(encoder);
        var feature = ProgressStage.Run(progress, "encode", "samples", cancellation,
            stage => windowed.Encode(new ArraySampleSource(audio.Channels), stage, cancellation));
        var seconds = audio.FrameCount / (double)rate;
        return new EncodedMedia(M2UGenModality.Music, feature.Values.ToArray(), [feature.StateCount, feature.HiddenSize],
            $"{Units.Seconds(seconds)} of audio, {audio.ChannelCount} channel(s) at {rate} Hz",
            $"MERT (HuBERT) {encoder.Config.HiddenStateCount} hidden states × {encoder.Config.HiddenSize}, {feature.Frames} frames in {feature.Windows} window(s), averaged over time",
            decodeTime, clock.Elapsed, seconds);
    }
}
