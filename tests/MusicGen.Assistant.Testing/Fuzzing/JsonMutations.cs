using System.Text;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Testing.Fuzzing;

/// <summary>
/// Seeded mutations of a valid JSON file (config.json and its kin): a value replaced by a huge, negative, fractional,
/// overflowing or wrongly typed one, a key removed, nesting thousands deep, a shared (repeated) subtree, invalid UTF-8,
/// a cut. Numbers that are sizes get the hostile values most often, since those are what a loader allocates by.
/// </summary>
public static class JsonMutations
{
    private static readonly string[] Hostile =
    [
        "2147483647", "2147483648", "-1", "0", "1000000000", "9223372036854775807", "1e308", "1e999", "-1e999", "1.5", "NaN",
        "\"64\"", "\"\"", "true", "null", "[]", "{}", "[1, 2, 3]", "{\"a\": 1}", "65535", "100000",
    ];

    public static IEnumerable<FuzzInput> Mutate(string json, string fileName, int seed, int count)
    {
        var rng = new Random(seed);
        var root = JsonNode.Parse(json) ?? throw new ArgumentException("the original must be valid JSON", nameof(json));
        var paths = Values(root).ToList();
        for (var i = 0; i < count; i++)
        {
            var (name, text) = rng.Next(10) switch
            {
                < 5 => Replace(root, paths, rng),
                5 => RemoveKey(root, paths, rng),
                6 => DeepNest(root, paths, rng),
                7 => InvalidUtf8(json, rng),
                8 => ($"cut at {json.Length / 2}", Encoding.UTF8.GetBytes(json[..rng.Next(json.Length)])),
                _ => SharedSubtree(root, paths, rng),
            };
            yield return new FuzzInput($"#{i} {name}", text, fileName);
        }
    }

    /// <summary>Every leaf value replaced by every hostile value (a sweep, capped at <paramref name="max"/> inputs).</summary>
    public static IEnumerable<FuzzInput> Sweep(string json, string fileName, int max)
    {
        var root = JsonNode.Parse(json)!;
        var produced = 0;
        foreach (var path in Values(root).Where(p => Find(root, p) is JsonValue))
            foreach (var value in Hostile)
            {
                if (produced++ >= max) yield break;
                yield return new FuzzInput($"{Describe(path)} = {value}", WithValue(root, path, value), fileName);
            }
    }

    private static (string, byte[]) Replace(JsonNode root, List<object[]> paths, Random rng)
    {
        var path = paths[rng.Next(paths.Count)];
        var value = Hostile[rng.Next(Hostile.Length)];
        return ($"{Describe(path)} = {value}", WithValue(root, path, value));
    }

    // The file with one value replaced by a JSON text (spliced in, so tokens like NaN that JSON lacks go in as written).
    private static byte[] WithValue(JsonNode root, object[] path, string value)
    {
        var copy = root.DeepClone();
        Set(copy, path, JsonValue.Create("@@splice@@"));
        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace("\"@@splice@@\"", value));
    }

    private static (string, byte[]) RemoveKey(JsonNode root, List<object[]> paths, Random rng)
    {
        var path = paths[rng.Next(paths.Count)];
        var copy = root.DeepClone();
        if (path[^1] is string key && Find(copy, path[..^1]) is JsonObject parent) parent.Remove(key);
        return ($"remove {Describe(path)}", Encoding.UTF8.GetBytes(copy.ToJsonString()));
    }

    private static (string, byte[]) DeepNest(JsonNode root, List<object[]> paths, Random rng)
    {
        var depth = rng.Next(2) == 0 ? 100 : 100_000;
        var path = paths[rng.Next(paths.Count)];
        return ($"{Describe(path)} = [[...]] x{depth}", WithValue(root, path, new string('[', depth) + "1" + new string(']', depth)));
    }

    private static (string, byte[]) SharedSubtree(JsonNode root, List<object[]> paths, Random rng)
    {
        // the whole config repeated inside itself several levels down: many copies of one subtree
        var copy = root.DeepClone();
        var path = paths[rng.Next(paths.Count)];
        JsonNode subtree = root.DeepClone();
        for (var level = 0; level < 3; level++)
            subtree = new JsonArray(subtree.DeepClone(), subtree.DeepClone(), subtree.DeepClone(), subtree.DeepClone());
        Set(copy, path, subtree);
        return ($"{Describe(path)} = 64 copies of the file", Encoding.UTF8.GetBytes(copy.ToJsonString()));
    }

    private static (string, byte[]) InvalidUtf8(string json, Random rng)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'"').ToList();
        var at = quotes.Count > 0 ? quotes[rng.Next(quotes.Count)] + 1 : rng.Next(bytes.Length);
        byte[] bad = rng.Next(3) switch { 0 => [0xFF], 1 => [0xC3], _ => [0xED, 0xA0, 0x80] };
        return ($"invalid UTF-8 {Convert.ToHexString(bad)} @{at}", [.. bytes.AsSpan(0, at), .. bad, .. bytes.AsSpan(at)]);
    }

    // Paths to every property and array element (keys are strings, indices ints).
    private static IEnumerable<object[]> Values(JsonNode node, object[]? prefix = null)
    {
        prefix ??= [];
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    object[] path = [.. prefix, key];
                    yield return path;
                    if (child is not null) foreach (var p in Values(child, path)) yield return p;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    object[] path = [.. prefix, i];
                    yield return path;
                    if (a[i] is { } child) foreach (var p in Values(child, path)) yield return p;
                }
                break;
        }
    }

    private static JsonNode? Find(JsonNode? node, object[] path)
    {
        foreach (var step in path)
            node = step is string key ? (node as JsonObject)?[key] : (node as JsonArray)?[(int)step];
        return node;
    }

    private static void Set(JsonNode root, object[] path, JsonNode? value)
    {
        var parent = Find(root, path[..^1]);
        if (path[^1] is string key && parent is JsonObject o) o[key] = value;
        else if (path[^1] is int i && parent is JsonArray a) a[i] = value;
    }

    private static string Describe(object[] path) => string.Join(".", path.Select(p => p is int i ? $"[{i}]" : (string)p)).Replace(".[", "[");
}
