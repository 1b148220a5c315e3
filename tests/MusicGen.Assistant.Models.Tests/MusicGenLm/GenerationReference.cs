using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Reruns a fixture's <c>model.generate(...)</c> (the vectors named prefix + delayed_sequences / audio_codes / scores
/// / audio_values, prefix "gen_" or "uncond_gen_") with our decoder, generator and codec, once per test run.
/// The text condition comes from the fixture's projected states when the set recorded them for the same text,
/// otherwise from our T5 (<see cref="TextConditioning"/>); "uncond_" runs have no text (the null condition in both
/// guidance halves, as transformers' generate without input_ids). An audio prompt is encoded by our EnCodec from the
/// fixture's waveform and checked against the recorded prompt codes first.
/// </summary>
internal sealed record GenerationReference(MusicGenGeneration Generation, float[][][] Audio)
{
    public static readonly string[] Outputs = ["delayed_sequences", "audio_codes", "scores", "audio_values"];

    private static readonly ConcurrentDictionary<(string, string), Lazy<GenerationReference>> Cache = new();

    /// <summary>The (set, prefix) runs the fixtures hold.</summary>
    public static IEnumerable<(FixtureSet Set, string Prefix)> Runs() =>
        from set in MusicGenFixtures.Sets()
        from prefix in new[] { "gen_", "uncond_gen_" }
        where set.Vectors.Any(v => v.Name == prefix + "delayed_sequences")
        select (set, prefix);

    public static GenerationReference For(FixtureSet set, string prefix) =>
        Cache.GetOrAdd((set.Name, prefix), _ => new Lazy<GenerationReference>(() => Run(set, prefix))).Value;

    /// <summary>The generated output a vector name stands for, flat in the reference's row-major order.</summary>
    public double[] Output(string output) => output switch
    {
        "delayed_sequences" => Grids.Flat(Generation.DelayedSequences),
        "audio_codes" => Grids.Flat(Generation.Codes),
        "scores" => Generation.Scores!.Select(x => (double)x).ToArray(),
        "audio_values" => Audio.SelectMany(item => item.SelectMany(ch => ch.Select(x => (double)x))).ToArray(),
        _ => throw new NotSupportedException($"no generated output '{output}'"),
    };

    private static GenerationReference Run(FixtureSet set, string prefix)
    {
        var call = set.Vector(prefix + "delayed_sequences").Call;
        if (Regex.IsMatch(call, @"do_sample\s*=\s*True")) throw new NotSupportedException($"{set.Name}/{prefix}: sampled reference runs cannot be reproduced (torch's RNG)");
        var guidance = float.Parse(Regex.Match(call, @"guidance_scale\s*=\s*([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var maxNewTokens = int.Parse(Regex.Match(call, @"max_new_tokens\s*=\s*(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

        using var backend = MusicGenFixtures.Cpu();
        var gguf = ConvertedFixtures.Gguf(set);
        using var decoder = MusicGen.Assistant.Models.MusicGenLm.MusicGenDecoder.Load(gguf, backend);
        using var codec = EncodecCodec.Load(gguf, backend);
        var config = decoder.Config;
        var batch = (int)set.Vector(prefix + "delayed_sequences").Shape[0] / config.NumCodebooks;
        var conditioning = prefix.StartsWith("uncond_")
            ? MusicGenConditioning.Null(batch, 1, config.HiddenSize)
            : TextCondition(set, gguf, backend, config.HiddenSize);

        int[,]? prompt = null;
        var promptPrefix = prefix.StartsWith("uncond_") ? "uncond_" : "";
        var waveName = prefix.StartsWith("uncond_") ? "uncond_input_values" : "prompt_input_values";
        if (set.Vectors.Any(v => v.Name == waveName))
        {
            var wave = set.Vector(waveName); // [B, C, samples]
            var (b, c, n) = ((int)wave.Shape[0], (int)wave.Shape[1], (int)wave.Shape[2]);
            var values = Grids.Floats(wave);
            var items = Enumerable.Range(0, b).Select(i => Enumerable.Range(0, c)
                .Select(ch => values.AsSpan((i * c + ch) * n, n).ToArray()).ToArray()).ToList();
            prompt = MusicGenAudio.EncodePrompt(codec, items, config);
            ToleranceAssert.Matches(set.Vector(promptPrefix + "prompt_audio_codes"), Grids.Flat(prompt));
        }

        var generation = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = conditioning,
            MaxNewTokens = maxNewTokens,
            Sampling = SamplingSettings.Greedy with { GuidanceScale = guidance },
            PromptCodes = prompt,
            RecordScores = true,
        });
        return new GenerationReference(generation, MusicGenAudio.Decode(codec, generation, config));
    }

    // gen_text_* through the recorded projected states when they are the teacher-forcing text, else through our T5.
    private static MusicGenConditioning TextCondition(FixtureSet set, string gguf, MusicGen.Assistant.Native.ComputeBackend backend, int hidden)
    {
        var ids = set.Vector("gen_text_input_ids");
        var mask = set.Vector("gen_text_attention_mask");
        bool Same(string a, string b) => set.Vectors.Any(v => v.Name == b) && set.Vector(a).Values().SequenceEqual(set.Vector(b).Values());
        if (Same("gen_text_input_ids", "tf_text_input_ids") && Same("gen_text_attention_mask", "tf_text_attention_mask"))
            return MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        using var text = TextConditioning.Load(gguf, backend, hidden);
        var idGrid = Grids.Matrix(ids);
        var maskGrid = Grids.Matrix(mask);
        var states = text.Encode(idGrid, maskGrid);
        return MusicGenConditioning.FromAttentionMask(states, mask.Values().Select(x => (long)x).ToArray(),
            idGrid.GetLength(0), idGrid.GetLength(1), hidden);
    }
}
