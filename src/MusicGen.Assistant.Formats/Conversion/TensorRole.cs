namespace MusicGen.Assistant.Formats.Conversion;

/// <summary>How a converted tensor may be stored.</summary>
public enum TensorRole
{
    /// <summary>A weight matrix read by matrix products: stored in the requested type (f16, q8_0, ...) when its rows fit.</summary>
    Matrix,

    /// <summary>Biases, norms, embeddings read elementwise or exactly (codebooks): always f32.</summary>
    Exact,
}

/// <summary>One tensor of the output file: its GGUF name, ggml shape (Ne[0] fastest) and a producer of its f32 values.</summary>
public sealed record PlannedTensor(string Name, long[] Ne, TensorRole Role, Func<float[]> Produce, string Source);

/// <summary>What one model family contributes to a conversion: metadata and the tensors, in file order.</summary>
public interface IConversionPlan
{
    /// <summary>The GGUF <c>general.architecture</c> value.</summary>
    string Architecture { get; }

    /// <summary>Writes the family's configuration keys.</summary>
    void WriteMetadata(Gguf.GgufWriter writer);

    IReadOnlyList<PlannedTensor> Tensors { get; }
}
