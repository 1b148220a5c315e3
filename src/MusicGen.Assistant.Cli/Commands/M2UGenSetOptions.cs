using System.CommandLine;
using System.Diagnostics;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Conversion;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga convert checkpoint.pth OUT-FOLDER --musicgen DIR --tokenizer tokenizer.model [--mert DIR --vit DIR --vivit DIR]</c>:
/// the options of a whole M2UGen model set and its report (parse → call <see cref="CheckpointConversion.ConvertM2UGenSet"/> → print).
/// </summary>
internal sealed class M2UGenSetOptions
{
    private readonly Option<string?> _musicgen = new("--musicgen") { Description = "M2UGen set: Hugging Face MusicGen folder (its config; its weights when the checkpoint has no generation_model.*).", HelpName = "DIR" };
    private readonly Option<string?> _tokenizer = new("--tokenizer") { Description = "M2UGen set: the LLaMA's tokenizer.model (the [AUD0..7] tokens are added).", HelpName = "FILE" };
    private readonly Option<string?> _t5Tokenizer = new("--t5-tokenizer") { Description = "M2UGen set: T5's spiece.model when the MusicGen folder has none.", HelpName = "FILE" };
    private readonly Option<string?> _config = new("--m2ugen-config") { Description = "M2UGen set: an M2UGen config.json (head counts, epsilons; sizes cross-checked).", HelpName = "FILE" };
    private readonly Dictionary<M2UGenModality, Option<string?>> _encoders = M2UGenModalities.All.ToDictionary(m => m, m =>
        new Option<string?>("--" + M2UGenSetPlan.Encoder(m).Option) { Description = $"M2UGen set: Hugging Face {m.Name()} encoder folder (its config; its weights when the checkpoint lacks them).", HelpName = "DIR" });
    private readonly Option<string> _path = new("--music-path") { Description = "M2UGen set: how replies condition MusicGen (text: the released behaviour; projector: the paper's).", DefaultValueFactory = _ => "text" };

    public static M2UGenSetOptions Create()
    {
        var o = new M2UGenSetOptions();
        o._path.AcceptOnlyFromAmong("text", "projector");
        return o;
    }

    public IEnumerable<Option> All => new Option[] { _musicgen, _tokenizer, _t5Tokenizer, _config, _path }.Concat(_encoders.Values);

    public int Run(CliSession session, ParseResult parsed, string checkpoint, string output, StorageType storage)
    {
        string Required(Option<string?> option) => parsed.GetValue(option)
            ?? throw new CliException($"converting an M2UGen checkpoint into a model set folder needs {option.Name}");
        var sources = new M2UGenSetSources
        {
            Checkpoint = checkpoint,
            ConfigJson = parsed.GetValue(_config),
            MusicGenFolder = Required(_musicgen),
            LlamaTokenizer = Required(_tokenizer),
            T5Tokenizer = parsed.GetValue(_t5Tokenizer),
            EncoderFolders = _encoders.Where(e => parsed.GetValue(e.Value) is not null).ToDictionary(e => e.Key, e => parsed.GetValue(e.Value)!),
            MusicConditioning = MusicConditioningPaths.Parse(parsed.GetValue(_path)!),
        };
        var clock = Stopwatch.StartNew();
        var result = ConsoleProgress.Run(session, progress => ConvertJob.RunM2UGenSet(sources, output, storage, progress, session.Cancellation));
        var console = session.Console;
        console.Line($"Converted '{checkpoint}' (m2ugen) -> '{result.ManifestPath}'");
        foreach (var f in result.Files)
            console.Field(Path.GetFileName(f.Result.Path), $"{f.Part}: {f.Result.TensorCount} tensors, {Units.Bytes(f.Result.Bytes)}");
        console.Field("time", Units.Duration(clock.Elapsed));
        foreach (var line in result.Gates.Lines()) console.Line(line);
        foreach (var warning in result.Warnings) console.Field("warning", warning);
        foreach (var note in result.Notes) console.Field("note", note);
        return ExitCodes.Success;
    }
}
