using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// Lengthens a track the user made: new music is appended that continues its last seconds. The result holds the
/// track's samples (as read at the model's rate and channels) bit for bit except the last <see cref="SeamSeconds"/>,
/// which are crossfaded (raised cosine) into the new part to hide the codec's re-synthesis. The tail the model hears
/// is what a later long-form window sees (window - stride frames, 12 s of a 30 s window, audiocraft's extend_stride);
/// the tail is encoded, prefilled, continued (in windows when the addition is long) and the continuation is decoded
/// together with the tail, so the new audio starts where the track ends.
/// </summary>
public static class TrackExtension
{
    public const double SeamSeconds = 0.05;

    private const int CopyBlock = 1 << 16;

    /// <summary>
    /// Writes track + <paramref name="newFrames"/> codec frames of continuation to <paramref name="output"/>; the caller
    /// holds the set's gate. Returns the peak level of the file written.
    /// </summary>
    internal static PeakLevel Run(MusicGenModelSet set, SpooledSamples track, string trackPath, int newFrames, MusicGenConditioning conditioning,
        int prefixLength, SamplingSettings sampling, ulong seed, string output, WavSampleFormat format, IProgress<JobProgress>? progress,
        CancellationToken cancellation)
    {
        var hop = set.Codec.Config.HopLength;
        var rate = set.Codec.Config.SamplingRate;
        var plan = TrackPlan.For(set, 1, prefixLength); // a melody model's prefix takes window positions too
        var contextFrames = Math.Max(1, plan.WindowFrames - plan.StrideFrames);
        var contextSamples = Math.Min(track.Length, (long)contextFrames * hop);
        var tailStart = track.Length - contextSamples;
        var prompt = ContinuationPrompt.FromSamples(set, new SampleWindow(track, tailStart, contextSamples), trackPath, progress, cancellation);
        // a tail that is not a whole number of frames is coded with one more (padded) frame: the model continues after it
        var generation = new TrackPlan(prompt.Frames + newFrames, plan.WindowFrames, plan.StrideFrames);
        var audio = generation.Run(set, conditioning, sampling, seed, "extend", progress, cancellation, prompt); // audio[c][i] = time tailStart + i

        var seam = (int)Math.Min(contextSamples, (long)Math.Round(SeamSeconds * rate));
        var added = (long)newFrames * hop;
        var channels = audio.Length;
        using var writer = WavWriter.Open(output, rate, channels, format);
        var peak = new PeakMeter();
        try
        {
            CopyTrack(track, track.Length - seam, writer, peak);
            var mixed = new float[channels][];
            for (var c = 0; c < channels; c++)
            {
                var original = new float[seam];
                track.Read(c, track.Length - seam, original);
                mixed[c] = new float[seam];
                for (var j = 0; j < seam; j++)
                {
                    var w = (float)(0.5 - 0.5 * Math.Cos(Math.PI * (j + 0.5) / seam));
                    mixed[c][j] = original[j] * (1 - w) + audio[c][contextSamples - seam + j] * w;
                }
            }
            writer.Write(mixed, 0, seam);
            var continuation = audio.Select(a => a.AsSpan((int)contextSamples, (int)added).ToArray()).ToArray();
            writer.Write(continuation, 0, (int)added);
            foreach (var channel in mixed.Concat(continuation)) peak.Add(channel);
            cancellation.ThrowIfCancellationRequested();
            writer.Complete();
            return peak.Level(format == WavSampleFormat.Float32);
        }
        catch
        {
            writer.Abort();
            throw;
        }
    }

    private static void CopyTrack(SpooledSamples track, long frames, WavWriter writer, PeakMeter peak)
    {
        var block = Enumerable.Range(0, track.Channels).Select(_ => new float[CopyBlock]).ToArray();
        for (long start = 0; start < frames; start += CopyBlock)
        {
            var n = (int)Math.Min(CopyBlock, frames - start);
            for (var c = 0; c < track.Channels; c++)
            {
                track.Read(c, start, block[c].AsSpan(0, n));
                peak.Add(block[c].AsSpan(0, n));
            }
            writer.Write(block, 0, n);
        }
    }
}
