using System.Globalization;
using System.Text.Json;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Reads ffprobe's <c>-print_format json -show_format -show_streams</c> output. ffprobe writes most numbers as strings
/// ("44100", "5.000000", "25/1") and "N/A" for unknowns; all of those become null here rather than errors.
/// </summary>
internal static class FfprobeJson
{
    /// <exception cref="FormatException">The text is not ffprobe's JSON.</exception>
    public static MediaInfo Parse(string json, string path, bool durationIsEstimate)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid JSON: {e.Message}", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"expected a JSON object, got {root.ValueKind}");
            var streams = new List<MediaStreamInfo>();
            if (root.TryGetProperty("streams", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
                foreach (JsonElement stream in list.EnumerateArray())
                    streams.Add(ParseStream(stream));
            JsonElement format = root.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.Object ? f : default;
            return new MediaInfo
            {
                Path = path,
                FormatName = (format.ValueKind == JsonValueKind.Object ? String(format, "format_name") : null) ?? "unknown",
                Duration = format.ValueKind == JsonValueKind.Object ? Seconds(format, "duration") : null,
                DurationIsEstimate = durationIsEstimate,
                Streams = streams,
            };
        }
    }

    private static MediaStreamInfo ParseStream(JsonElement s)
    {
        int? rate = Integer(s, "sample_rate");
        return new MediaStreamInfo
        {
            Index = Integer(s, "index") ?? throw new FormatException("a stream has no index"),
            Type = String(s, "codec_type") switch
            {
                "audio" => MediaStreamType.Audio,
                "video" => MediaStreamType.Video,
                "subtitle" => MediaStreamType.Subtitle,
                "data" => MediaStreamType.Data,
                "attachment" => MediaStreamType.Attachment,
                _ => MediaStreamType.Unknown,
            },
            Codec = String(s, "codec_name") ?? "unknown codec",
            SampleRate = rate is > 0 ? rate : null,
            Channels = Integer(s, "channels") is > 0 and var ch ? ch : null,
            ChannelLayout = String(s, "channel_layout"),
            Width = Integer(s, "width") is > 0 and var w ? w : null,
            Height = Integer(s, "height") is > 0 and var h ? h : null,
            FrameRate = Rational(s, "avg_frame_rate") ?? Rational(s, "r_frame_rate"),
            FrameCount = Long(s, "nb_frames") is > 0 and var n ? n : null,
            Duration = Seconds(s, "duration") ?? TagDuration(s),
            IsAttachedPicture = s.TryGetProperty("disposition", out JsonElement d) && d.ValueKind == JsonValueKind.Object
                                && Integer(d, "attached_pic") == 1,
        };
    }

    private static string? String(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out JsonElement v))
            return null;
        string? text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        return text is null or "" or "N/A" ? null : text;
    }

    private static double? Double(JsonElement e, string name) =>
        String(e, name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
        && double.IsFinite(v) ? v : null;

    private static long? Long(JsonElement e, string name) =>
        String(e, name) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static int? Integer(JsonElement e, string name) => Long(e, name) is { } v && v is >= int.MinValue and <= int.MaxValue ? (int)v : null;

    private static TimeSpan? Seconds(JsonElement e, string name) =>
        Double(e, name) is { } s && s >= 0 && s < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(s) : null;

    /// <summary>"30000/1001" → 29.97; "0/0" (unknown) → null.</summary>
    private static double? Rational(JsonElement e, string name)
    {
        if (String(e, name) is not { } text)
            return null;
        int slash = text.IndexOf('/');
        if (slash < 0)
            return Double(e, name) is > 0 and var whole ? whole : null;
        if (!double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out double num)
            || !double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double den)
            || num <= 0 || den <= 0)
            return null;
        return num / den;
    }

    // Matroska/WebM keep a stream's length only as a "DURATION" tag such as "00:00:05.000000000".
    private static TimeSpan? TagDuration(JsonElement s)
    {
        if (!s.TryGetProperty("tags", out JsonElement tags) || tags.ValueKind != JsonValueKind.Object)
            return null;
        foreach (JsonProperty tag in tags.EnumerateObject())
        {
            if (!tag.Name.Equals("DURATION", StringComparison.OrdinalIgnoreCase) || tag.Value.ValueKind != JsonValueKind.String)
                continue;
            string text = tag.Value.GetString()!;
            string[] parts = text.Split(':');
            if (parts.Length == 3
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int hours)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minutes)
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                return TimeSpan.FromSeconds(hours * 3600.0 + minutes * 60.0 + seconds);
        }
        return null;
    }
}
