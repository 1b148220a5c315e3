using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>One tensor of a GGUF being rewritten.</summary>
internal sealed record GgufTensorCopy(string Name, GgmlType Type, long[] Ne, byte[] Bytes);

/// <summary>Copies of a GGUF with tensors and metadata edited, for loading-error tests.</summary>
internal static class GgufEdits
{
    public static string Rewrite(string source, string name, Func<GgufTensorCopy, GgufTensorCopy?> tensor,
        Func<string, GgufValue, GgufValue?>? metadata = null, params GgufTensorCopy[] extra)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-gguf-edit-").FullName, name + ".gguf");
        using var file = GgufFile.Open(source);
        var tensors = file.Tensors.Select(t => tensor(new GgufTensorCopy(t.Name, t.Type, t.Ne, file.GetTensorBytes(t).ToArray())))
            .Where(t => t is not null).Select(t => t!).Concat(extra).ToList();
        using var writer = new GgufWriter(path);
        foreach (var (key, value) in file.Metadata)
            if ((metadata is null ? value : metadata(key, value)) is { } v) writer.SetMetadata(key, v);
        foreach (var t in tensors) writer.AddTensor(t.Name, t.Type, t.Ne);
        writer.WriteHeader();
        foreach (var t in tensors) writer.WriteTensorData(t.Name, t.Bytes);
        writer.Finish();
        return path;
    }
}
