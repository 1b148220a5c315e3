using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// M2UGen's LLaMA with bias tuning, LoRA and the gated adapter term against the reference's forward_inference:
/// every layer output, the pre-norm hidden states, all and last logits with all / audio-only / no adapter vectors,
/// then a real KV cache (prefill, single steps, the cache contents). Inputs and slices come from the recorded calls.
/// The LoRA pairs kept apart (as for training), folded at conversion, and read from checkpoint.pth all match.
/// </summary>
[Trait("Category", "Parity")]
public partial class M2UGenLlamaParityTests
{
    [GeneratedRegex(@"^kv_cache_layer(?<l>\d+)_(?<kind>k|v)$")] private static partial Regex CacheEntry();
    [GeneratedRegex(@"^model\.llama\.output\(model\.llama\.norm\((?<h>\w+)\)\)")] private static partial Regex AllLogits();

    public static TheoryData<string, string, M2UGenSource, bool> Vectors()
    {
        var data = new TheoryData<string, string, M2UGenSource, bool>();
        foreach (var set in Sets())
            foreach (var v in set.Vectors.Where(Handles))
            {
                data.Add(set.Name, v.Name, M2UGenSource.Safetensors, false);
                // the other two paths on the outputs that sum everything up
                if (v.Name.EndsWith("_logits", StringComparison.Ordinal))
                {
                    data.Add(set.Name, v.Name, M2UGenSource.Safetensors, true);
                    data.Add(set.Name, v.Name, M2UGenSource.Pth, false);
                }
            }
        return data;
    }

