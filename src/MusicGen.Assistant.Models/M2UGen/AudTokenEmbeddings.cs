using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The projector's second input: the LLaMA's token embeddings of [AUD0..7] (generate_music looks them up with
/// <c>llama.tok_embeddings(tokenizer('[AUD0]...[AUD7]').input_ids)</c>), read row by row from the token-embedding
/// table, whatever type it is stored in.
/// </summary>
public static class AudTokenEmbeddings
{
    /// <summary>Rows <paramref name="ids"/> of a [vocab, dim] row-major table, [ids.Count, dim].</summary>
    public static float[] Gather(ReadOnlySpan<float> table, int dim, IReadOnlyList<int> ids)
    {
        if (dim < 1 || table.Length % dim != 0)
            throw new ArgumentException($"a token-embedding table of {table.Length} values is not made of {dim}-wide rows", nameof(table));
        var rows = table.Length / dim;
        var result = new float[ids.Count * dim];
        for (var i = 0; i < ids.Count; i++)
        {
            if ((uint)ids[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"token id {ids[i]} is outside the embedding table's {rows} rows");
            table.Slice(ids[i] * dim, dim).CopyTo(result.AsSpan(i * dim, dim));
        }
        return result;
    }

    /// <summary>The [AUD] rows of a converted LLaMA GGUF's token embeddings (<see cref="Llama.LlamaKeys.TokenEmbedding"/>), [ids.Count, dim].</summary>
    public static float[] FromLlama(GgufFile llama, IReadOnlyList<int> ids) => FromGguf(llama, Llama.LlamaKeys.TokenEmbedding, ids);

    /// <summary>
    /// Rows <paramref name="ids"/> of a GGUF token-embedding tensor {dim, vocab} (f32, f16, bf16 or a quantized type),
    /// [ids.Count, dim]. A missing tensor or an id outside it is an error naming the file.
    /// </summary>
    public static float[] FromGguf(GgufFile file, string tensorName, IReadOnlyList<int> ids)
    {
        if (!file.TryGetTensor(tensorName, out var info))
            throw new ModelWeightsException($"{file.Path}: missing tensor '{tensorName}' (the token embeddings the [AUD] rows come from)");
        if (info.Ne.Length != 2)
            throw new ModelWeightsException($"{file.Path}: tensor '{tensorName}' has shape [{string.Join(", ", info.Ne)}], expected [dim, vocab]");
        long dim = info.Ne[0], vocab = info.Ne[1];
        var rowBytes = GgmlTypeSizes.RowBytes(info.Type, dim);
        var bytes = file.GetTensorBytes(info);
        var result = new float[ids.Count * dim];
        for (var i = 0; i < ids.Count; i++)
        {
            if ((ulong)ids[i] >= (ulong)vocab)
                throw new ModelWeightsException($"{file.Path}: token id {ids[i]} is outside '{tensorName}' ({vocab} rows); is this the LLaMA with the [AUD] tokens?");
            var row = bytes.Slice(checked((int)(ids[i] * rowBytes)), checked((int)rowBytes));
            Quantizer.Dequantize(row, dim, info.Type).CopyTo(result.AsSpan(checked((int)(i * dim)), checked((int)dim)));
        }
        return result;
    }
}
