namespace MusicGen.Assistant.Training.Data;

/// <summary>A text-only instruction: Alpaca's instruction, optional input and expected output.</summary>
public sealed record AlpacaEntry(string Instruction, string Input, string Output)
{
    /// <summary>The instruction as M2UGen's prompt takes it: Alpaca's input (when any) follows on a new line.</summary>
    public string FullInstruction => Input.Length == 0 ? Instruction : $"{Instruction}\n{Input}";
}

/// <summary>
/// Alpaca instruction files, in both spellings in use: Stanford's alpaca_data.json ({instruction, input, output}) and
/// M2UGen's conversation form ({conversation: [{from: human, value}, {from: gpt, value}]}). Writes M2UGen's form,
/// which is what its stage-3 loader reads.
/// </summary>
public static class AlpacaFile
{
    public static IReadOnlyList<AlpacaEntry> Read(string path)
    {
        using var doc = JsonDatasetFile.Parse(path);
        var root = JsonDatasetFile.RootArray(doc, path, "Alpaca entries");
        var result = new List<AlpacaEntry>(root.GetArrayLength());
        var i = 0;
        foreach (var element in root.EnumerateArray())
        {
            var e = JsonEntry.Of(path, i++, element, "an Alpaca entry");
            if (e.Has("conversation"))
            {
                var turns = e.List("conversation", t => new ConversationTurn(
                    t.Has("from") ? (t.String("from") == "gpt" ? Speaker.Gpt : Speaker.Human) : Speaker.Human, t.String("value")));
                if (turns.Count != 2)
                    throw e.Error("conversation", $"has {turns.Count} turns; an Alpaca entry is one instruction and one answer");
                result.Add(new AlpacaEntry(turns[0].Value, "", turns[1].Value));
            }
            else
                result.Add(new AlpacaEntry(e.String("instruction"), e.StringOrEmpty("input"), e.String("output")));
        }
        return result;
    }

    public static void Write(string path, IEnumerable<AlpacaEntry> entries) =>
        JsonDatasetFile.Write(path, w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WritePropertyName("conversation");
                w.WriteStartArray();
                new ConversationTurn(Speaker.Human, e.FullInstruction).Write(w);
                new ConversationTurn(Speaker.Gpt, e.Output).Write(w);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
}
