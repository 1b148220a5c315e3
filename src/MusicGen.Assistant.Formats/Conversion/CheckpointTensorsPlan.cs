using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Formats.Conversion;

/// <summary>
/// A conversion plan that copies chosen tensors of any checkpoint (safetensors or PyTorch .pth) to GGUF as they are:
/// same values, ggml shape = the PyTorch shape reversed, names kept or mapped. Suits weights that need no re-layout,
/// such as M2UGen's modality adapters (mu_mert_*, iu_vit_*, iu_vivit_*). Each tensor is read only when it is written.
/// </summary>
public sealed class CheckpointTensorsPlan : IConversionPlan
{
    private readonly Action<GgufWriter>? _writeMetadata;

    /// <param name="checkpoint">Where the tensors come from; it must stay open until the conversion ends.</param>
    /// <param name="architecture">The GGUF <c>general.architecture</c> value.</param>
    /// <param name="names">Checkpoint tensor names, in the order they go into the file.</param>
    /// <param name="ggufName">Maps a checkpoint name to its GGUF name (identity when null).</param>
    /// <param name="writeMetadata">Writes the family's metadata keys, if any.</param>
    public CheckpointTensorsPlan(ITensorCheckpoint checkpoint, string architecture, IEnumerable<string> names,
        Func<string, string>? ggufName = null, Action<GgufWriter>? writeMetadata = null)
    {
        Architecture = architecture;
        _writeMetadata = writeMetadata;
        var tensors = new List<PlannedTensor>();
        foreach (string name in names)
        {
            if (!checkpoint.Contains(name))
            {
                throw new KeyNotFoundException(
                    $"{checkpoint.Source}: tensor '{name}' is not in the checkpoint." + NameSuggestions.Describe(name, checkpoint.Names));
            }
            long[] shape = checkpoint.Shape(name);
            long[] ne = shape.Length == 0 ? [1] : shape.Reverse().ToArray();
            // Two-dimensional weights feed matrix products; vectors, scalars and conv kernels stay exact.
            var role = shape.Length == 2 ? TensorRole.Matrix : TensorRole.Exact;
            string source = $"{checkpoint.Source}: {name}";
            tensors.Add(new PlannedTensor(ggufName?.Invoke(name) ?? name, ne, role, () => checkpoint.ReadFloat32(name), source));
        }
        if (tensors.Count == 0)
        {
            throw new ArgumentException($"{checkpoint.Source}: no tensors were chosen for conversion.", nameof(names));
        }
        Tensors = tensors;
    }

    /// <summary>Every tensor whose name starts with one of <paramref name="prefixes"/>, in checkpoint order.</summary>
    public static CheckpointTensorsPlan WithPrefixes(ITensorCheckpoint checkpoint, string architecture, params string[] prefixes)
    {
        var names = checkpoint.Names.Where(n => prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException(
                $"{checkpoint.Source}: no tensor name starts with {string.Join(" or ", prefixes.Select(p => "'" + p + "'"))}.", nameof(prefixes));
        }
        return new CheckpointTensorsPlan(checkpoint, architecture, names);
    }

    public string Architecture { get; }

    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer) => _writeMetadata?.Invoke(writer);
}
