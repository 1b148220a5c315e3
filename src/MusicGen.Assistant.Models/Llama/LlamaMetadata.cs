using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// LLaMA config to and from GGUF metadata under llama.cpp's keys (<see cref="LlamaKeys"/>), with llama.cpp's types
/// (uint32 sizes, float32 base and epsilon). Reading accepts any integer type, as files in the wild vary.
/// </summary>
public static class LlamaMetadata
{
    public static void Write(GgufWriter writer, LlamaConfig c)
    {
        writer.SetMetadata(K.VocabSize, (uint)c.VocabSize);
        writer.SetMetadata(K.ContextLength, (uint)c.ContextLength);
        writer.SetMetadata(K.EmbeddingLength, (uint)c.EmbeddingLength);
        writer.SetMetadata(K.BlockCount, (uint)c.BlockCount);
        writer.SetMetadata(K.FeedForwardLength, (uint)c.FeedForwardLength);
        writer.SetMetadata(K.RopeDimensionCount, (uint)c.RopeDimensionCount);
        writer.SetMetadata(K.HeadCount, (uint)c.HeadCount);
        writer.SetMetadata(K.HeadCountKv, (uint)c.HeadCountKv);
        writer.SetMetadata(K.RopeFreqBase, c.RopeFreqBase);
        writer.SetMetadata(K.RmsNormEpsilon, c.RmsNormEps);
        if (c.HeadDim != c.EmbeddingLength / c.HeadCount)
        {
            writer.SetMetadata(K.KeyLength, (uint)c.HeadDim);
            writer.SetMetadata(K.ValueLength, (uint)c.HeadDim);
        }
        if (c.RopeFreqScale != 1f)
        {
            writer.SetMetadata(K.RopeScalingType, "linear");
            writer.SetMetadata(K.RopeScalingFactor, 1f / c.RopeFreqScale);
        }
    }

    /// <summary>Whether the file holds a LLaMA (alone, or beside other families in a model set).</summary>
    public static bool IsPresent(GgufMetadata m) => m.ContainsKey(K.EmbeddingLength);

    /// <summary>
    /// Reads the config of a GGUF file written by llama.cpp's tools or ours. The vocabulary size comes from
    /// llama.vocab_size, else the embedded tokenizer's token list, else the token_embd tensor; each size is then
    /// checked against the tensors by <see cref="LlamaWeights"/> before anything is allocated.
    /// </summary>
    public static LlamaConfig Read(GgufFile file)
    {
        var m = file.Metadata;
        var source = file.Path;
        if (m.TryGet(K.ArchitectureKey, out var arch) && arch.Type == GgufValueType.STRING && arch.AsString() != K.Architecture && !IsPresent(m))
            throw new ModelConfigException($"{source}: general.architecture is '{arch.AsString()}', not '{K.Architecture}' (only the LLaMA architecture is supported)");
        if (!IsPresent(m))
            throw new ModelConfigException($"{source}: no LLaMA in this GGUF (missing '{K.EmbeddingLength}'); convert a Hugging Face llama folder with `mga convert`");
        if (m.ContainsKey(K.ExpertCount) && Int(m, K.ExpertCount, source) > 0)
            throw new ModelConfigException($"{source}: a mixture-of-experts LLaMA ({K.ExpertCount} = {Int(m, K.ExpertCount, source)}) is not supported");
        var embd = Int(m, K.EmbeddingLength, source);
        var heads = Int(m, K.HeadCount, source);
        if (heads < 1) throw new ModelConfigException($"{source}: {K.HeadCount} {heads} must be positive");
        var headDim = m.ContainsKey(K.KeyLength) ? Int(m, K.KeyLength, source) : embd / heads;
        if (m.ContainsKey(K.ValueLength) && Int(m, K.ValueLength, source) != headDim)
            throw new ModelConfigException($"{source}: {K.ValueLength} {Int(m, K.ValueLength, source)} differs from the key length {headDim} (not supported)");
        return new LlamaConfig
        {
            VocabSize = VocabSize(file),
            ContextLength = Int(m, K.ContextLength, source),
            EmbeddingLength = embd,
            BlockCount = Int(m, K.BlockCount, source),
            FeedForwardLength = Int(m, K.FeedForwardLength, source),
            HeadCount = heads,
            HeadCountKv = m.ContainsKey(K.HeadCountKv) ? Int(m, K.HeadCountKv, source) : heads,
            HeadDim = headDim,
            RopeDimensionCount = m.ContainsKey(K.RopeDimensionCount) ? Int(m, K.RopeDimensionCount, source) : headDim,
            RopeFreqBase = m.ContainsKey(K.RopeFreqBase) ? Float(m, K.RopeFreqBase, source) : 10000f,
            RopeFreqScale = RopeScale(m, source),
            RmsNormEps = Float(m, K.RmsNormEpsilon, source),
        }.Validate(source);
    }

