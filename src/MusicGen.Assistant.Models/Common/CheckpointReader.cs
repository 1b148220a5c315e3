using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Reads tensors of a checkpoint (a Hugging Face safetensors directory, a PyTorch .pth, ...) by name with their shape
/// checked; errors name the tensor.
/// </summary>
public sealed class CheckpointReader(ITensorCheckpoint checkpoint)
{
    public string Source => checkpoint.Source;

    public bool Contains(string name) => checkpoint.Contains(name);

    /// <summary>The tensor as floats, after checking it has exactly the PyTorch <paramref name="shape"/>.</summary>
    public float[] Read(string name, params long[] shape)
    {
        if (!checkpoint.Contains(name))
            throw new ModelWeightsException($"{Source}: missing tensor '{name}' (expected shape [{string.Join(", ", shape)}])");
        var actual = checkpoint.Shape(name);
        if (!actual.SequenceEqual(shape))
            throw new ModelWeightsException($"{Source}: tensor '{name}' has shape [{string.Join(", ", actual)}], expected [{string.Join(", ", shape)}]");
        return checkpoint.ReadFloat32(name);
    }

    /// <summary>
    /// A weight-normed weight, folded: accepts <c>weight_g</c>/<c>weight_v</c>, the newer
    /// <c>parametrizations.weight.original0/1</c>, or an already plain <c>weight</c>.
    /// </summary>
    public float[] ReadWeightNormed(string module, long[] shape)
    {
        var gShape = new long[shape.Length];
        gShape[0] = shape[0];
        for (var i = 1; i < shape.Length; i++) gShape[i] = 1;
        if (Contains($"{module}.weight_g"))
            return WeightNorm.Fold(Read($"{module}.weight_g", gShape), Read($"{module}.weight_v", shape));
        if (Contains($"{module}.parametrizations.weight.original0"))
            return WeightNorm.Fold(Read($"{module}.parametrizations.weight.original0", gShape), Read($"{module}.parametrizations.weight.original1", shape));
        if (Contains($"{module}.weight")) return Read($"{module}.weight", shape);
        throw new ModelWeightsException($"{Source}: missing weight of '{module}' (looked for weight_g/weight_v, parametrizations.weight.original0/1 and weight)");
    }
}
