using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Models;

/// <summary>
/// The tensors of a checkpoint whose names start with a prefix, seen without it: a composite model's sub-model
/// (M2UGen's <c>generation_model.</c>, <c>mert_model.</c>, <c>vit_model.</c>, <c>vivit_model.</c>) reads as if it
/// were the sub-model's own checkpoint, so that family's conversion plan applies unchanged. Does not own the checkpoint.
/// </summary>
public sealed class PrefixedCheckpoint(ITensorCheckpoint inner, string prefix) : ITensorCheckpoint
{
    public string Prefix => prefix;

    public string Source => $"{inner.Source} ({prefix}*)";

    public IEnumerable<string> Names =>
        inner.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Select(n => n[prefix.Length..]);

    /// <summary>Whether the checkpoint holds any tensor under the prefix.</summary>
    public bool Any => Names.Any();

    public bool Contains(string name) => inner.Contains(prefix + name);

    public long[] Shape(string name) => inner.Shape(Full(name));

    public SafetensorsDType DType(string name) => inner.DType(Full(name));

    public float[] ReadFloat32(string name) => inner.ReadFloat32(Full(name));

    // the inner checkpoint's own "no such tensor" error names the full name and its closest names
    private string Full(string name) => prefix + name;

    public void Dispose() { }
}
