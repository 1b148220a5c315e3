using MusicGen.Assistant.Native;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The generation loop's rules on the m2ugen-tiny LLaMA: the "\n###" stop, the context bound, sampling defaults and
/// seeds, streaming and cancellation between steps.
/// </summary>
public class M2UGenReplyGeneratorTests
{
    [Fact]
    public void Generation_stops_when_the_last_three_tokens_decode_to_the_marker()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_all_tokens"));
        var expected = Ints(set.Vector("gen_all_tokens"));
        // make the decoder read "\n###" for the three tokens ending at generated step 5 (the model's own tokens)
        var end = call.Prompt.Length + 5;
        var decoder = new MarkerAt(M2UGenGenerationParityTests.Decoder(set), expected[(end - 2)..(end + 1)]);
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var reply = new M2UGenReplyGenerator(model, decoder).Generate(call.Prompt, call.Inputs, Greedy(call.MaxNewTokens));
        Assert.True(reply.StoppedAtMarker);
        Assert.Equal(expected[..(end + 1)], reply.Tokens);
    }

    [Fact]
    public void Prompt_and_reply_stay_within_the_context()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_text_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var generator = new M2UGenReplyGenerator(model, M2UGenGenerationParityTests.Decoder(set));
        var reply = generator.Generate(call.Prompt, call.Inputs, Greedy(model.Config.ContextLength * 4));
        Assert.False(reply.StoppedAtMarker);
        Assert.Equal(model.Config.ContextLength, reply.Tokens.Count);
        // the reply is cut at the first newline token, which the fixture's generation emits
        Assert.True(reply.Reply.Count < reply.Tokens.Count - reply.PromptLength);
        var overlong = Enumerable.Repeat(call.Prompt[^1], model.Config.ContextLength).ToArray();
        Assert.Throws<ArgumentException>(() => generator.Generate(overlong, call.Inputs, Greedy(1)));
    }

    [Fact]
    public async Task Sampled_replies_follow_the_seed_and_stream_as_generated()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_all_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var generator = new M2UGenReplyGenerator(model, M2UGenGenerationParityTests.Decoder(set));
        Assert.Equal((0.6f, 0.8f, 512), (M2UGenGenerationSettings.Default.Temperature, M2UGenGenerationSettings.Default.TopP, M2UGenGenerationSettings.Default.MaxNewTokens));
        var settings = new M2UGenGenerationSettings { MaxNewTokens = 16, Seed = 7 };
        var first = generator.Generate(call.Prompt, call.Inputs, settings);
        var again = generator.Generate(call.Prompt, call.Inputs, settings);
        Assert.Equal(first.Tokens, again.Tokens);
        var run = generator.Start(call.Prompt, call.Inputs, settings);
        var streamed = new List<int>();
        await foreach (var t in run.StreamAsync()) streamed.Add(t.Id);
        Assert.Equal(first.Tokens.Skip(call.Prompt.Length), streamed);
        Assert.Equal(first.Text, run.Reply.Text);
    }

    [Fact]
    public void Cancellation_stops_between_steps()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_all_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var generator = new M2UGenReplyGenerator(model, M2UGenGenerationParityTests.Decoder(set));
        using var cts = new CancellationTokenSource();
        var seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(call.Prompt, call.Inputs, Greedy(call.MaxNewTokens),
            _ => { if (++seen == 2) cts.Cancel(); }, cancellation: cts.Token));
        Assert.Equal(2, seen);
    }

    [Fact]
    public void Never_sampled_tokens_are_passed_over_for_the_best_remaining_one()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_all_tokens"));
        var expected = Ints(set.Vector("gen_all_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var decoder = M2UGenGenerationParityTests.Decoder(set);
        var audio = model.AudioTokenIds.Count > 0 ? model.AudioTokenIds.ToArray()
            : Enumerable.Range(0, AudioTokenCapture.DefaultCount).Select(i => decoder.FindToken($"[AUD{i}]")).OfType<int>().ToArray();
        Assert.NotEmpty(audio);
        var firstAudio = Array.FindIndex(expected, call.Prompt.Length, audio.Contains);
        Assert.True(firstAudio >= 0, "the fixture's greedy generation emits an [AUD] token");

        var logits = new List<float[]>();
        var reply = new M2UGenReplyGenerator(model, decoder).Generate(call.Prompt, call.Inputs,
            Greedy(call.MaxNewTokens) with { NeverSample = audio }, onLogits: (_, row) => logits.Add(row.ToArray()));
        var generated = reply.Tokens.Skip(call.Prompt.Length).ToArray();
        Assert.DoesNotContain(generated, audio.Contains);
        Assert.False(reply.HasMusic);
        // up to the first [AUD] the fixture's own tokens; there and after, the best token outside the set
        Assert.Equal(expected[..firstAudio], reply.Tokens.Take(firstAudio));
        Assert.NotEqual(expected[firstAudio], reply.Tokens[firstAudio]);
        for (var step = 0; step < generated.Length; step++)
        {
            var row = logits[step];
            foreach (var id in audio) row[id] = float.NegativeInfinity;
            Assert.Equal(TopPSampler.Argmax(row), generated[step]);
        }
        var vocab = model.Config.VocabSize;
        Assert.Throws<ArgumentException>(() => new M2UGenReplyGenerator(model, decoder).Start(call.Prompt, call.Inputs, Greedy(1) with { NeverSample = [vocab] }));
    }

    [Fact]
    public void A_half_precision_cache_with_the_adapter_term_stays_within_f16_rounding_of_the_f32_cache()
    {
        var set = First();
        var call = ParseGenerate(set, set.Vector("gen_all_tokens"));
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var generator = new M2UGenReplyGenerator(model, M2UGenGenerationParityTests.Decoder(set));
        var (f32, f16) = (new List<float[]>(), new List<float[]>());
        var a = generator.Generate(call.Prompt, call.Inputs, Greedy(call.MaxNewTokens), onLogits: (_, row) => f32.Add(row.ToArray()));
        var b = generator.Generate(call.Prompt, call.Inputs, Greedy(call.MaxNewTokens) with { CacheType = GgmlType.F16 }, onLogits: (_, row) => f16.Add(row.ToArray()));
        // compared while both chose the same tokens (a near tie may flip a greedy choice under f16 rounding)
        var same = a.Tokens.Zip(b.Tokens).TakeWhile(p => p.First == p.Second).Count() - call.Prompt.Length;
        var steps = Math.Min(Math.Max(same + 1, 1), Math.Min(f32.Count, f16.Count));
        Assert.True(steps >= 1);
        for (var i = 0; i < steps; i++)
        {
            double diff = 0, norm = 0;
            for (var j = 0; j < f32[i].Length; j++) { diff += Math.Pow(f32[i][j] - f16[i][j], 2); norm += Math.Pow(f32[i][j], 2); }
            var relative = Math.Sqrt(diff / norm);
            // f16 keys and values (and ggml's f16 value accumulator) on the tiny fixture: measured 7e-4 to 7e-3 per step
            Assert.True(relative is > 0 and < 1e-2, $"step {i}: the f16 cache moved the logits by {relative:E2} (relative RMS)");
        }
    }

    private static M2UGenGenerationSettings Greedy(int maxNewTokens) => new() { Temperature = 0, MaxNewTokens = maxNewTokens };

    // the real decoder, except that one chosen id triple decodes to the stop marker
    private sealed class MarkerAt(ILlamaTextDecoder inner, int[] triple) : ILlamaTextDecoder
    {
        public string Decode(IReadOnlyList<int> ids) => ids.SequenceEqual(triple) ? M2UGenReplyGenerator.StopMarker : inner.Decode(ids);
        public int? FindToken(string token) => inner.FindToken(token);
    }
}
