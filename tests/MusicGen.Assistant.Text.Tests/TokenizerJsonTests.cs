using System.Text.Json.Nodes;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// tokenizer.json files are built here from t5-unigram.model's own data in the shapes Hugging Face conversions
/// have written for T5 (legacy WhitespaceSplit + Metaspace; Precompiled + Replace; Precompiled + Strip + Replace with
/// prepend_scheme), and must give the .model file's ids on every fixture case.
/// </summary>
public sealed class TokenizerJsonTests
{
    private const string Space = "\u2581";

    public static TheoryData<string> Shapes => ["legacy", "replace", "strip-replace"];

    [Theory]
    [MemberData(nameof(Shapes))]
    [Trait("Category", "Parity")]
    public void T5_tokenizer_json_matches_the_sentencepiece_model_on_every_case(string shape)
    {
        using var dir = new TempDirectory();
        var tokenizer = SentencePieceTokenizer.Load(dir.Write("tokenizer.json", T5Json(shape).ToJsonString()));
        var reference = TokenizerCases.Tokenizer(TokenizerCases.T5);
        foreach (var c in TokenizerCases.Cases(TokenizerCases.T5))
        {
            Assert.Equal(c.Ids, tokenizer.Encode(c.Text));
            Assert.Equal(c.Pieces, tokenizer.EncodePieces(c.Text));
            Assert.Equal(c.Decoded, tokenizer.Decode(c.Ids));
        }
        Assert.Equal(reference.Encode("a  b\t c  "), tokenizer.Encode("a  b\t c  "));
    }

    [Fact]
    public void Special_and_extra_tokens_get_sentencepiece_ids_and_types()
    {
        using var dir = new TempDirectory();
        var tokenizer = SentencePieceTokenizer.Load(dir.Write("tokenizer.json", T5Json("strip-replace").ToJsonString()));
        var reference = TokenizerCases.Tokenizer(TokenizerCases.T5);
        Assert.Equal(reference.VocabSize + 2, tokenizer.VocabSize);
        Assert.Equal((0, 1, 2, -1), (tokenizer.PadId, tokenizer.EosId, tokenizer.UnkId, tokenizer.BosId));
        Assert.Equal(PieceType.Control, tokenizer.GetPieceType(reference.VocabSize));
        Assert.Equal("<extra_id_1>", tokenizer.IdToPiece(reference.VocabSize + 1));
        for (int id = 0; id < reference.VocabSize; id++)
            Assert.Equal(reference.Pieces[id], tokenizer.Pieces[id]);
        // Text is literal, as in sentencepiece: the extra id is spelled out, not matched.
        Assert.DoesNotContain(reference.VocabSize, tokenizer.Encode("<extra_id_0>"));
    }

