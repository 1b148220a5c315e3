using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Greedy, guided MusicGen-Melody generation of every melody fixture against transformers 4.40.2's generate(): text
/// through our T5, the recorded chroma through <see cref="MelodyConditioning"/> (null rows: the null melody and zero
/// text), then the per-step guided scores (tolerance), the delayed token matrix and the codes (exactly) and the
/// decoded audio (tolerance).
/// </summary>
[Trait("Category", "Parity")]
public class MelodyGenerationParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var (set, vector) in VectorNames()) data.Add(set, vector);
        return data;
    }

    private static IEnumerable<(string Set, string Vector)> VectorNames() =>
        from set in MelodyFixtures.Sets()
        where set.Vectors.Any(v => v.Name == "gen_delayed_sequences")
        from output in GenerationReference.Outputs
        where set.Vectors.Any(v => v.Name == "gen_" + output)
        select (set.Name, "gen_" + output);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Generated_output_matches_transformers(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var run = MelodyRun.For(set);
        ToleranceAssert.Matches(set.Vector(vectorName), run.Output(vectorName["gen_".Length..]));
    }

    [Fact]
    public void The_fixtures_hold_a_melody_generation()
    {
        var names = VectorNames().Select(n => $"{n.Set}/{n.Vector}").ToHashSet();
        foreach (var output in GenerationReference.Outputs) Assert.Contains($"musicgen-melody-tiny/gen_{output}", names);
    }

    /// <summary>One rerun of a set's recorded generate(...) call, shared by the theory's cases.</summary>
    private sealed record MelodyRun(MusicGenGeneration Generation, float[][][] Audio)
    {
        private static readonly ConcurrentDictionary<string, Lazy<MelodyRun>> Cache = new();

        public static MelodyRun For(FixtureSet set) => Cache.GetOrAdd(set.Name, _ => new Lazy<MelodyRun>(() => Run(set))).Value;

        public double[] Output(string output) => output switch
        {
            "delayed_sequences" => Grids.Flat(Generation.DelayedSequences),
            "audio_codes" => Grids.Flat(Generation.Codes),
            "scores" => Generation.Scores!.Select(x => (double)x).ToArray(),
            "audio_values" => Audio.SelectMany(item => item.SelectMany(ch => ch.Select(x => (double)x))).ToArray(),
            _ => throw new NotSupportedException($"no generated output '{output}'"),
        };

        private static MelodyRun Run(FixtureSet set)
        {
            var call = set.Vector("gen_delayed_sequences").Call;
            if (Regex.IsMatch(call, @"do_sample\s*=\s*True")) throw new NotSupportedException($"{set.Name}: sampled reference runs cannot be reproduced (torch's RNG)");
            var guidance = float.Parse(Regex.Match(call, @"guidance_scale\s*=\s*([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
            var maxNewTokens = int.Parse(Regex.Match(call, @"max_new_tokens\s*=\s*(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            var chroma = Regex.Match(call, @"input_features\s*=\s*(\w+)").Groups[1].Value;

            using var backend = MusicGenFixtures.Cpu();
            var gguf = ConvertedFixtures.Gguf(set);
            using var decoder = MusicGenDecoder.Load(gguf, backend);
            using var codec = EncodecCodec.Load(gguf, backend);
            var prefix = MelodyFixtures.BuiltPrefix(set, backend, "gen_text_input_ids", "gen_text_attention_mask", chroma);
            var generation = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
            {
                Conditioning = prefix,
                MaxNewTokens = maxNewTokens,
                Sampling = SamplingSettings.Greedy with { GuidanceScale = guidance },
                RecordScores = true,
            });
            return new MelodyRun(generation, MusicGenAudio.Decode(codec, generation, decoder.Config));
        }
    }
}
