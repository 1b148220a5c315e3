using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.ChatClient;

/// <summary>
/// Typed settings of the assistant carried in <see cref="ChatOptions.AdditionalProperties"/> (the keys below, so they
/// also travel through JSON and Semantic Kernel's execution settings): the track's duration, MusicGen's guidance and
/// top-k, the conditioning path, and whether the last track in the messages is the turn's audio input.
/// <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.MaxOutputTokens"/> and
/// <see cref="ChatOptions.Seed"/> map to the reply's sampling; <see cref="ChatOptions.TopK"/> has no counterpart
/// (M2UGen samples its replies by top-p alone) and is refused.
/// </summary>
public static class AssistantChatOptions
{
    public const string DurationKey = "mga.duration_seconds";
    public const string GuidanceKey = "mga.guidance_scale";
    public const string MusicTopKKey = "mga.music_top_k";
    public const string ConditioningKey = "mga.conditioning";
    public const string UseLastTrackKey = "mga.use_last_track";

    public static ChatOptions WithDuration(this ChatOptions options, TimeSpan duration) => With(options, DurationKey, duration.TotalSeconds);
    public static ChatOptions WithGuidance(this ChatOptions options, double scale) => With(options, GuidanceKey, scale);
    public static ChatOptions WithMusicTopK(this ChatOptions options, int topK) => With(options, MusicTopKKey, topK);
    public static ChatOptions WithConditioning(this ChatOptions options, MusicConditioningPath path) => With(options, ConditioningKey, path.Name());
    public static ChatOptions WithUseLastTrack(this ChatOptions options, bool use = true) => With(options, UseLastTrackKey, use);

    public static TimeSpan? GetDuration(this ChatOptions options) => Double(options, DurationKey) is { } s ? TimeSpan.FromSeconds(s) : null;
    public static double? GetGuidance(this ChatOptions options) => Double(options, GuidanceKey);
    public static int? GetMusicTopK(this ChatOptions options) => Double(options, MusicTopKKey) is { } k ? checked((int)k) : null;
    public static MusicConditioningPath? GetConditioning(this ChatOptions options) =>
        Raw(options, ConditioningKey) is { } v ? Guard(ConditioningKey, () => MusicConditioningPaths.Parse(Text(v))) : null;
    public static bool GetUseLastTrack(this ChatOptions options) =>
        Raw(options, UseLastTrackKey) is { } v && Guard(UseLastTrackKey, () => v is JsonElement j ? j.GetBoolean() : Convert.ToBoolean(v, CultureInfo.InvariantCulture));

    /// <summary>The turn options these chat options ask for, over <paramref name="defaults"/>.</summary>
    public static TurnOptions ToTurnOptions(this ChatOptions? options, TurnOptions defaults)
    {
        if (options is null) return defaults;
        if (options.TopK is not null)
            throw AssistantException.InvalidRequest("ChatOptions.TopK: M2UGen samples its replies by temperature and top-p only; for MusicGen's top-k use WithMusicTopK");
        return defaults with
        {
            Temperature = options.Temperature ?? defaults.Temperature,
            TopP = options.TopP ?? defaults.TopP,
            MaxNewTokens = options.MaxOutputTokens ?? defaults.MaxNewTokens,
            Seed = options.Seed is { } s ? unchecked((ulong)s) : defaults.Seed,
            DurationSeconds = options.GetDuration()?.TotalSeconds ?? defaults.DurationSeconds,
            GuidanceScale = options.GetGuidance() ?? defaults.GuidanceScale,
            TopK = options.GetMusicTopK() ?? defaults.TopK,
            Conditioning = options.GetConditioning() ?? defaults.Conditioning,
        };
    }

    private static ChatOptions With(ChatOptions options, string key, object value)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[key] = value;
        return options;
    }

    private static object? Raw(ChatOptions options, string key) =>
        options.AdditionalProperties is { } p && p.TryGetValue(key, out var v) ? v : null;

    private static double? Double(ChatOptions options, string key) => Raw(options, key) is { } v
        ? Guard(key, () => v is JsonElement j ? (j.ValueKind == JsonValueKind.String ? double.Parse(j.GetString()!, CultureInfo.InvariantCulture) : j.GetDouble())
            : Convert.ToDouble(v, CultureInfo.InvariantCulture))
        : null;

    private static string Text(object v) => v is JsonElement j ? j.GetString() ?? "" : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";

    private static T Guard<T>(string key, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is FormatException or InvalidCastException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw AssistantException.InvalidRequest($"chat option '{key}': {e.Message}");
        }
    }
}
