using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Training.Tests.M2UGen;

/// <summary>
/// The m2ugen fixture converted once per run into a model set (F32): its LLaMA (with the LLaMA tokenizer and [AUD]
/// tokens), adapters, projector, the encoder fixtures its config.json names as stand-ins, and musicgen-tiny. Every
/// path comes from the fixture files, so another fixture set of this layout works too.
/// </summary>
internal static partial class TinyM2UGenSet
{
    private static readonly Lazy<ModelSetManifest> Converted = new(Convert);

    [GeneratedRegex(@"^\w+/(?<set>[\w.-]+)")]
    private static partial Regex StandIn();

    [GeneratedRegex(@"sentencepiece\((?<model>[\w.-]+\.model)\)")]
    private static partial Regex T5Model();

    public static FixtureSet Set => FixtureSet.All().First(s => File.Exists(s.ConfigPath) &&
        JsonNode.Parse(File.ReadAllText(s.ConfigPath))!["model_type"]?.GetValue<string>() == "m2ugen");

    public static ModelSetManifest Manifest => Converted.Value;

    public static AssistantParts Parts => Manifest.Assistant!;

    private static ModelSetManifest Convert()
    {
        var config = JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!;
        var adapters = config["adapters"]!;
        FixtureSet Encoder(string section) => FixtureSet.ByName(StandIn().Match(adapters[section]!["encoder_stand_in"]!.GetValue<string>()).Groups["set"].Value);
        var musicgen = FixtureSet.ByName("musicgen-tiny");
        var sources = new M2UGenSetSources
        {
            Checkpoint = Path.Combine(Set.Directory, "checkpoint.pth"),
            ConfigJson = Set.ConfigPath,
            MusicGenFolder = musicgen.Directory,
            EncoderFolders = new Dictionary<M2UGenModality, string>
            {
                [M2UGenModality.Music] = Encoder("audio").Directory,
                [M2UGenModality.Image] = Encoder("image").Directory,
                [M2UGenModality.Video] = Encoder("video").Directory,
            },
            LlamaTokenizer = Path.GetFullPath(Path.Combine(Set.Directory, config["tokenizer"]!["model_file"]!.GetValue<string>())),
            T5Tokenizer = Path.Combine(Set.Directory, "..", "tokenizers", T5Model().Match(musicgen.Vector("text_input_ids").Meaning).Groups["model"].Value),
        };
        var output = Directory.CreateTempSubdirectory("mga-train-m2ugen-set-").FullName;
        var result = M2UGenSetConversion.Convert(sources, output, StorageType.F32);
        return ModelSetLocator.Resolve(Path.GetDirectoryName(result.ManifestPath)!);
    }
}
