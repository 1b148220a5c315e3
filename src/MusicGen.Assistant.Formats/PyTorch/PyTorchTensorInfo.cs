using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// One tensor of a PyTorch checkpoint: a strided view (torch._utils._rebuild_tensor_v2) into a storage that other
/// tensors may share. Offsets and strides count elements.
/// </summary>
public sealed class PyTorchTensorInfo
{
    internal PyTorchTensorInfo(string name, string picklePath, PyTorchStorageInfo storage, long storageOffset, long[] shape, long[] stride, bool requiresGrad)
    {
        Name = name;
        PicklePath = picklePath;
        Storage = storage;
        StorageOffset = storageOffset;
        Shape = shape;
        Stride = stride;
        RequiresGrad = requiresGrad;
        ElementCount = shape.Aggregate(1L, (product, dim) => checked(product * dim));
        IsContiguous = ComputeIsContiguous(shape, stride);
    }

    /// <summary>The state-dict name (see <see cref="PyTorchCheckpoint.Names"/>).</summary>
    public string Name { get; }

    /// <summary>The dotted path of the tensor in the whole pickled object, e.g. "model.module.llama.norm.weight".</summary>
    public string PicklePath { get; }

    public PyTorchStorageInfo Storage { get; }

    public SafetensorsDType DType => Storage.DType;

    /// <summary>Dimensions, slowest first; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Element step of each dimension within the storage.</summary>
    public long[] Stride { get; }

    /// <summary>Index of the tensor's first element within the storage.</summary>
    public long StorageOffset { get; }

    public bool RequiresGrad { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Row-major and gap-free, so its bytes are one range of the storage (dimensions of size 1 may have any stride).</summary>
    public bool IsContiguous { get; }

    /// <summary>One past the highest storage element the view touches (0 for an empty tensor).</summary>
    public long StorageExtent => ElementCount == 0
        ? 0
        : StorageOffset + Shape.Zip(Stride).Aggregate(1L, (end, pair) => checked(end + (pair.First - 1) * pair.Second));

    private static bool ComputeIsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] != 1 && stride[i] != expected)
            {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    public override string ToString() =>
        $"{Name} {DType} [{string.Join(", ", Shape)}] stride ({string.Join(", ", Stride)}) @{StorageOffset} in {Storage}";
}
