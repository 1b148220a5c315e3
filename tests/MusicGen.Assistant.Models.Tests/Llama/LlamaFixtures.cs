using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>The Hugging Face LlamaForCausalLM fixture sets, converted by our converter, and what their vectors say.</summary>
internal static partial class LlamaFixtures
{
    private static readonly ConcurrentDictionary<(string, StorageType, QueryKeyLayout), Lazy<string>> Converted = new();

    private static readonly string Root = Directory.CreateTempSubdirectory("mga-llama-").FullName;

    /// <summary>Sets whose checkpoint is a transformers llama (model_type "llama").</summary>
    public static IEnumerable<FixtureSet> Sets() =>
        FixtureSet.All().Where(s => s.HasModel && (JsonNode.Parse(File.ReadAllText(s.ConfigPath))!["model_type"]?.GetValue<string>()) == "llama");

    public static FixtureSet First() => Sets().FirstOrDefault() ?? throw new InvalidOperationException("no llama fixture set under MGA_FIXTURES");

    public static ComputeBackend Cpu() => ComputeBackend.Create(BackendKind.Cpu, threads: 1);

    /// <summary>The set converted once per run: with the Hugging Face row permutation undone (the right way), or copied as Meta's layout (wrong on purpose).</summary>
    /// <remarks>The right way goes through CheckpointConversion.Convert, the `mga convert` path.</remarks>
    public static string Gguf(FixtureSet set, StorageType type = StorageType.F32, QueryKeyLayout layout = QueryKeyLayout.HuggingFace) =>
        layout == QueryKeyLayout.HuggingFace ? Encodec.ConvertedFixtures.Gguf(set, type) :
        Converted.GetOrAdd((set.Directory, type, layout), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{StorageTypes.Name(type)}-{layout}.gguf");
            using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
            var reader = new CheckpointReader(checkpoint);
            var config = LlamaConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath);
            GgufConverter.Write(new LlamaCheckpointPlan(reader, config, layout, tiedOutput: !reader.Contains("lm_head.weight")), path, type, set.Name);
            return path;
        })).Value;

    public static int[] Ints(ReferenceVector v) => v.Values().Select(x => checked((int)x)).ToArray();

    public static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();

    [GeneratedRegex(@"input_ids\[:, *(?<from>\d*):(?<to>\d+)\]")]
    private static partial Regex Slice();

    /// <summary>The [from, to) slice of input_ids a recorded call feeds (e.g. <c>input_ids[:, 13:14]</c>).</summary>
    public static (int From, int To) FedSlice(ReferenceVector v)
    {
        var m = Slice().Match(v.Call);
        if (!m.Success) throw new InvalidDataException($"{v}: the call '{v.Call}' feeds no input_ids slice");
        return (m.Groups["from"].Value.Length == 0 ? 0 : int.Parse(m.Groups["from"].Value), int.Parse(m.Groups["to"].Value));
    }

    /// <summary>The values in double, for comparison.</summary>
    public static double[] D(IEnumerable<float> values) => values.Select(x => (double)x).ToArray();
}