    private static bool Handles(ReferenceVector v) => !v.IsInput &&
        (v.Call.Contains("forward_inference(", StringComparison.Ordinal) || AllLogits().IsMatch(v.Call) || CacheEntry().IsMatch(v.Name));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_m2ugen(string setName, string vectorName, M2UGenSource source, bool foldLora)
    {
        var set = FixtureSet.ByName(setName);
        var v = set.Vector(vectorName);
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set, source, foldLora), backend);
        var c = model.Config;
        if (CacheEntry().Match(vectorName) is { Success: true } e)
        {
            using var term = model.AdapterTerm(KvInputs(set));
            using var session = RunCache(model, set, term, upTo: null, out _);
            var layer = int.Parse(e.Groups["l"].Value);
            var perHead = e.Groups["kind"].Value == "k" ? session.ReadKeys(layer) : session.ReadValues(layer);
            // ours [heads, seq, hd]; M2UGen's cache_k[:1, :seq] is (1, seq, heads, hd)
            ToleranceAssert.Matches(v, D(SeqMajor(perHead, c.HeadCount, session.Position, c.HeadDim)), [1, session.Position, c.HeadCount, c.HeadDim]);
            return;
        }
        var call = ParseForward(set, v) ?? ParseForward(set, set.Vector(AllLogits().Match(v.Call).Groups["h"].Value))
                   ?? throw new InvalidDataException($"{v}: no forward_inference call found");
        if (vectorName.StartsWith("kv_", StringComparison.Ordinal))
        {
            // the cached path: the prefix prefilled at 0, the steps fed one by one at their start positions
            using var term = model.AdapterTerm(call.Inputs);
            using var session = RunCache(model, set, term, upTo: vectorName, out var last);
            Assert.Equal(call.Start + call.Tokens.Length, session.Position);
            ToleranceAssert.Matches(v, D(last!.Logits), [1, c.VocabSize]);
            return;
        }
        Assert.Equal(0, call.Start);
        var n = call.Tokens.Length;
        var f = model.Forward(call.Tokens, call.Inputs, LlamaOutputs.Logits | LlamaOutputs.LayerOutputs);
        if (vectorName.EndsWith("_layer_outputs", StringComparison.Ordinal))
            ToleranceAssert.Matches(v, D(f.LayerOutputs!.SelectMany(x => x)), [c.BlockCount, n, c.EmbeddingLength]);
        else if (vectorName.EndsWith("_hidden", StringComparison.Ordinal))
            ToleranceAssert.Matches(v, D(f.LayerOutputs![^1]), [1, n, c.EmbeddingLength]);
        else if (vectorName.EndsWith("_last_logits", StringComparison.Ordinal))
            ToleranceAssert.Matches(v, D(f.Logits!.AsSpan((n - 1) * c.VocabSize).ToArray()), [1, c.VocabSize]);
        else if (AllLogits().IsMatch(v.Call))
            ToleranceAssert.Matches(v, D(f.Logits!), [1, n, c.VocabSize]);
        else throw new InvalidDataException($"{v}: no test knows this vector (call '{v.Call}')");
    }

    [Fact]
    public void The_fixtures_hold_every_kind_of_forward_and_cache_vector()
    {
        var names = Vectors().Select(r => (string)r[1]).ToHashSet();
        foreach (var n in new[] { "fwd_all_layer_outputs", "fwd_all_hidden", "fwd_all_last_logits", "fwd_all_logits", "fwd_audio_only_logits",
                     "fwd_text_only_logits", "kv_prefix_last_logits", "kv_step0_logits", "kv_cache_layer0_k", "kv_cache_layer0_v" })
            Assert.Contains(n, names);
    }

    [Fact]
    public void Folded_and_separate_lora_agree()
    {
        var set = First();
        var call = ParseForward(set, set.Vector("fwd_all_last_logits"))!;
        using var backend = Cpu();
        float[] Logits(string path)
        {
            using var m = M2UGenLlama.Load(path, backend);
            return m.Forward(call.Tokens, call.Inputs).Logits!;
        }
        var separate = Logits(Gguf(set));
        var folded = Logits(Gguf(set, foldLora: true));
        var max = separate.Zip(folded).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(max < 1e-3f, $"folded vs separate LoRA: max |diff| {max}");
        using (var file = Formats.Gguf.GgufFile.Open(Gguf(set, foldLora: true)))
        {
            // folded: no pairs left but the base-Wv ones of injected layers
            var pairs = file.Tensors.Where(t => t.Name.EndsWith(".lora_a", StringComparison.Ordinal)).Select(t => t.Name).ToList();
            Assert.NotEmpty(pairs);
            Assert.All(pairs, p => Assert.Contains($".{LlamaKeys.Value}.", p));
        }
    }

    // the kv_* vectors' adapter vectors (all recorded with the same ones)
    private static M2UGenAdapterInputs KvInputs(FixtureSet set) => ParseForward(set, set.Vector("kv_prefix_last_logits"))!.Inputs;

    // prefix = kv_prefix_last_logits' slice, then each kv_step{i} call in order (through `upTo`, or all)
    private static LlamaSession RunCache(M2UGenLlama model, FixtureSet set, GatedAdapterTerm term, string? upTo, out LlamaStep? last)
    {
        var steps = set.Vectors.Where(x => x.Name.StartsWith("kv_step", StringComparison.Ordinal)).OrderBy(x => x.Name.Length).ThenBy(x => x.Name).ToList();
        var prefix = ParseForward(set, set.Vector("kv_prefix_last_logits"))!;
        var total = prefix.Tokens.Length + steps.Sum(s => ParseForward(set, s)!.Tokens.Length);
        var session = model.Model.StartSession(total, term);
        last = session.Prefill(prefix.Tokens);
        if (upTo == "kv_prefix_last_logits") return session;
        foreach (var s in steps)
        {
            var call = ParseForward(set, s)!;
            Assert.Equal(call.Start, session.Position);
            last = session.Step(call.Tokens.Single());
            if (s.Name == upTo) break;
        }
        return session;
    }

    private static float[] SeqMajor(float[] perHead, int heads, int n, int hd)
    {
        var result = new float[perHead.Length];
        for (var h = 0; h < heads; h++)
            for (var p = 0; p < n; p++)
                Array.Copy(perHead, (h * n + p) * hd, result, (p * heads + h) * hd, hd);
        return result;
    }
}
