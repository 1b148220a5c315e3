using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// A storage named by a persistent id ('storage', type, key, location, numel): zip entry "&lt;archive&gt;/data/&lt;key&gt;".
/// Nothing is read when it is created; tensors are views into it.
/// </summary>
internal sealed record TorchStorageRef(string Key, string TypeName, SafetensorsDType DType, string Location, long ElementCount);

/// <summary>What torch._utils._rebuild_tensor_v2 describes: a strided view (offsets in elements) of a storage.</summary>
internal sealed record TorchTensorView(TorchStorageRef Storage, long StorageOffset, long[] Shape, long[] Stride, bool RequiresGrad);
