using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga convert checkpoint.pth FOLDER --musicgen ... --tokenizer ...</c> writes the whole M2UGen model set and prints
/// each part and the adapter-gate report; missing set options are named. (The conversion itself is tested in
/// Models.Tests/M2UGen/M2UGenSetConversionTests.)
/// </summary>
public sealed class ConvertM2UGenSetTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static FixtureSet M2UGen => FixtureSet.ByName("m2ugen-tiny");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_m2ugen_checkpoint_converts_into_a_model_set_folder()
    {
        var config = JsonNode.Parse(File.ReadAllText(M2UGen.ConfigPath))!;
        string Encoder(string modality) =>
            FixtureSet.ByName(Regex.Match(config["adapters"]![modality]!["encoder_stand_in"]!.GetValue<string>(), @"^\w+/(?<s>[\w.-]+)").Groups["s"].Value).Directory;
        var tokenizer = Path.GetFullPath(Path.Combine(M2UGen.Directory, config["tokenizer"]!["model_file"]!.GetValue<string>()));
        var folder = _dir.File("set");
        string[] args =
        [
            "convert", Path.Combine(M2UGen.Directory, "checkpoint.pth"), folder, "--m2ugen-config", M2UGen.ConfigPath,
            "--musicgen", FixtureSet.ByName("musicgen-tiny").Directory, "--tokenizer", tokenizer, "--t5-tokenizer", FixtureModelSet.TokenizerPath,
            "--mert", Encoder("audio"), "--vit", Encoder("image"), "--vivit", Encoder("video"),
        ];
        var result = Mga.Run(args).Succeeded();
        Assert.Contains("(m2ugen)", result.Out);
        foreach (var part in new[] { "llama", "adapters", "projector", "musicgen", "music encoder", "image encoder", "video encoder" })
            Assert.Contains(part, result.Out);
        Assert.Contains("adapter gates (HEAD layout", result.Out);
        Assert.True(File.Exists(Path.Combine(folder, "musicgen.modelset.json")));

        Mga.Run(args.Where((_, i) => i is < 5 || i > 6).ToArray()).FailedWith(1, "needs --musicgen");
    }
}
