using System.Text;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Testing;

/// <summary>
/// The tokenizer fixtures as data: <c>tokenizers/tokenizer_cases.json</c> (raw sentencepiece cases of each model, its
/// vocabulary size and special ids) and the m2ugen-tiny set's <c>tokenizer_cases</c> (Hugging Face LlamaTokenizer calls
/// with added tokens) and token vectors. The added tokens' names and ids are read from those cases: every piece whose
/// id lies beyond the llama-bpe vocabulary.
/// </summary>
public static class TokenizerFixture
{
    public const string T5 = "t5-unigram";
    public const string Llama = "llama-bpe";

    /// <summary>One recorded call: text (null for decode-only cases), ids, pieces (null when not recorded), decoded text.</summary>
    public sealed record Case(string? Text, int[] Ids, string[]? Pieces, string Decoded);

    private static readonly Lazy<JsonObject> Root = new(() =>
        JsonNode.Parse(File.ReadAllText(FixturePaths.Get("tokenizers", "tokenizer_cases.json"))) as JsonObject
        ?? throw new InvalidDataException("tokenizer_cases.json is not a JSON object"));

    private static readonly Lazy<FixtureSet> M2UGenSet = new(() => FixtureSet.ByName("m2ugen-tiny"));

    public static string ModelPath(string model) => FixturePaths.Get("tokenizers", $"{model}.model");

    public static JsonObject Model(string model) => Root.Value["models"]![model]!.AsObject();

    public static int VocabSize(string model) => Model(model)["vocab_size"]!.GetValue<int>();

    /// <summary>The raw sentencepiece cases of <paramref name="model"/> (no bos/eos, text taken literally).</summary>
    public static IReadOnlyList<Case> Cases(string model) => ReadCases(Model(model)["cases"]!.AsArray());

    public static FixtureSet M2UGen => M2UGenSet.Value;

    /// <summary>The m2ugen-tiny LlamaTokenizer cases (with added tokens).</summary>
    public static IReadOnlyList<Case> M2UGenCases() => ReadCases(M2UGen.Root["tokenizer_cases"]!.AsArray());

    /// <summary>M2UGen's added tokens in id order, from the cases' (id, piece) pairs beyond the llama-bpe vocabulary.</summary>
    public static IReadOnlyList<(int Id, string Token)> M2UGenAddedTokens()
    {
        int baseSize = VocabSize(Llama);
        var found = new SortedDictionary<int, string>();
        foreach (var c in M2UGenCases().Where(c => c.Pieces is not null))
            for (int i = 0; i < c.Ids.Length; i++)
                if (c.Ids[i] >= baseSize) found[c.Ids[i]] = c.Pieces![i];
        return found.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    /// <summary>An int64 vector of m2ugen-tiny as ids.</summary>
    public static int[] M2UGenIds(string vector) => M2UGen.Vector(vector).Values().Select(v => checked((int)v)).ToArray();

    /// <summary>An m2ugen-tiny vector of UTF-8 bytes as text.</summary>
    public static string M2UGenUtf8(string vector) =>
        Encoding.UTF8.GetString(M2UGen.Vector(vector).Values().Select(v => checked((byte)v)).ToArray());

    private static List<Case> ReadCases(JsonArray cases) => cases.Select(c => new Case(
        c!["text"]?.GetValue<string>(),
        c["ids"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(),
        c["pieces"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray(),
        c["decoded"]!.GetValue<string>())).ToList();
}
