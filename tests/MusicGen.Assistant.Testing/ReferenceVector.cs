using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Testing;

/// <summary>How close a computed value must be: elementwise |a - e| <= atol + rtol * |e|, or exact for integers.</summary>
public sealed record Tolerance(double Atol, double Rtol, bool Exact)
{
    public static Tolerance ExactMatch { get; } = new(0, 0, true);

    public static Tolerance? Parse(JsonNode? node) => node switch
    {
        JsonObject o => new Tolerance(o["atol"]!.GetValue<double>(), o["rtol"]!.GetValue<double>(), false),
        JsonValue v when v.TryGetValue<string>(out var s) && s == "exact" => ExactMatch,
        _ => null, // inputs: "n/a (input)"
    };

    public override string ToString() => Exact ? "exact" : $"atol {Atol}, rtol {Rtol}";
}

/// <summary>One entry of a fixture set's vectors.json: an input or an expected output of the reference code.</summary>
public sealed record ReferenceVector(FixtureSet Set, string Name, string Meaning, long[] Shape, string DType, string Call, Tolerance? Tolerance)
{
    public bool IsInput => Call == "input";

    /// <summary>The values as double (float32 or int64 in the file).</summary>
    public double[] Values() => Set.ReadValues(Name);

    /// <summary>
    /// The texts the vector's meaning lists as the generator wrote them ("prompts: [...]" or "texts: [...]", a JSON
    /// list of strings): the prompts the input ids were made from, so tests take them from the fixture, not a literal.
    /// </summary>
    public IReadOnlyList<string> ListedTexts()
    {
        foreach (var label in new[] { "prompts: [", "texts: [" })
        {
            var at = Meaning.IndexOf(label, StringComparison.Ordinal);
            if (at < 0) continue;
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(Meaning[(at + label.Length - 1)..]));
            if (JsonNode.Parse(ref reader) is JsonArray list && list.All(x => x is JsonValue v && v.TryGetValue<string>(out _)))
                return list.Select(x => x!.GetValue<string>()).ToList();
        }
        throw new InvalidDataException($"{this}: its meaning lists no prompts (\"prompts: [...]\" or \"texts: [...]\"): {Meaning}");
    }

    public override string ToString() => $"{Set.Name}/{Name}";
}
