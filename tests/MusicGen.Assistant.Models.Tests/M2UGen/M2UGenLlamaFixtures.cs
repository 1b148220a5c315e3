using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>Which file of an M2UGen fixture the LLaMA is converted from.</summary>
public enum M2UGenSource { Safetensors, Pth }

/// <summary>
/// The M2UGen fixture sets' LLaMA converted by <see cref="M2UGenLlamaPlan"/> (settings from their config.json), and
/// what their vectors.json calls say: the adapter vectors a forward_inference / generate call passes, the token
/// slices it feeds.
/// </summary>
internal static partial class M2UGenLlamaFixtures
{
    private static readonly ConcurrentDictionary<(string, M2UGenSource, bool, AdapterLayout?, StorageType), Lazy<string>> Converted = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-m2ugen-llama-").FullName;

    public static IEnumerable<FixtureSet> Sets() =>
        FixtureSet.All().Where(s => File.Exists(s.ConfigPath) && JsonNode.Parse(File.ReadAllText(s.ConfigPath))!["model_type"]?.GetValue<string>() == "m2ugen");

    public static FixtureSet First() => Sets().FirstOrDefault() ?? throw new InvalidOperationException("no m2ugen fixture set under MGA_FIXTURES");

    public static ComputeBackend Cpu() => ComputeBackend.Create(BackendKind.Cpu, threads: 1);

    public static M2UGenLlamaSettings Settings(FixtureSet set) => M2UGenLlamaSettings.FromConfigJson(File.ReadAllText(set.ConfigPath), set.ConfigPath);

    public static ITensorCheckpoint Open(FixtureSet set, M2UGenSource source) => source == M2UGenSource.Pth
        ? PyTorchCheckpoint.Open(Path.Combine(set.Directory, "checkpoint.pth"))
        : SafetensorsCheckpoint.OpenDirectory(set.Directory);

    /// <summary>The LLaMA part converted once per run.</summary>
    public static string Gguf(FixtureSet set, M2UGenSource source = M2UGenSource.Safetensors, bool foldLora = false, AdapterLayout? layout = null,
        StorageType type = StorageType.F32) =>
        Converted.GetOrAdd((set.Directory, source, foldLora, layout, type), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{source}-{(foldLora ? "folded" : "lora")}-{layout}-{StorageTypes.Name(type)}.gguf");
            using var checkpoint = Open(set, source);
            var settings = Settings(set) with { FoldLora = foldLora };
            if (layout is { } l) settings = settings with { Layout = l };
            GgufConverter.Write(new M2UGenLlamaPlan(checkpoint, settings), path, type, set.Name);
            return path;
        })).Value;

    public static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();

    public static int[] Ints(ReferenceVector v) => v.Values().Select(x => checked((int)x)).ToArray();

    public static double[] D(IEnumerable<float> values) => values.Select(x => (double)x).ToArray();

    /// <summary>The adapter output (the *_feats vector of forward_audio / _image / _video) of each modality.</summary>
    public static float[] Feats(FixtureSet set, M2UGenModality m) =>
        Floats(set.Vectors.Where(AdapterFixtureVectors.Handles).Select(AdapterFixtureVectors.Parse)
            .Single(s => s.Modality == m && s.Stage == "feats").Vector);

    [GeneratedRegex(@"forward_inference\((?<ids>\w+)(\[:, *(?<from>\d*):(?<to>\d+)\])?, *(?<start>\d+), *(?<a>\w+), *(?<i>\w+), *(?<v>\w+)\)")]
    private static partial Regex ForwardCall();

    /// <summary>A recorded forward_inference call: the token ids it feeds, its start position and its adapter vectors.</summary>
    public sealed record ForwardCallInfo(int[] Tokens, int From, int Start, M2UGenAdapterInputs Inputs);

    public static ForwardCallInfo? ParseForward(FixtureSet set, ReferenceVector v)
    {
        var m = ForwardCall().Match(v.Call);
        if (!m.Success) return null;
        var ids = Ints(set.Vector(m.Groups["ids"].Value));
        var from = m.Groups["from"].Value.Length == 0 ? 0 : int.Parse(m.Groups["from"].Value);
        var to = m.Groups["to"].Success && m.Groups["to"].Value.Length > 0 ? int.Parse(m.Groups["to"].Value) : ids.Length;
        return new ForwardCallInfo(ids[from..to], from, int.Parse(m.Groups["start"].Value),
            Inputs(set, m.Groups["a"].Value, m.Groups["i"].Value, m.Groups["v"].Value));
    }

    [GeneratedRegex(@"model\.generate\(\[(?<p>\w+)\[0\]\.tolist\(\)\], *(?<a>\w+), *(?<i>\w+), *(?<v>\w+), *(?<max>\d+), *(?<t>[\d.]+), *(?<top>[\d.]+)")]
    private static partial Regex GenerateCall();

    /// <summary>A recorded generate() call: prompt ids, adapter vectors, max_gen_len, temperature, top_p.</summary>
    public sealed record GenerateCallInfo(int[] Prompt, M2UGenAdapterInputs Inputs, int MaxNewTokens, float Temperature, float TopP);

    public static GenerateCallInfo ParseGenerate(FixtureSet set, ReferenceVector v)
    {
        var m = GenerateCall().Match(v.Call);
        if (!m.Success) throw new InvalidDataException($"{v}: '{v.Call}' is not a generate() call this test reads");
        // generate() runs the adapters on the raw inputs: their outputs are the fixture's forward_* feats vectors
        float[]? Of(string input, M2UGenModality modality) => input == "None" ? null : Feats(set, modality);
        return new GenerateCallInfo(Ints(set.Vector(m.Groups["p"].Value)),
            new M2UGenAdapterInputs(Of(m.Groups["a"].Value, M2UGenModality.Music), Of(m.Groups["i"].Value, M2UGenModality.Image), Of(m.Groups["v"].Value, M2UGenModality.Video)),
            int.Parse(m.Groups["max"].Value), float.Parse(m.Groups["t"].Value, System.Globalization.CultureInfo.InvariantCulture),
            float.Parse(m.Groups["top"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    // forward_inference's audio, image and video arguments: names of vectors, or None
    private static M2UGenAdapterInputs Inputs(FixtureSet set, string audio, string image, string video)
    {
        float[]? Of(string name) => name == "None" ? null : Floats(set.Vector(name));
        return new M2UGenAdapterInputs(Of(audio), Of(image), Of(video));
    }
}
