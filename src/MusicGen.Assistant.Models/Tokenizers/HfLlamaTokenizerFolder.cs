using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// The tokenizer of a Hugging Face LLaMA folder, read as llama.cpp's converter reads it (convert_hf_to_gguf.py
/// <c>_create_vocab_sentencepiece</c>): <c>tokenizer.model</c>, then the added tokens of <c>added_tokens.json</c>
/// (<c>{"[AUD0]": 32000, ...}</c>, user-defined) and of <c>tokenizer_config.json</c>'s <c>added_tokens_decoder</c>
/// (<c>{"32000": {"content": "[AUD0]", "special": false}}</c>; special ones become CONTROL tokens, the others
/// USER_DEFINED), plus <c>add_bos_token</c> / <c>add_eos_token</c>. Added ids beyond the sentencepiece vocabulary
/// must follow it without gaps. config.json's <c>vocab_size</c>, when larger, is the size the GGUF token list is
/// padded to so that it matches the embedding rows.
/// </summary>
public static class HfLlamaTokenizerFolder
{
    public const string ModelFile = "tokenizer.model";

    /// <summary>The tokenizer and the vocabulary size to pad to; null when the folder has no tokenizer.model.</summary>
    public static (LlamaTokenizer Tokenizer, int? VocabularySize)? Load(string directory)
    {
        string modelPath = Path.Combine(directory, ModelFile);
        if (!File.Exists(modelPath)) return null;
        var model = SentencePieceModelProto.ReadFile(modelPath);
        var pieces = model.Pieces.ToList();
        int baseCount = pieces.Count;
        var added = new SortedDictionary<int, (string Content, bool Special, string Source)>();

        string addedPath = Path.Combine(directory, "added_tokens.json");
        if (File.Exists(addedPath) && ReadObject(addedPath) is { } addedJson)
            foreach (var (content, node) in addedJson)
                added[Id(node, addedPath, content)] = (content, false, addedPath);

        var options = new LlamaTokenizerOptions();
        string configPath = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(configPath) && ReadObject(configPath) is { } config)
        {
            options = options with
            {
                AddBos = HfConfigJson.Bool(config, "add_bos_token", options.AddBos, configPath),
                AddEos = HfConfigJson.Bool(config, "add_eos_token", options.AddEos, configPath),
            };
            if (config["added_tokens_decoder"] is JsonObject decoder)
                foreach (var (key, node) in decoder)
                {
                    string where = $"added_tokens_decoder.{key}";
                    if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || node is not JsonObject token
                        || HfConfigJson.String(token, "content", configPath) is not { Length: > 0 } content)
                        throw new ModelConfigException($"{configPath}: '{where}' should map a token id to {{\"content\": \"...\", \"special\": ...}}");
                    added[id] = (content, HfConfigJson.Bool(token, "special", false, configPath), configPath);
                }
        }

        foreach (var (id, (content, special, source)) in added)
        {
            var type = special ? PieceType.Control : PieceType.UserDefined;
            if (id < baseCount)
            {
                var existing = pieces[id];
                if (existing.Piece != content)
                    throw new ModelConfigException($"{source}: added token id {id} is '{content}' but {ModelFile} has '{existing.Piece}' there");
                // the sentencepiece specials (<unk>, <s>, </s>) keep their types; other pieces become added tokens
                if (existing.Type is PieceType.Normal or PieceType.Unused) pieces[id] = existing with { Type = type };
            }
            else if (id == pieces.Count)
                pieces.Add(new VocabularyPiece(content, LlamaTokenizer.AddedTokenScore, type));
            else
                throw new ModelConfigException($"{source}: added token '{content}' has id {id} but the next free id is {pieces.Count}; added ids must follow the vocabulary without gaps");
        }

        var withAdded = model with { Pieces = pieces, TrainerSpec = model.TrainerSpec with { VocabSize = pieces.Count } };
        var tokenizer = LlamaTokenizer.FromModel(withAdded, modelPath, addedTokens: null, options);

        int? vocabSize = null;
        string hfConfig = Path.Combine(directory, "config.json");
        if (File.Exists(hfConfig) && ReadObject(hfConfig) is { } hf && HfConfigJson.Int(hf, "vocab_size", 0, hfConfig) is > 0 and var size)
            vocabSize = size;
        return (tokenizer, vocabSize);
    }

    private static int Id(JsonNode? node, string source, string content) =>
        node is JsonValue v && v.TryGetValue<int>(out int id) && id >= 0
            ? id
            : throw new ModelConfigException($"{source}: '{content}' should map to a non-negative token id, found {node?.ToJsonString() ?? "null"}");

    private static JsonObject? ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(HfConfigJson.ReadFile(path, Path.GetFileName(path))) as JsonObject
                   ?? throw new ModelConfigException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
