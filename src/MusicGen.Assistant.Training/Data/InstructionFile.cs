namespace MusicGen.Assistant.Training.Data;

/// <summary>Which M2UGen instruction set a file is: fixes the modality the human turn brings.</summary>
public enum InstructionSet
{
    /// <summary>MUEdit: source music in, edited music out.</summary>
    MuEdit,

    /// <summary>MUImage: an image in, music for it out.</summary>
    MuImage,

    /// <summary>MUVideo: a video in, music for it out.</summary>
    MuVideo,

    /// <summary>MUCapsInstructions: text in (no input file), music out.</summary>
    MuCaps,
}

/// <summary>
/// One element of an MUEdit / MUImage / MUVideo (or MUCapsInstructions) file: the input media (none for MUCaps), the
/// output music, and the conversation whose human turn carries input_modality + the source caption and whose gpt turn
/// carries output_modality "audio" + the target caption.
/// </summary>
public sealed record InstructionEntry(string? InputFile, string OutputFile, IReadOnlyList<ConversationTurn> Conversation);

/// <summary>Reads and writes M2UGen's instruction files (a JSON list of <see cref="InstructionEntry"/>), checking each entry.</summary>
public static class InstructionFile
{
    public static string InputModality(InstructionSet set) => set switch
    {
        InstructionSet.MuEdit => Modalities.Audio,
        InstructionSet.MuImage => Modalities.Image,
        InstructionSet.MuVideo => Modalities.Video,
        InstructionSet.MuCaps => Modalities.Text,
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    public static IReadOnlyList<InstructionEntry> Read(string path, InstructionSet set)
    {
        using var doc = JsonDatasetFile.Parse(path);
        var root = JsonDatasetFile.RootArray(doc, path, "instruction entries");
        var result = new List<InstructionEntry>(root.GetArrayLength());
        var i = 0;
        foreach (var element in root.EnumerateArray())
            result.Add(ReadEntry(JsonEntry.Of(path, i++, element, "an instruction entry"), set));
        return result;
    }

    private static InstructionEntry ReadEntry(JsonEntry e, InstructionSet set)
    {
        var input = e.OptionalString("input_file");
        if (set != InstructionSet.MuCaps && input is null) throw e.Error("input_file", $"is missing ({set} entries name their input media)");
        var output = e.String("output_file");
        var turns = e.List("conversation", ConversationTurn.Read);
        ConversationTurn.CheckOrder(turns, e);
        var expected = InputModality(set);
        for (var t = 0; t < turns.Count; t++)
        {
            if (turns[t].InputModality is { } m && m != expected)
                throw e.Error($"conversation[{t}].input_modality", $"is '{m}', but {set} entries take {expected}");
            if (turns[t].OutputModality is { } o && o != Modalities.Audio)
                throw e.Error($"conversation[{t}].output_modality", $"is '{o}', but {set} entries produce audio");
        }
        return new InstructionEntry(input, output, turns);
    }

    public static void Write(string path, IEnumerable<InstructionEntry> entries) =>
        JsonDatasetFile.Write(path, w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                if (e.InputFile is not null) w.WriteString("input_file", e.InputFile);
                w.WriteString("output_file", e.OutputFile);
                w.WritePropertyName("conversation");
                w.WriteStartArray();
                foreach (var t in e.Conversation) t.Write(w);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
}
