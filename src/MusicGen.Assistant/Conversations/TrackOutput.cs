using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// Where a turn's track goes: a file the caller named, or a new file in the conversation's folder
/// ("mga-YYYYMMDD-HHMMSS-turnN.wav", "-UNTRAINED" added for the demo set), never over an existing one. Written as 32-bit
/// float WAV (what M2UGen's scipy write makes of MusicGen's float output) to a temporary file renamed when complete,
/// so a cancelled or failed turn leaves nothing half written.
/// </summary>
internal static class TrackOutput
{
    /// <summary>Peak the untrained demo's audio is lowered to when it is louder (its random EnCodec is not level-trained).</summary>
    public const double DemoPeakDbfs = -1;

    public static string? Write(AudioBuffer audio, string? path, string? folder, int turn, bool untrained, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var target = path ?? (folder is null ? null : NewName(folder, turn, untrained));
        if (target is null) return null;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(target));
            if (dir is not null) Directory.CreateDirectory(dir);
            WavWriter.Write(target, audio, WavSampleFormat.Float32);
            return Path.GetFullPath(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AssistantException.Output($"cannot write the track '{target}': {e.Message}", e);
        }
    }

    /// <summary>The WAV file's bytes (32-bit float), for a chat client's audio content.</summary>
    public static byte[] WavBytes(AudioBuffer audio)
    {
        // the WAV writer writes files; a temporary one keeps the format in one place
        var temp = Path.Combine(Path.GetTempPath(), $"mga-track-{Guid.NewGuid():N}.wav");
        try
        {
            WavWriter.Write(temp, audio, WavSampleFormat.Float32);
            return File.ReadAllBytes(temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The peak in dBFS (-inf for silence).</summary>
    public static double PeakDbfs(AudioBuffer audio)
    {
        var peak = 0f;
        foreach (var channel in audio.Channels)
            foreach (var x in channel) peak = Math.Max(peak, Math.Abs(x));
        return 20 * Math.Log10(peak);
    }

    /// <summary>Scales the audio so its peak is at most <paramref name="ceilingDbfs"/>; returns the gain in dB (0 when it already was).</summary>
    public static double LimitPeak(AudioBuffer audio, double ceilingDbfs)
    {
        var peak = PeakDbfs(audio);
        if (!(peak > ceilingDbfs)) return 0;
        var gain = (float)Math.Pow(10, (ceilingDbfs - peak) / 20);
        foreach (var channel in audio.Channels)
            for (var i = 0; i < channel.Length; i++) channel[i] *= gain;
        return ceilingDbfs - peak;
    }

    private static string NewName(string folder, int turn, bool untrained)
    {
        var stem = $"mga-{DateTime.Now:yyyyMMdd-HHmmss}-turn{turn}{(untrained ? "-UNTRAINED" : "")}";
        var candidate = Path.Combine(folder, stem + ".wav");
        for (var n = 2; File.Exists(candidate); n++) candidate = Path.Combine(folder, $"{stem}-{n}.wav");
        return candidate;
    }
}
