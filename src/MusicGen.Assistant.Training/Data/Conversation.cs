namespace MusicGen.Assistant.Training.Data;

/// <summary>Who speaks a turn: M2UGen's "from" field ("human" or "gpt").</summary>
public enum Speaker { Human, Gpt }

/// <summary>The media kinds M2UGen's instruction files name in input_modality / output_modality.</summary>
public static class Modalities
{
    public const string Text = "text";
    public const string Audio = "audio";
    public const string Image = "image";
    public const string Video = "video";

    public static readonly IReadOnlyList<string> All = [Text, Audio, Image, Video];
}

/// <summary>
/// One turn of an M2UGen conversation: the text, and for instruction files the modality it takes or yields and the
/// caption of that media (MUEdit/MUImage/MUVideo: the source caption on the human turn, the target's on the gpt turn).
/// </summary>
public sealed record ConversationTurn(Speaker From, string Value, string? InputModality = null, string? OutputModality = null, string? Caption = null)
{
    public static string Name(Speaker s) => s == Speaker.Human ? "human" : "gpt";

    internal static ConversationTurn Read(JsonEntry e)
    {
        var from = e.String("from") switch
        {
            "human" => Speaker.Human,
            "gpt" => Speaker.Gpt,
            var other => throw e.Error("from", $"is '{other}'; a turn is from \"human\" or \"gpt\""),
        };
        var input = Modality(e, "input_modality");
        var output = Modality(e, "output_modality");
        return new ConversationTurn(from, e.String("value"), input, output, e.OptionalString("caption"));
    }

    private static string? Modality(JsonEntry e, string field)
    {
        var m = e.OptionalString(field);
        if (m is not null && !Modalities.All.Contains(m))
            throw e.Error(field, $"is '{m}'; one of {string.Join(", ", Modalities.All)}");
        return m;
    }

    internal void Write(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("from", Name(From));
        w.WriteString("value", Value);
        if (InputModality is not null) w.WriteString("input_modality", InputModality);
        if (Caption is not null) w.WriteString("caption", Caption);
        if (OutputModality is not null) w.WriteString("output_modality", OutputModality);
        w.WriteEndObject();
    }

    /// <summary>A conversation must open with the human, alternate, and end with the answer (what training supervises).</summary>
    internal static void CheckOrder(IReadOnlyList<ConversationTurn> turns, JsonEntry e)
    {
        for (var i = 0; i < turns.Count; i++)
        {
            var expected = i % 2 == 0 ? Speaker.Human : Speaker.Gpt;
            if (turns[i].From != expected)
                throw e.Error($"conversation[{i}].from", $"is \"{Name(turns[i].From)}\"; turns alternate human, gpt, ... starting with human");
        }
        if (turns.Count % 2 != 0)
            throw e.Error("conversation", $"has {turns.Count} turns; it must end with a gpt answer");
    }
}
