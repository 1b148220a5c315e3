namespace MusicGen.Assistant.Training.Data;

/// <summary>One MusicQA clip: its audio file and the question/answer conversation about it.</summary>
public sealed record MusicQaEntry(string AudioName, IReadOnlyList<ConversationTurn> Conversation);

/// <summary>
/// MU-LLaMA's MusicQA files (Pretrain/Finetune/EvalMusicQA.json): a list of {audio_name, conversation}. M2UGen's own
/// loader reads "image_name" instead; that spelling is accepted too, and "audio_name" is what we write.
/// </summary>
public static class MusicQaFile
{
    public static IReadOnlyList<MusicQaEntry> Read(string path)
    {
        using var doc = JsonDatasetFile.Parse(path);
        var root = JsonDatasetFile.RootArray(doc, path, "MusicQA entries");
        var result = new List<MusicQaEntry>(root.GetArrayLength());
        var i = 0;
        foreach (var element in root.EnumerateArray())
        {
            var e = JsonEntry.Of(path, i++, element, "a MusicQA entry");
            var name = e.Has("audio_name") || !e.Has("image_name") ? e.String("audio_name") : e.String("image_name");
            var turns = e.List("conversation", ConversationTurn.Read);
            ConversationTurn.CheckOrder(turns, e);
            result.Add(new MusicQaEntry(name, turns));
        }
        return result;
    }

    public static void Write(string path, IEnumerable<MusicQaEntry> entries) =>
        JsonDatasetFile.Write(path, w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("audio_name", e.AudioName);
                w.WritePropertyName("conversation");
                w.WriteStartArray();
                foreach (var t in e.Conversation) t.Write(w);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
}
