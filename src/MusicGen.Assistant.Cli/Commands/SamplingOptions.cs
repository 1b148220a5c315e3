using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Generation;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// The options every generating command shares (model set, guidance, top-k, top-p, temperature, seed, greedy), with
/// their range checks; values left out come from the model set's defaults (audiocraft's preset).
/// </summary>
internal sealed class SamplingOptions
{
    public Option<string?> Model { get; } = new("--model", "-m") { Description = "A musicgen.modelset.json, a folder holding one, or a converted MusicGen .gguf (tokenizer next to it). Default: the UNTRAINED demo set.", HelpName = "PATH" };
    public Option<double?> Cfg { get; } = new NumberOption<double?>("--cfg", new NumberRange(1, 100, "between 1 (no guidance) and 100")) { Description = "Classifier-free guidance scale (1 = off). Default: the model set's (3)." };
    public Option<int?> TopK { get; } = new NumberOption<int?>("--top-k", new NumberRange(0, 1_000_000, "0 (off) or a whole number up to 1000000", Integer: true)) { Description = "Sample among the k most likely tokens (0 = off). Default: the model set's (250)." };
    public Option<double?> TopP { get; } = new NumberOption<double?>("--top-p", new NumberRange(0, 1, "between 0 (off) and 1")) { Description = "Nucleus sampling mass in (0, 1]; 0 = off. Default: the model set's (0)." };
    public Option<double?> Temperature { get; } = new NumberOption<double?>("--temperature", new NumberRange(0, 100, "a positive number up to 100", MinExclusive: true)) { Description = "Softmax temperature (> 0). Default: the model set's (1)." };
    public Option<ulong?> Seed { get; } = new NumberOption<ulong?>("--seed", new NumberRange(0, ulong.MaxValue, $"a whole number from 0 to {ulong.MaxValue}", Integer: true)) { Description = "Seed of the sampler (same seed, same settings: same audio). Default: a random seed, printed." };
    public Option<bool> Greedy { get; } = new("--greedy") { Description = "Always take the most likely token (deterministic; ignores temperature, top-k, top-p)." };

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Model, Cfg, TopK, TopP, Temperature, Seed, Greedy }) command.Options.Add(o);
    }

    /// <summary>The parsed sampling values, as the jobs take them.</summary>
    public SamplingChoice Read(ParseResult parsed) => new(parsed.GetValue(Cfg), parsed.GetValue(TopK), parsed.GetValue(TopP),
        parsed.GetValue(Temperature), parsed.GetValue(Seed), parsed.GetValue(Greedy));
}
