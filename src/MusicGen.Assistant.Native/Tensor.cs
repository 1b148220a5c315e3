using System.Runtime.InteropServices;
using System.Text;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// A borrowed pointer to a ggml tensor; the <see cref="GgmlContext"/> that made it owns it. Shapes are in ggml order:
/// <c>Ne[0]</c> is the fastest dimension, so a PyTorch <c>[out, in]</c> matrix has Ne = {in, out}.
/// </summary>
public readonly unsafe struct Tensor : IEquatable<Tensor>
{
    internal readonly GgmlTensorStruct* Ptr;

    internal Tensor(GgmlTensorStruct* ptr)
    {
        if (ptr == null) throw new GgmlException("ggml returned no tensor (out of context memory?)");
        Ptr = ptr;
    }

    public bool IsNull => Ptr == null;
    public GgmlType Type => (GgmlType)Ptr->Type;
    public long Ne0 => Ptr->Ne[0];
    public long Ne1 => Ptr->Ne[1];
    public long Ne2 => Ptr->Ne[2];
    public long Ne3 => Ptr->Ne[3];
    public long Ne(int i) => (uint)i < 4 ? Ptr->Ne[i] : throw new ArgumentOutOfRangeException(nameof(i));
    public long Nb(int i) => (uint)i < 4 ? (long)Ptr->Nb[i] : throw new ArgumentOutOfRangeException(nameof(i));
    public long[] Shape => [Ptr->Ne[0], Ptr->Ne[1], Ptr->Ne[2], Ptr->Ne[3]];
    public long ElementCount => Ptr->Ne[0] * Ptr->Ne[1] * Ptr->Ne[2] * Ptr->Ne[3];
    public long ByteCount => (long)GgmlCore.ggml_nbytes(Ptr);
    public bool IsContiguous => GgmlCore.ggml_is_contiguous(Ptr);
    public bool IsAllocated => Ptr->Buffer != 0 || Ptr->Data != 0;

    /// <summary>Marked trainable (<see cref="Autograd.MarkParameter"/>): backward passes compute its gradient.</summary>
    public bool IsParameter => (Ptr->Flags & Autograd.ParameterFlag) != 0;

    /// <summary>Marked as the loss of a backward pass (<see cref="Autograd.MarkLoss"/>).</summary>
    public bool IsLoss => (Ptr->Flags & Autograd.LossFlag) != 0;

    /// <summary>Whether the tensor lives in the CPU's repacked weight memory (<see cref="CpuRepack"/>).</summary>
    public bool IsRepacked => CpuRepack.Holds(this);

    /// <summary>Whether this weight is kept for our integer product kernel (<see cref="Int8Products"/>).</summary>
    public bool IsInt8Packed => Int8Products.Holds(this);
    internal nint Handle => (nint)Ptr;

    /// <summary>Number of dimensions ignoring trailing 1s (at least 1).</summary>
    public int Rank { get { var r = 4; while (r > 1 && Ptr->Ne[r - 1] == 1) r--; return r; } }

    public string Name
    {
        get
        {
            var span = new ReadOnlySpan<byte>(Ptr->Name, GgmlTensorStruct.MaxName);
            var end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
    }

    /// <summary>Names the tensor (for debugging and lookups); names longer than ggml's 63 bytes are refused.</summary>
    public Tensor Named(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) >= GgmlTensorStruct.MaxName)
            throw new GgmlException($"tensor name '{name}' is longer than ggml's {GgmlTensorStruct.MaxName - 1} bytes");
        GgmlCore.ggml_set_name(Ptr, name);
        return this;
    }

    public string ShapeText => $"[{string.Join(", ", Shape.Take(Rank))}] {Type}";

    public override string ToString() => $"{Name} {ShapeText}";

    /// <summary>Copies host data into the tensor's backend memory (the tensor must be allocated).</summary>
    public void SetData<T>(ReadOnlySpan<T> data) where T : unmanaged => SetData(data, 0);

    /// <summary>Copies host data into the tensor at a byte offset.</summary>
    public void SetData<T>(ReadOnlySpan<T> data, long byteOffset) where T : unmanaged
    {
        var bytes = (long)data.Length * sizeof(T);
        CheckIo(bytes, byteOffset, "write");
        fixed (T* p = data)
            if (IsInt8Packed) Kernels.Int8Layout.PackWeight(new ReadOnlySpan<byte>(p, checked((int)bytes)), Ne0, Ne1, (byte*)Ptr->Data);
            else GgmlBackendApi.ggml_backend_tensor_set(Ptr, p, (nuint)byteOffset, (nuint)bytes);
    }

    /// <summary>Copies the tensor's data (or a byte range of it) to host memory.</summary>
    public void GetData<T>(Span<T> destination, long byteOffset = 0) where T : unmanaged
    {
        var bytes = (long)destination.Length * sizeof(T);
        CheckIo(bytes, byteOffset, "read");
        fixed (T* p = destination) GgmlBackendApi.ggml_backend_tensor_get(Ptr, p, (nuint)byteOffset, (nuint)bytes);
    }

    /// <summary>Sets every byte of the tensor's backend memory (e.g. zeroes a gradient accumulator).</summary>
    public void Fill(byte value)
    {
        CheckIo(ByteCount, 0, "fill");
        GgmlAutogradApi.ggml_backend_tensor_memset(Ptr, value, 0, (nuint)ByteCount);
    }

    /// <summary>The whole tensor as floats (F32 tensors only).</summary>
    public float[] ToFloatArray()
    {
        if (Type != GgmlType.F32) throw new GgmlException($"tensor '{Name}' is {Type}, not F32");
        var result = new float[ElementCount];
        GetData<float>(result);
        return result;
    }

    /// <summary>The whole tensor as ints (I32 tensors only).</summary>
    public int[] ToInt32Array()
    {
        if (Type != GgmlType.I32) throw new GgmlException($"tensor '{Name}' is {Type}, not I32");
        var result = new int[ElementCount];
        GetData<int>(result);
        return result;
    }

    private void CheckIo(long bytes, long offset, string what)
    {
        if (!IsAllocated) throw new GgmlException($"cannot {what} tensor '{Name}': it has no memory yet (allocate its context or graph first)");
        if (!IsContiguous) throw new GgmlException($"cannot {what} tensor '{Name}': it is a non-contiguous view");
        if (offset < 0 || bytes < 0 || offset + bytes > ByteCount)
            throw new GgmlException($"cannot {what} {bytes} bytes at offset {offset} of tensor '{Name}' {ShapeText} ({ByteCount} bytes)");
        // ggml repacks a whole tensor as it is written and cannot give it back (it would assert or read a null getter)
        if (IsRepacked && (what != "write" || offset != 0 || bytes != ByteCount))
            throw new GgmlException($"cannot {what} {(what == "write" ? "part of " : "")}tensor '{Name}': it is stored repacked for the CPU's matrix kernels (written whole, never read back)");
        if (IsInt8Packed && (what != "write" || offset != 0 || bytes != ByteCount))
            throw new GgmlException($"cannot {what} {(what == "write" ? "part of " : "")}tensor '{Name}': it is stored packed for the integer product kernel (written whole, never read back)");
    }

    public bool Equals(Tensor other) => Ptr == other.Ptr;
    public override bool Equals(object? obj) => obj is Tensor t && Equals(t);
    public override int GetHashCode() => ((nint)Ptr).GetHashCode();
    public static bool operator ==(Tensor a, Tensor b) => a.Ptr == b.Ptr;
    public static bool operator !=(Tensor a, Tensor b) => a.Ptr != b.Ptr;
}
