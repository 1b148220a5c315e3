using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// The typed storage classes torch.save names in persistent ids ("torch.HalfStorage", ...) and the element type of
/// each. Safetensors' dtype names serve as the element-type vocabulary shared by every checkpoint reader.
/// </summary>
internal static class TorchStorageTypes
{
    private static readonly Dictionary<string, SafetensorsDType> ByClassName = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = SafetensorsDType.F32,
        ["HalfStorage"] = SafetensorsDType.F16,
        ["BFloat16Storage"] = SafetensorsDType.BF16,
        ["DoubleStorage"] = SafetensorsDType.F64,
        ["LongStorage"] = SafetensorsDType.I64,
        ["IntStorage"] = SafetensorsDType.I32,
        ["ShortStorage"] = SafetensorsDType.I16,
        ["CharStorage"] = SafetensorsDType.I8,
        ["ByteStorage"] = SafetensorsDType.U8,
        ["BoolStorage"] = SafetensorsDType.BOOL,
    };

    /// <summary>Whether "torch.<paramref name="className"/>" is a storage class this reader understands.</summary>
    public static bool TryGetDType(string className, out SafetensorsDType dtype) => ByClassName.TryGetValue(className, out dtype);

    /// <summary>The class names, for error messages.</summary>
    public static string KnownNames => string.Join(", ", ByClassName.Keys.Select(name => "torch." + name));
}
