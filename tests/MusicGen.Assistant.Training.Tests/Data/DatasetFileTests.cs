using MusicGen.Assistant.Training.Data;

namespace MusicGen.Assistant.Training.Tests.Data;

public class DatasetFileTests
{
    private static readonly ConversationTurn[] EditTurns =
    [
        new(Speaker.Human, "Replace the flute with a cello.", InputModality: "audio", Caption: "a flute tune"),
        new(Speaker.Gpt, "Here is a music that is a cello tune.", OutputModality: "audio", Caption: "a cello tune"),
    ];

    [Fact]
    public void Every_format_round_trips()
    {
        using var tmp = new TempFolder();
        var captions = new[] { new CaptionEntry("a.mp3", "A calm piano piece."), new CaptionEntry("b.mp3", "Drums, \"loud\" and fast.\nSecond line.") };
        CaptionFile.Write(tmp.File("caps.json"), captions);
        Assert.Equal(captions, CaptionFile.Read(tmp.File("caps.json")));

        var edits = new[] { new InstructionEntry("x.mp3", "y.mp3", EditTurns) };
        InstructionFile.Write(tmp.File("edit.json"), edits);
        var back = InstructionFile.Read(tmp.File("edit.json"), InstructionSet.MuEdit).Single();
        Assert.Equal(("x.mp3", "y.mp3"), (back.InputFile, back.OutputFile));
        Assert.Equal(EditTurns, back.Conversation);

        var qa = new[] { new MusicQaEntry("012542.wav", [new(Speaker.Human, "Describe the audio"), new(Speaker.Gpt, "A guitar.")]) };
        MusicQaFile.Write(tmp.File("qa.json"), qa);
        var qaBack = MusicQaFile.Read(tmp.File("qa.json")).Single();
        Assert.Equal(qa[0].AudioName, qaBack.AudioName);
        Assert.Equal(qa[0].Conversation, qaBack.Conversation);

        var alpaca = new[] { new AlpacaEntry("Name a chord.", "", "C major."), new AlpacaEntry("Translate.", "Bonjour", "Hello.") };
        AlpacaFile.Write(tmp.File("alpaca.json"), alpaca);
        var alpacaBack = AlpacaFile.Read(tmp.File("alpaca.json"));
        Assert.Equal(alpaca[0], alpacaBack[0]);
        // the input travels inside the instruction in M2UGen's conversation form
        Assert.Equal(new AlpacaEntry("Translate.\nBonjour", "", "Hello."), alpacaBack[1]);
    }

    [Fact]
    public void Stanford_alpaca_and_M2UGen_musicqa_spellings_are_read()
    {
        using var tmp = new TempFolder();
        var alpaca = AlpacaFile.Read(tmp.File("a.json", """[{"instruction": "Give a tempo.", "input": "", "output": "120 BPM."}]"""));
        Assert.Equal(new AlpacaEntry("Give a tempo.", "", "120 BPM."), alpaca.Single());
        var qa = MusicQaFile.Read(tmp.File("q.json", """[{"image_name": "1.wav", "conversation": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}]"""));
        Assert.Equal("1.wav", qa.Single().AudioName);
    }

    [Theory]
    [InlineData("""{"a.mp3": "x", "b.mp3": 3}""", 1, "b.mp3", "string")]
    [InlineData("""{"a.mp3": "x", "a.mp3": "y"}""", 1, "a.mp3", "again")]
    [InlineData("""{"a.mp3": "  "}""", 0, "a.mp3", "empty")]
    public void Caption_file_errors_name_entry_and_field(string json, int entry, string field, string words)
    {
        using var tmp = new TempFolder();
        var e = Assert.Throws<DatasetFormatException>(() => CaptionFile.Read(tmp.File("c.json", json)));
        Assert.Equal((entry, field), (e.Entry, e.Field));
        Assert.Contains(words, e.Message);
        Assert.Contains("c.json", e.Message);
    }

    [Theory]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "human", "value": "q", "input_modality": "audio"}, {"from": "gpt", "value": "a"}]}, {"output_file": "b", "conversation": []}]""", 1, "input_file", "missing")]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "gpt", "value": "q"}, {"from": "human", "value": "a"}]}]""", 0, "conversation[0].from", "alternate")]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "human", "value": "q", "input_modality": "image"}, {"from": "gpt", "value": "a"}]}]""", 0, "conversation[0].input_modality", "take audio")]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "human", "value": 5}, {"from": "gpt", "value": "a"}]}]""", 0, "conversation[0].value", "string")]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "human", "value": "q"}]}]""", 0, "conversation", "end with a gpt")]
    [InlineData("""[{"input_file": "a", "output_file": "b", "conversation": [{"from": "robot", "value": "q"}, {"from": "gpt", "value": "a"}]}]""", 0, "conversation[0].from", "robot")]
    [InlineData("""[3]""", 0, null, "object")]
    public void Instruction_file_errors_name_entry_and_field(string json, int entry, string? field, string words)
    {
        using var tmp = new TempFolder();
        var e = Assert.Throws<DatasetFormatException>(() => InstructionFile.Read(tmp.File("edit.json", json), InstructionSet.MuEdit));
        Assert.Equal((entry, field), (e.Entry, e.Field));
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void Broken_json_and_missing_files_are_named()
    {
        using var tmp = new TempFolder();
        var e = Assert.Throws<DatasetFormatException>(() => AlpacaFile.Read(tmp.File("bad.json", "[{\"instruction\": \"x\",\n  oops}]")));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("not valid JSON", e.Message);
        var missing = Assert.Throws<DatasetFormatException>(() => MusicQaFile.Read(tmp.File("nothing.json")));
        Assert.Contains("does not exist", missing.Message);
        var notList = Assert.Throws<DatasetFormatException>(() => MusicQaFile.Read(tmp.File("obj.json", "{}")));
        Assert.Contains("must be a JSON list", notList.Message);
        var utf8 = tmp.File("bin.json");
        File.WriteAllBytes(utf8, [(byte)'[', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']']);
        Assert.Throws<DatasetFormatException>(() => AlpacaFile.Read(utf8));
    }
}
