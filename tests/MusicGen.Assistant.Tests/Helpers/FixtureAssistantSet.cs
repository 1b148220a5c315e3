using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Tests.Helpers;

/// <summary>
/// The m2ugen fixture composed into a real assistant set by the project's converter (h-proj's whole-checkpoint
/// conversion), once per test run: checkpoint.pth + config.json, the encoder fixtures its config names as stand-ins,
/// the MusicGen fixture its projector's out_dim matches, the LLaMA tokenizer its config names. Everything is found
/// from the fixture files.
/// </summary>
public static partial class FixtureAssistantSet
{
    private static readonly Lazy<ModelSetManifest> Converted = new(Convert);

    [GeneratedRegex(@"^\w+/(?<set>[\w.-]+)")]
    private static partial Regex StandIn();

    [GeneratedRegex(@"sentencepiece\((?<model>[\w.-]+\.model)\)")]
    private static partial Regex T5Model();

    public static FixtureSet Set => FixtureSet.ByName("m2ugen-tiny");
    public static FixtureSet MusicGen => FixtureSet.ByName("musicgen-tiny");

    /// <summary>The converted set's manifest (kind m2ugen).</summary>
    public static ModelSetManifest Manifest => Converted.Value;

    public static JsonNode Config() => JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!;

    /// <summary>The encoder fixture of each modality, from config.json's adapters.{audio,image,video}.encoder_stand_in.</summary>
    public static IReadOnlyDictionary<M2UGenModality, FixtureSet> EncoderSets()
    {
        var adapters = Config()["adapters"]!;
        FixtureSet Of(string key) => FixtureSet.ByName(StandIn().Match(adapters[key]!["encoder_stand_in"]!.GetValue<string>()).Groups["set"].Value);
        return new Dictionary<M2UGenModality, FixtureSet>
        {
            [M2UGenModality.Music] = Of("audio"), [M2UGenModality.Image] = Of("image"), [M2UGenModality.Video] = Of("video"),
        };
    }

    /// <summary>A field of a vector's entry in vectors.json beside its values (e.g. "text", "instruction").</summary>
    public static string Field(FixtureSet set, string vector, string field) =>
        set.Root["vectors"]!.AsArray().First(v => v!["name"]!.GetValue<string>() == vector)![field]!.GetValue<string>();

    private static ModelSetManifest Convert()
    {
        var folder = Directory.CreateTempSubdirectory("mga-assistant-set-").FullName;
        var sources = new M2UGenSetSources
        {
            Checkpoint = Path.Combine(Set.Directory, "checkpoint.pth"),
            ConfigJson = Set.ConfigPath,
            MusicGenFolder = MusicGen.Directory,
            EncoderFolders = EncoderSets().ToDictionary(e => e.Key, e => e.Value.Directory),
            LlamaTokenizer = Path.GetFullPath(Path.Combine(Set.Directory, Config()["tokenizer"]!["model_file"]!.GetValue<string>())),
            T5Tokenizer = Path.Combine(Set.Directory, "..", "tokenizers", T5Model().Match(MusicGen.Vector("text_input_ids").Meaning).Groups["model"].Value),
            MusicConditioning = MusicConditioningPath.Projector,
        };
        return M2UGenSetConversion.Convert(sources, folder, StorageType.F32).Manifest;
    }
}
