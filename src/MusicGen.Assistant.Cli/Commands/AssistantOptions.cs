using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>The options <c>mga chat</c> and <c>mga ask</c> share: the model set, the reply's sampling and the track's.</summary>
internal sealed class AssistantOptions
{
    public Option<string?> Model { get; } = new("--model", "-m") { Description = "An M2UGen assistant set (its musicgen.modelset.json or folder, from `mga convert checkpoint.pth FOLDER`). Default: the UNTRAINED demo assistant.", HelpName = "PATH" };
    public Option<double> Duration { get; } = new NumberOption<double>("--duration", NumberOptions.Seconds, "-d") { Description = "Seconds of each track (M2UGen's demo default: 30).", DefaultValueFactory = _ => 30 };
    public Option<double?> Temperature { get; } = new NumberOption<double?>("--temperature", new NumberRange(0, 100, "0 (greedy) or a positive number up to 100")) { Description = "Reply sampling temperature (0 = greedy). Default 0.6." };
    public Option<double?> TopP { get; } = new NumberOption<double?>("--top-p", new NumberRange(0, 1, "in (0, 1]", MinExclusive: true)) { Description = "Reply nucleus sampling mass. Default 0.8." };
    public Option<int?> MaxTokens { get; } = new NumberOption<int?>("--max-tokens", new NumberRange(1, 1 << 20, "a whole number from 1", Integer: true)) { Description = "Most reply tokens. Default 512." };
    public Option<ulong?> Seed { get; } = new NumberOption<ulong?>("--seed", new NumberRange(0, ulong.MaxValue, $"a whole number from 0 to {ulong.MaxValue}", Integer: true)) { Description = "Seed of the reply and the music (same seed, same answer). Default: random, printed." };
    public Option<double?> Cfg { get; } = new NumberOption<double?>("--cfg", new NumberRange(1, 100, "between 1 (no guidance) and 100")) { Description = "MusicGen guidance. Default: 3.5 on the text path, 1 on the projector path (as M2UGen)." };
    public Option<string?> MusicPath { get; } = new("--music-path") { Description = "How the reply's [AUD] tokens condition MusicGen: projector (the paper) or text (the released model). Default: the model set's." };

    public Option<bool> WordsOnly { get; } = new("--words-only") { Description = "Answer in words only: the reply never takes the [AUD] tokens, so no track is made (questions about the attached music)." };

    public AssistantOptions() => MusicPath.AcceptOnlyFromAmong("text", "projector");

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Model, Duration, Temperature, TopP, MaxTokens, Seed, Cfg, MusicPath, WordsOnly }) command.Options.Add(o);
    }

    public TurnOptions Read(ParseResult parsed, string? trackPath = null)
    {
        var d = new TurnOptions();
        return new TurnOptions
        {
            Temperature = (float)(parsed.GetValue(Temperature) ?? d.Temperature),
            TopP = (float)(parsed.GetValue(TopP) ?? d.TopP),
            MaxNewTokens = parsed.GetValue(MaxTokens) ?? d.MaxNewTokens,
            Seed = parsed.GetValue(Seed),
            DurationSeconds = parsed.GetValue(Duration),
            GuidanceScale = parsed.GetValue(Cfg),
            Conditioning = parsed.GetValue(MusicPath) is { } p ? MusicConditioningPaths.Parse(p) : null,
            TrackPath = trackPath,
            WordsOnly = parsed.GetValue(WordsOnly),
        };
    }
}
