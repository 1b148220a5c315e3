using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>The MusicGen (text-to-music, cross-attention) fixture sets and their decoder, converted by our converter.</summary>
internal static class MusicGenFixtures
{
    /// <summary>Sets whose checkpoint is a MusicgenForConditionalGeneration (model_type musicgen, not melody).</summary>
    public static IEnumerable<FixtureSet> Sets() =>
        FixtureSet.All().Where(s => s.HasModel && ModelType(s) == "musicgen");

    public static string ModelType(FixtureSet set) =>
        JsonNode.Parse(File.ReadAllText(set.ConfigPath))!["model_type"]!.GetValue<string>();

    public static MusicGenDecoderConfig Config(FixtureSet set) =>
        MusicGenDecoderConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath);

    public static MusicGenDecoder LoadDecoder(FixtureSet set, ComputeBackend backend) =>
        MusicGenDecoder.Load(ConvertedFixtures.Gguf(set), backend);

    // one thread: tiny models gain nothing from more, and spinning workers suffer badly when other jobs share the cores
    public static ComputeBackend Cpu() => ComputeBackend.Create(BackendKind.Cpu, threads: 1);

    /// <summary>A [batch, length, dim] states vector with its [batch, length] 0/1 mask vector.</summary>
    public static MusicGenConditioning Conditioning(FixtureSet set, string states, string mask)
    {
        var s = set.Vector(states);
        var m = set.Vector(mask).Values().Select(x => (long)x).ToArray();
        return MusicGenConditioning.FromAttentionMask(Grids.Floats(s), m, (int)s.Shape[0], (int)s.Shape[1], (int)s.Shape[2]);
    }
}
