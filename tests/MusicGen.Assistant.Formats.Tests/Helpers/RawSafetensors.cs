using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Formats.Tests.Helpers;

/// <summary>Builds safetensors files byte by byte (independently of SafetensorsWriter) to make corrupt inputs.</summary>
public static class RawSafetensors
{
    /// <summary>
    /// Writes the 8-byte length, <paramref name="headerJson"/> and <paramref name="data"/>. The stored length is the
    /// real header length unless <paramref name="headerLengthOverride"/> is given.
    /// </summary>
    public static string Write(string path, string headerJson, byte[] data, ulong? headerLengthOverride = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLengthOverride ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The JSON of one tensor entry.</summary>
    public static string Entry(string name, string dtype, long[] shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    /// <summary>A header object from entries.</summary>
    public static string Header(params string[] entries) => "{" + string.Join(",", entries) + "}";
}
