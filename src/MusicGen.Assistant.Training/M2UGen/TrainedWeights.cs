using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// Writes trained weights as a new GGUF: a copy of the source file (metadata, every tensor in order) with the trained
/// tensors' data replaced, so the result loads wherever the source did. Through GgufWriter's partial file: the
/// source is never touched and a failed write leaves nothing behind.
/// </summary>
public static class TrainedWeights
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> with each "prefix/name" parameter of <paramref name="parameters"/> in place of the tensor "name".</summary>
    public static int Export(string source, string destination, IEnumerable<TrainableParameter> parameters, string prefix)
    {
        if (Path.GetFullPath(source) == Path.GetFullPath(destination)) throw new ArgumentException($"would overwrite the source '{source}'; write trained weights elsewhere");
        var replaced = parameters.Where(p => p.Name.StartsWith(prefix + "/", StringComparison.Ordinal))
            .ToDictionary(p => p.Name[(prefix.Length + 1)..], p => p.Tensor, StringComparer.Ordinal);
        using var file = GgufFile.Open(source);
        foreach (var (name, t) in replaced)
        {
            if (!file.TryGetTensor(name, out var info)) throw new InvalidDataException($"{source}: has no tensor '{name}' to replace with its trained values");
            if (info.Type != GgmlType.F32 || info.ElementCount != t.ElementCount)
                throw new InvalidDataException($"{source}: '{name}' is {info.Type} with {info.ElementCount} values; the trained tensor is {t.ShapeText}");
        }
        using var writer = new GgufWriter(destination);
        foreach (var (key, value) in file.Metadata) writer.SetMetadata(key, value);
        foreach (var info in file.Tensors) writer.AddTensor(info.Name, info.Type, info.Ne, info.ByteLength);
        writer.WriteHeader();
        foreach (var info in file.Tensors)
            writer.WriteTensorData(info.Name, replaced.TryGetValue(info.Name, out var t) ? MemoryMarshal.AsBytes<float>(t.ToFloatArray()) : file.GetTensorBytes(info));
        writer.Finish();
        return replaced.Count;
    }
}
