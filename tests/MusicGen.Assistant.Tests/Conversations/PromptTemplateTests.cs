using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Conversations;

/// <summary>The prompt files: loaded at run time, filled in one pass, refused when a placeholder is missing or doubled.</summary>
public class PromptTemplateTests
{
    [Fact]
    public void The_shipped_template_without_history_is_m2ugens_format_prompt_and_history_repeats_the_turn_block()
    {
        var template = PromptTemplate.Load();
        Assert.True(template.CarriesHistory);
        // format_prompt as m2ugen.md quotes it: the fixture's prompt text is checked in AssistantParityTests
        Assert.EndsWith("\n\n### Instruction:\nhi\n\n### Response:", template.Format([], "hi"));
        Assert.Equal(template.Format([], "hi").Replace("### Instruction:\nhi", "### Instruction:\na\n\n### Response:b\n\n### Instruction:\nhi"),
            template.Format([("a", "b")], "hi"));
    }

    [Fact]
    public void Placeholders_in_the_message_are_left_as_typed()
    {
        var template = PromptTemplate.FromText("[{history}|{instruction}]", "<{instruction}={response}>");
        Assert.Equal("[<{response}={instruction}>|{history}]", template.Format([("{response}", "{instruction}")], "{history}"));
    }

    [Fact]
    public void A_template_without_history_forgets_earlier_turns_as_the_original()
    {
        var template = PromptTemplate.FromText("Q: {instruction}\nA:", "{instruction}{response}");
        Assert.False(template.CarriesHistory);
        Assert.Equal("Q: now\nA:", template.Format([("then", "ok")], "now"));
    }

    [Fact]
    public void Files_with_a_missing_or_doubled_placeholder_are_refused_by_name()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(PromptTemplate.InstructionFile), "no slot here");
        File.WriteAllText(dir.File(PromptTemplate.HistoryTurnFile), "{instruction}{response}");
        var e = Assert.Throws<AssistantException>(() => PromptTemplate.Load(dir.Path));
        Assert.Contains($"{PromptTemplate.InstructionFile}: {{instruction}} appears 0 time(s); expected 1", e.Message);
        File.WriteAllText(dir.File(PromptTemplate.InstructionFile), "{instruction}");
        File.WriteAllText(dir.File(PromptTemplate.HistoryTurnFile), "{instruction}{response}{response}");
        Assert.Contains("{response} appears 2 time(s)", Assert.Throws<AssistantException>(() => PromptTemplate.Load(dir.Path)).Message);
        File.Delete(dir.File(PromptTemplate.HistoryTurnFile));
        Assert.Equal(AssistantErrorKind.Runtime, Assert.Throws<AssistantException>(() => PromptTemplate.Load(dir.Path)).Kind);
    }
}