    private static int VocabSize(GgufFile file)
    {
        var m = file.Metadata;
        int? fromKey = m.ContainsKey(K.VocabSize) ? Int(m, K.VocabSize, file.Path) : null;
        int? fromTokens = m.TryGet(K.TokenizerTokens, out var tokens) && tokens.Type == GgufValueType.ARRAY ? tokens.AsArray().Count : null;
        if (fromKey is { } a && fromTokens is { } b && a != b)
            throw new ModelConfigException($"{file.Path}: {K.VocabSize} is {a} but the tokenizer ({K.TokenizerTokens}) holds {b} tokens");
        if ((fromKey ?? fromTokens) is { } v) return v;
        if (file.TryGetTensor(K.TokenEmbedding, out var embd) && embd.Ne.Length >= 2 && embd.Ne[1] <= int.MaxValue) return (int)embd.Ne[1];
        throw new ModelConfigException($"{file.Path}: no vocabulary size ({K.VocabSize}, {K.TokenizerTokens} or a {K.TokenEmbedding} tensor)");
    }

    private static float RopeScale(GgufMetadata m, string source)
    {
        if (!m.TryGet(K.RopeScalingType, out var t)) return 1f;
        var kind = t.Type == GgufValueType.STRING ? t.AsString() : t.ToString();
        if (kind == "none") return 1f;
        if (kind != "linear") throw new ModelConfigException($"{source}: {K.RopeScalingType} '{kind}' is not supported (none or linear)");
        var factor = Float(m, K.RopeScalingFactor, source);
        if (!(factor > 0)) throw new ModelConfigException($"{source}: {K.RopeScalingFactor} {factor} must be positive");
        return 1f / factor;
    }

    /// <summary>An integer key of any GGUF integer type, in int range.</summary>
    internal static int Int(GgufMetadata m, string key, string source)
    {
        if (!m.TryGet(key, out var v)) throw new ModelConfigException($"{source}: missing metadata key '{key}'");
        long value = v.Type switch
        {
            GgufValueType.UINT8 => v.AsUInt8(),
            GgufValueType.INT8 => v.AsInt8(),
            GgufValueType.UINT16 => v.AsUInt16(),
            GgufValueType.INT16 => v.AsInt16(),
            GgufValueType.UINT32 => v.AsUInt32(),
            GgufValueType.INT32 => v.AsInt32(),
            GgufValueType.UINT64 => v.AsUInt64() > long.MaxValue ? long.MaxValue : (long)v.AsUInt64(),
            GgufValueType.INT64 => v.AsInt64(),
            _ => throw new ModelConfigException($"{source}: metadata '{key}' is {v.Type}, expected an integer"),
        };
        if (value is < int.MinValue or > int.MaxValue) throw new ModelConfigException($"{source}: metadata '{key}' = {value} is out of range");
        return (int)value;
    }

    /// <summary>A float32 or float64 key.</summary>
    internal static float Float(GgufMetadata m, string key, string source)
    {
        if (!m.TryGet(key, out var v)) throw new ModelConfigException($"{source}: missing metadata key '{key}'");
        return v.Type switch
        {
            GgufValueType.FLOAT32 => v.AsFloat32(),
            GgufValueType.FLOAT64 => (float)v.AsFloat64(),
            _ => throw new ModelConfigException($"{source}: metadata '{key}' is {v.Type}, expected a float"),
        };
    }
}
