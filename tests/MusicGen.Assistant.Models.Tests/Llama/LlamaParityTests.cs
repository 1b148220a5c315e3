using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// Every vector of every llama fixture set (transformers' LlamaForCausalLM, eager attention) against our converter
/// + ggml graph: teacher-forced logits and hidden states, the cached prefix and steps, the cache contents and greedy
/// generation. Inputs, slice bounds and lengths come from vectors.json.
/// </summary>
[Trait("Category", "Parity")]
public partial class LlamaParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in Sets())
            foreach (var v in set.Vectors.Where(v => !v.IsInput))
                data.Add(set.Name, v.Name);
        return data;
    }

    [GeneratedRegex(@"^hidden_states_(?<i>\d+)$")] private static partial Regex HiddenState();
    [GeneratedRegex(@"^kv_step(?<i>\d+)_logits$")] private static partial Regex StepLogits();
    [GeneratedRegex(@"^kv_cache_layer(?<l>\d+)_(?<kind>key|value)$")] private static partial Regex CacheEntry();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_transformers(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var v = set.Vector(vectorName);
        var ids = Ints(set.Vector("input_ids"));
        using var backend = Cpu();
        using var model = LlamaModel.Load(Gguf(set), backend);
        var c = model.Config;
        if (vectorName == "logits")
        {
            ToleranceAssert.Matches(v, D(model.Forward(ids).Logits!), [1, ids.Length, c.VocabSize]);
        }
        else if (HiddenState().Match(vectorName) is { Success: true } h)
        {
            // transformers: [0] the embeddings, [i] block i-1's output, the last one after the final norm
            var i = int.Parse(h.Groups["i"].Value);
            var f = model.Forward(ids, LlamaOutputs.Embeddings | LlamaOutputs.LayerOutputs | LlamaOutputs.NormedHidden);
            var values = i == 0 ? f.Embeddings! : i == c.BlockCount ? f.NormedHidden! : i < c.BlockCount ? f.LayerOutputs![i - 1]
                : throw new InvalidDataException($"{v}: the model has {c.BlockCount} blocks");
            ToleranceAssert.Matches(v, D(values), [1, ids.Length, c.EmbeddingLength]);
        }
        else if (vectorName == "kv_prefix_logits")
        {
            var (from, to) = FedSlice(v);
            using var session = model.StartSession(ids.Length);
            var step = session.Prefill(ids[from..to], allLogits: true);
            ToleranceAssert.Matches(v, D(step.Logits), [1, to - from, c.VocabSize]);
        }
        else if (StepLogits().IsMatch(vectorName))
        {
            // the prefix, then every step up to this one, each fed the token its recorded call names
            using var session = Cached(model, set, ids, upTo: vectorName, out var last);
            ToleranceAssert.Matches(v, D(last!.Logits), [1, 1, c.VocabSize]);
        }
        else if (CacheEntry().Match(vectorName) is { Success: true } e)
        {
            using var session = Cached(model, set, ids, upTo: null, out _);
            var layer = int.Parse(e.Groups["l"].Value);
            var values = e.Groups["kind"].Value == "key" ? ToHuggingFaceRows(session.ReadKeys(layer), c.HeadDim) : session.ReadValues(layer);
            ToleranceAssert.Matches(v, D(values), [1, c.HeadCountKv, session.Position, c.HeadDim]);
        }
        else if (vectorName == "generate_sequences")
        {
            var (from, to) = FedSlice(v);
            var newTokens = (int)v.Shape[1] - (to - from);
            var sequence = new LlamaGenerator(model).Generate(ids[from..to], LlamaGenerationSettings.Greedy(newTokens));
            ToleranceAssert.Matches(v, sequence.Select(x => (double)x).ToArray(), [1, sequence.Length]);
        }
        else throw new InvalidDataException($"{v}: no test knows this vector (call '{v.Call}')");
    }

    [Fact]
    public void The_fixtures_hold_a_llama_with_every_kind_of_vector()
    {
        // guards the data-driven theory against silently finding nothing
        var names = Vectors().Select(r => (string)r[1]).ToHashSet();
        foreach (var n in new[] { "logits", "hidden_states_0", "kv_prefix_logits", "kv_step0_logits", "kv_cache_layer0_key", "kv_cache_layer0_value", "generate_sequences" })
            Assert.Contains(n, names);
    }

    // prefill the kv_prefix slice, then the kv_step slices in order (through `upTo`, or all)
    private static LlamaSession Cached(LlamaModel model, FixtureSet set, int[] ids, string? upTo, out LlamaStep? last)
    {
        var session = model.StartSession(ids.Length);
        var (from, to) = FedSlice(set.Vector("kv_prefix_logits"));
        last = session.Prefill(ids[from..to]);
        foreach (var step in set.Vectors.Where(x => StepLogits().IsMatch(x.Name)).OrderBy(x => int.Parse(StepLogits().Match(x.Name).Groups["i"].Value)))
        {
            var (a, b) = FedSlice(step);
            Assert.Equal(session.Position, a);
            last = session.Step(ids[a..b].Single());
            if (step.Name == upTo) break;
        }
        return session;
    }

    /// <summary>
    /// Our cache holds keys in Meta's adjacent-pair order (conversion un-permuted q/k); transformers' in its halves
    /// order: HF index r·(d/2) + j = ours 2j + r, per head. [heads, n, d] either way.
    /// </summary>
    internal static float[] ToHuggingFaceRows(float[] keys, int headDim)
    {
        var result = new float[keys.Length];
        for (var start = 0; start < keys.Length; start += headDim)
            for (var r = 0; r < 2; r++)
                for (var j = 0; j < headDim / 2; j++)
                    result[start + r * headDim / 2 + j] = keys[start + 2 * j + r];
        return result;
    }
}
