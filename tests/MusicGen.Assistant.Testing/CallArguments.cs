namespace MusicGen.Assistant.Testing;

/// <summary>The arguments of a model call in a recorded expression: positional ones in order, keyword ones by name.</summary>
public sealed record CallArguments(IReadOnlyList<NDArray> Positional, IReadOnlyDictionary<string, NDArray> Keywords)
{
    /// <summary>
    /// A parameter given either at <paramref name="position"/> or as <paramref name="keyword"/>=..., as Python binds
    /// it; throws naming the parameter when it is missing or given both ways.
    /// </summary>
    public NDArray Get(int position, string keyword)
    {
        var byPosition = position < Positional.Count ? Positional[position] : null;
        var byKeyword = Keywords.GetValueOrDefault(keyword);
        if (byPosition is not null && byKeyword is not null)
            throw new NotSupportedException($"argument '{keyword}' given both at position {position} and by keyword");
        return byPosition ?? byKeyword ?? throw new NotSupportedException($"missing argument '{keyword}' (position {position})");
    }

    /// <summary>Throws naming any argument beyond <paramref name="parameters"/> (by count or by keyword).</summary>
    public void Allow(params string[] parameters)
    {
        if (Positional.Count > parameters.Length)
            throw new NotSupportedException($"{Positional.Count} positional arguments, at most {parameters.Length} supported ({string.Join(", ", parameters)})");
        var unknown = Keywords.Keys.Where(k => !parameters.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new NotSupportedException($"unsupported keyword argument(s) {string.Join(", ", unknown)} (supported: {string.Join(", ", parameters)})");
    }
}