    [Theory]
    [InlineData("normalizer", """{"type":"NFKC"}""", "\"NFKC\" is not supported")]
    [InlineData("normalizer", """{"type":"Sequence","normalizers":[{"type":"Lowercase"}]}""", "normalizer.normalizers[0]: normalizer \"Lowercase\"")]
    [InlineData("normalizer", """{"type":"Replace","pattern":{"String":"a"},"content":"b"}""", "Replace")]
    [InlineData("normalizer", """{"type":"Precompiled","precompiled_charsmap":"%%%"}""", "not valid base64")]
    [InlineData("normalizer", """{"type":"Sequence","normalizers":[{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Precompiled","precompiled_charsmap":null}]}""", "must be the first")]
    [InlineData("pre_tokenizer", """{"type":"ByteLevel","add_prefix_space":false}""", "\"ByteLevel\" is not supported")]
    [InlineData("pre_tokenizer", """{"type":"Metaspace","replacement":"_","add_prefix_space":true}""", "replacement \"_\"")]
    [InlineData("pre_tokenizer", """{"type":"Metaspace","replacement":"▁","prepend_scheme":"sometimes"}""", "prepend_scheme \"sometimes\"")]
    [InlineData("pre_tokenizer", null, "pre_tokenizer is missing")]
    public void Unsupported_pipeline_steps_are_named(string key, string? json, string expected)
    {
        var root = T5Json("legacy");
        root[key] = json is null ? null : JsonNode.Parse(json);
        var e = LoadFails(root.ToJsonString());
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Whitespace_folding_without_right_strip_is_refused()
    {
        var root = T5Json("legacy");
        root["normalizer"] = JsonNode.Parse("""{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}""");
        root["pre_tokenizer"] = JsonNode.Parse("""{"type":"Metaspace","replacement":"▁","add_prefix_space":true}""");
        Assert.Contains("no exact sentencepiece equivalent", LoadFails(root.ToJsonString()).Message);
    }

    [Theory]
    [InlineData("""{"type":"BPE","vocab":{"a":0},"merges":[]}""", "only \"Unigram\"")]
    [InlineData("""{"type":"Unigram","vocab":[["a",-1.0]],"unk_id":null}""", "unk_id is missing or null")]
    [InlineData("""{"type":"Unigram","vocab":[["a",-1.0]],"unk_id":3}""", "unk_id 3 is outside")]
    [InlineData("""{"type":"Unigram","vocab":[["a","x"]],"unk_id":0}""", "model.vocab[0] is not a [string, number] pair")]
    public void Bad_models_are_named(string model, string expected)
    {
        var root = T5Json("legacy");
        root["model"] = JsonNode.Parse(model);
        root.Remove("added_tokens");
        Assert.Contains(expected, LoadFails(root.ToJsonString()).Message);
    }

    [Fact]
    public void Added_token_disagreeing_with_the_vocab_is_refused()
    {
        var root = T5Json("legacy");
        root["added_tokens"]!.AsArray()[0]!["content"] = "<PAD>";
        Assert.Contains("added token id 0 is '<PAD>' but model.vocab[0] is '<pad>'", LoadFails(root.ToJsonString()).Message);
    }

    [Fact]
    public void Invalid_json_is_refused()
    {
        Assert.Contains("not valid JSON", LoadFails("{\"model\": [1, 2,").Message);
    }

    /// <summary>A T5-style tokenizer.json holding t5-unigram.model's vocabulary and charsmap, plus two extra ids.</summary>
    internal static JsonObject T5Json(string shape)
    {
        var model = SentencePieceModelProto.ReadFile(TokenizerCases.ModelPath(TokenizerCases.T5));
        string charsmap = Convert.ToBase64String(model.NormalizerSpec.PrecompiledCharsmap);
        var vocab = new JsonArray(model.Pieces.Select(p => (JsonNode)new JsonArray(p.Piece, (double)p.Score)).ToArray());
        var added = new JsonArray();
        foreach (var (id, content) in new[] { (0, "<pad>"), (1, "</s>"), (2, "<unk>"), (model.Pieces.Count, "<extra_id_0>"), (model.Pieces.Count + 1, "<extra_id_1>") })
            added.Add(new JsonObject
            {
                ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });

        var precompiled = new JsonObject { ["type"] = "Precompiled", ["precompiled_charsmap"] = charsmap };
        var foldRuns = new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " {2,}" }, ["content"] = shape == "replace" ? " " : Space };
        var legacyPre = JsonNode.Parse($$"""{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Metaspace","replacement":"{{Space}}","add_prefix_space":true}]}""");
        (JsonNode normalizer, JsonNode pre) = shape switch
        {
            "legacy" => ((JsonNode)precompiled, legacyPre!),
            "replace" => (new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(precompiled, foldRuns) }, legacyPre!),
            "strip-replace" => (
                new JsonObject
                {
                    ["type"] = "Sequence",
                    ["normalizers"] = new JsonArray(precompiled, JsonNode.Parse("""{"type":"Strip","strip_left":false,"strip_right":true}"""), foldRuns),
                },
                JsonNode.Parse($$"""{"type":"Metaspace","replacement":"{{Space}}","prepend_scheme":"always","split":true}""")!),
            _ => throw new ArgumentException(shape),
        };

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = pre,
            ["post_processor"] = JsonNode.Parse("""{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}]}"""),
            ["decoder"] = JsonNode.Parse($$"""{"type":"Metaspace","replacement":"{{Space}}","add_prefix_space":true}"""),
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 2, ["vocab"] = vocab },
        };
    }

    private static TokenizerFormatException LoadFails(string json)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("tokenizer.json", json);
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.Load(path));
        Assert.StartsWith(path, e.Message);
        return e;
    }
}
