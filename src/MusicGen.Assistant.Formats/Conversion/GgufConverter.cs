using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;


namespace MusicGen.Assistant.Formats.Conversion;

/// <summary>Progress of a conversion: tensors written so far.</summary>
public readonly record struct ConversionProgress(int Done, int Total, string Tensor);

/// <summary>Summary of a finished conversion.</summary>
public sealed record ConversionResult(string Path, int TensorCount, long Bytes, IReadOnlyDictionary<string, int> TensorsByType);

/// <summary>
/// Writes a conversion plan to GGUF one tensor at a time (a multi-GB checkpoint is never held whole): matrices in the
/// requested type when their rows are whole blocks, everything else in f32. The file appears only when complete.
/// </summary>
public static class GgufConverter
{
    public static ConversionResult Write(IConversionPlan plan, string outputPath, StorageType storage, string sourceDescription,
        IProgress<ConversionProgress>? progress = null)
    {
        var full = Path.GetFullPath(outputPath);
        var temp = full + ".partial";
        var byType = new Dictionary<string, int>();
        try
        {
            using (var writer = new GgufWriter(temp))
            {
                writer.SetMetadata("general.architecture", plan.Architecture);
                writer.SetMetadata("general.source", sourceDescription);
                // a uint32 llama_ftype, as llama.cpp writes and reads it (a string here makes llama.cpp refuse the file)
                writer.SetMetadata("general.file_type", StorageTypes.LlamaFileType(storage));
                writer.SetMetadata("general.converter", "MusicGen.Assistant");
                plan.WriteMetadata(writer);
                var types = plan.Tensors.Select(t => Choose(t, storage)).ToArray();
                for (var i = 0; i < types.Length; i++)
                {
                    var t = plan.Tensors[i];
                    writer.AddTensor(t.Name, types[i], t.Ne);
                    var key = types[i].ToString().ToLowerInvariant();
                    byType[key] = byType.GetValueOrDefault(key) + 1;
                }
                writer.WriteHeader();
                for (var i = 0; i < types.Length; i++)
                {
                    var t = plan.Tensors[i];
                    var values = t.Produce();
                    var count = t.Ne.Aggregate(1L, (a, b) => a * b);
                    if (values.Length != count)
                        throw new InvalidDataException($"{t.Source}: produced {values.Length} values for '{t.Name}' of shape [{string.Join(", ", t.Ne)}]");
                    writer.WriteTensorData(t.Name, Quantizer.Quantize(values, t.Ne[0], types[i]));
                    progress?.Report(new ConversionProgress(i + 1, types.Length, t.Name));
                }
                writer.Finish();
            }
            File.Move(temp, full, overwrite: true);
            return new ConversionResult(full, plan.Tensors.Count, new FileInfo(full).Length, byType);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    private static GgmlType Choose(PlannedTensor t, StorageType storage)
    {
        if (t.Role == TensorRole.Exact || storage == StorageType.F32) return GgmlType.F32;
        var type = storage switch
        {
            StorageType.F16 => GgmlType.F16,
            StorageType.BF16 => GgmlType.BF16,
            StorageType.Q8_0 => GgmlType.Q8_0,
            StorageType.Q4_K => GgmlType.Q4_K,
            _ => GgmlType.Q4_0,
        };
        // rows that are not whole blocks: q4_K falls back to q5_0 (llama.cpp's choice), then anything to f16
        if (type == GgmlType.Q4_K && t.Ne[0] % GgmlTypeSizes.BlockSize(type) != 0) type = GgmlType.Q5_0;
        return t.Ne[0] % GgmlTypeSizes.BlockSize(type) == 0 ? type : GgmlType.F16;
    }
}
