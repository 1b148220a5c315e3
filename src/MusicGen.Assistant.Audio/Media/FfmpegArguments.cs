using System.Globalization;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>Small pieces of ffmpeg command lines shared by the decoders and encoders.</summary>
internal static class FfmpegArguments
{
    /// <summary>
    /// The "file:" protocol with a full path: a name starting with '-' or holding ':' (e.g. "take:2.wav") is never read
    /// as an option or another protocol.
    /// </summary>
    public static string InputUrl(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Flags every run starts with: no banner, no keyboard interaction, errors only.</summary>
    public static readonly string[] Quiet = ["-hide_banner", "-nostdin", "-loglevel", "error"];

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
