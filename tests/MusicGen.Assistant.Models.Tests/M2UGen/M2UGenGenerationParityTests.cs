using MusicGen.Assistant.Models.Tokenizers;
using System.Text;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// M2UGen's generate() against ours with a real KV cache (the release recomputes the prefix every step): the token
/// buffer, the logits of every step, the [AUD] hidden states and the decoded reply of each recorded generate call
/// (gen_all: all three adapters; gen_text: none). Prompts, adapter inputs, lengths and sampling come from the calls.
/// </summary>
[Trait("Category", "Parity")]
public class M2UGenGenerationParityTests
{
    public static TheoryData<string, string> Generations()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in Sets())
            foreach (var v in set.Vectors.Where(v => v.Name.EndsWith("_tokens", StringComparison.Ordinal) && v.Call.Contains("model.generate(", StringComparison.Ordinal)))
                data.Add(set.Name, v.Name[..^"_tokens".Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void Generation_matches_m2ugen(string setName, string generation)
    {
        var set = FixtureSet.ByName(setName);
        var call = ParseGenerate(set, set.Vector(generation + "_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var generator = new M2UGenReplyGenerator(model, Decoder(set));
        var stepLogits = new List<float[]>();
        var streamed = new List<int>();
        var settings = new M2UGenGenerationSettings { MaxNewTokens = call.MaxNewTokens, Temperature = call.Temperature, TopP = call.TopP };
        var reply = generator.Generate(call.Prompt, call.Inputs, settings, t => streamed.Add(t.Id), (_, logits) => stepLogits.Add((float[])logits.Clone()));

        var tokens = set.Vector(generation + "_tokens");
        ToleranceAssert.Matches(tokens, reply.Tokens.Select(x => (double)x).ToArray(), [1, reply.Tokens.Count]);
        Assert.Equal(reply.Tokens.Skip(call.Prompt.Length), streamed);
        if (set.Vectors.Any(v => v.Name == generation + "_step_logits"))
            ToleranceAssert.Matches(set.Vector(generation + "_step_logits"), D(stepLogits.SelectMany(x => x)), [stepLogits.Count, model.Config.VocabSize]);
        if (set.Vectors.Any(v => v.Name == generation + "_aud_hidden"))
        {
            Assert.True(reply.HasMusic, "the reference gathered [AUD] hidden states; we gathered none");
            var n = reply.AudioHidden!.Length / model.Config.EmbeddingLength;
            ToleranceAssert.Matches(set.Vector(generation + "_aud_hidden"), D(reply.AudioHidden), [1, n, model.Config.EmbeddingLength]);
        }
        if (set.Vectors.Any(v => v.Name == generation + "_decoded_utf8"))
        {
            var expected = Encoding.UTF8.GetString(set.Vector(generation + "_decoded_utf8").Values().Select(x => checked((byte)x)).ToArray());
            Assert.Equal(expected, reply.Text);
        }
    }

    [Fact]
    public void The_fixtures_hold_generations_with_and_without_adapters()
    {
        var rows = Generations().Select(r => (string)r[1]).ToList();
        Assert.Contains("gen_all", rows);
        Assert.Contains("gen_text", rows);
    }

    /// <summary>The set's tokenizer as its config.json names it: the sentencepiece model plus the [AUD] added tokens.</summary>
    internal static LlamaTokenizerTextDecoder Decoder(FixtureSet set)
    {
        var config = JsonNode.Parse(File.ReadAllText(set.ConfigPath))!;
        var model = Path.GetFullPath(Path.Combine(set.Directory, config["tokenizer"]!["model_file"]!.GetValue<string>()));
        var added = config["llama"]!["aud_tokens"]!.AsArray().Select(t => t!.GetValue<string>());
        return new LlamaTokenizerTextDecoder(LlamaTokenizer.Load(model, added));
    }
}
