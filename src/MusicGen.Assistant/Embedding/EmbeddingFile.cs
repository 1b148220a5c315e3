using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Embedding;

/// <summary>
/// Writes embeddings as NumPy .npy (one float32 array: the first one given) or .safetensors (every array, by name),
/// chosen by the file extension. The file appears only when complete.
/// </summary>
public static class EmbeddingFile
{
    public static void Write(string path, IReadOnlyList<(string Name, float[] Values, int[] Shape)> arrays, IReadOnlyDictionary<string, string> metadata)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".npy" or ".safetensors"))
            throw AssistantException.Unsupported($"output '{path}': use a .npy or .safetensors file name");
        var temp = path + ".partial";
        try
        {
            if (extension == ".npy") WriteNpy(temp, arrays[0].Values, arrays[0].Shape);
            else
                SafetensorsWriter.Write(temp,
                    arrays.Select(a => (a.Name, SafetensorsDType.F32, a.Shape.Select(d => (long)d).ToArray(), (ReadOnlyMemory<byte>)MemoryMarshal.AsBytes(a.Values.AsSpan()).ToArray())),
                    metadata);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    /// <summary>NPY format 1.0: magic, version, a little-endian header length, a Python dict padded to 64 bytes, the data.</summary>
    public static void WriteNpy(string path, ReadOnlySpan<float> values, IReadOnlyList<int> shape)
    {
        var dims = shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}";
        var unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        Span<byte> item = stackalloc byte[4];
        if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(values));
        else
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(item, v);
                stream.Write(item);
            }
    }
}
