using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The inputs of a whole-set conversion of the m2ugen fixture, all found from the fixture files: its config.json names
/// the encoder fixtures its adapters were built on ("encoder_stand_in": "shared/hubert-tiny (MERT)") and the LLaMA
/// tokenizer ("model_file"); the MusicGen fixture's prompts name the T5 sentencepiece model they were encoded with.
/// </summary>
internal static partial class M2UGenSetFixture
{
    [GeneratedRegex(@"^\w+/(?<set>[\w.-]+)")]
    private static partial Regex StandIn();

    [GeneratedRegex(@"sentencepiece\((?<model>[\w.-]+\.model)\)")]
    private static partial Regex T5Model();

    public static FixtureSet Set => DerivedCheckpoints.Set;
    public static FixtureSet MusicGen => FixtureSet.ByName("musicgen-tiny");

    public static M2UGenSetSources Sources(string checkpoint, string? musicgenFolder = null, string? configJson = null) => new()
    {
        Checkpoint = checkpoint,
        ConfigJson = configJson ?? (Directory.Exists(checkpoint) ? null : Set.ConfigPath),
        MusicGenFolder = musicgenFolder ?? MusicGen.Directory,
        EncoderFolders = EncoderSets().ToDictionary(e => e.Key, e => e.Value.Directory),
        LlamaTokenizer = LlamaTokenizer,
        T5Tokenizer = T5Tokenizer,
    };

    /// <summary>The encoder fixture of each modality, from config.json's adapters.{audio,image,video}.encoder_stand_in.</summary>
    public static IReadOnlyDictionary<M2UGenModality, FixtureSet> EncoderSets()
    {
        var adapters = Config()["adapters"]!;
        return new Dictionary<M2UGenModality, FixtureSet>
        {
            [M2UGenModality.Music] = StandInSet(adapters["audio"]!),
            [M2UGenModality.Image] = StandInSet(adapters["image"]!),
            [M2UGenModality.Video] = StandInSet(adapters["video"]!),
        };
    }

    public static string LlamaTokenizer =>
        Path.GetFullPath(Path.Combine(Set.Directory, Config()["tokenizer"]!["model_file"]!.GetValue<string>()));

    public static string T5Tokenizer =>
        Path.Combine(Set.Directory, "..", "tokenizers", T5Model().Match(MusicGen.Vector("text_input_ids").Meaning).Groups["model"].Value);

    public static JsonNode Config() => JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!;

    private static FixtureSet StandInSet(JsonNode section) =>
        FixtureSet.ByName(StandIn().Match(section["encoder_stand_in"]!.GetValue<string>()).Groups["set"].Value);
}
