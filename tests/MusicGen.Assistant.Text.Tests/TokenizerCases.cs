using System.Text.Json.Nodes;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// The fixture tokenizer_cases.json: for each model the vocabulary and the strings with sentencepiece 0.1.97's
/// exact ids, pieces and decoded text. Tokenizers are loaded once and shared (they are immutable).
/// </summary>
public static class TokenizerCases
{
    public const string T5 = "t5-unigram";
    public const string Llama = "llama-bpe";

    private static readonly Lazy<JsonObject> Root = new(() =>
        JsonNode.Parse(File.ReadAllText(FixturePaths.Get("tokenizers", "tokenizer_cases.json"))) as JsonObject
        ?? throw new InvalidDataException("tokenizer_cases.json is not a JSON object"));

    private static readonly Dictionary<string, Lazy<SentencePieceTokenizer>> Tokenizers = new()
    {
        [T5] = new(() => SentencePieceTokenizer.Load(ModelPath(T5))),
        [Llama] = new(() => SentencePieceTokenizer.Load(ModelPath(Llama))),
    };

    public sealed record Case(string Text, int[] Ids, string[] Pieces, string Decoded);

    public static string ModelPath(string model) => FixturePaths.Get("tokenizers", $"{model}.model");

    public static SentencePieceTokenizer Tokenizer(string model) => Tokenizers[model].Value;

    public static JsonObject Model(string model) => Root.Value["models"]![model]!.AsObject();

    public static IReadOnlyList<Case> Cases(string model) =>
        Model(model)["cases"]!.AsArray().Select(c => new Case(
            c!["text"]!.GetValue<string>(),
            c["ids"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(),
            c["pieces"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray(),
            c["decoded"]!.GetValue<string>())).ToList();

    /// <summary>(piece, score, type name) in id order.</summary>
    public static IReadOnlyList<(string Piece, float Score, string Type)> Vocab(string model) =>
        Model(model)["vocab"]!.AsArray().Select(v => (
            v![0]!.GetValue<string>(),
            (float)v[1]!.GetValue<double>(),
            v[2]!.GetValue<string>())).ToList();

    /// <summary>One theory row per (model, case index) for both fixture models.</summary>
    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string model in new[] { T5, Llama })
            for (int i = 0; i < Cases(model).Count; i++) data.Add(model, i);
        return data;
    }
}
