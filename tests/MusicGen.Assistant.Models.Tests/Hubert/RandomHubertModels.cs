using System.Collections.Concurrent;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Hubert;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>Random-weight HuBERT GGUF files for tests, written once per run by <see cref="HubertRandomPlan"/>.</summary>
internal static class RandomHubertModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-hubert-").FullName;

    /// <summary>Layouts the fixture does not cover, small enough for a direct double-precision reference.</summary>
    public static HubertConfig Variant(string name) => name switch
    {
        // MERT's layout: layer-normed convs, pre-norm layers, even positional kernel
        "stable" => new HubertConfig
        {
            HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 24,
            FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true,
            ConvDim = [8, 8, 8], ConvKernel = [10, 3, 2], ConvStride = [5, 2, 2], NumConvPosEmbeddings = 8, NumConvPosEmbeddingGroups = 2,
        },
        // hubert-base's layout: group-normed first conv, no conv bias, post-norm layers
        "group-post" => new HubertConfig
        {
            HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 20,
            FeatExtractNorm = "group", DoStableLayerNorm = false, ConvBias = false,
            ConvDim = [8, 6, 6], ConvKernel = [10, 3, 2], ConvStride = [5, 2, 2], NumConvPosEmbeddings = 8, NumConvPosEmbeddingGroups = 4,
        },
        // odd positional kernel, other activations, no projection norm
        "odd-silu" => new HubertConfig
        {
            HiddenSize = 12, NumHiddenLayers = 3, NumAttentionHeads = 3, IntermediateSize = 16,
            FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true, FeatProjLayerNorm = false,
            HiddenAct = "relu", FeatExtractActivation = "silu",
            ConvDim = [6, 7], ConvKernel = [7, 3], ConvStride = [4, 2], NumConvPosEmbeddings = 5, NumConvPosEmbeddingGroups = 3,
        },
        // whole q8_0 blocks in every matrix but the first conv
        "blocky" => new HubertConfig
        {
            HiddenSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 128,
            FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true,
            ConvDim = [32, 32, 32], ConvKernel = [10, 3, 2], ConvStride = [5, 2, 2], NumConvPosEmbeddings = 8, NumConvPosEmbeddingGroups = 2,
        },
        _ => throw new ArgumentException($"no random HuBERT variant '{name}'"),
    };

    public static string Gguf(string name, StorageType storage = StorageType.F32) =>
        Cache.GetOrAdd($"{name}-{StorageTypes.Name(storage)}", key => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, key + ".gguf");
            GgufConverter.Write(new HubertRandomPlan(Variant(name), seed: 5), path, storage, "test");
            return path;
        })).Value;

    /// <summary>A deterministic test signal: two sines and seeded noise.</summary>
    public static float[] Signal(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = new float[samples];
        for (var i = 0; i < samples; i++)
            x[i] = (float)(0.5 * Math.Sin(i * 0.031 * (1 + seed)) + 0.2 * Math.Sin(i * 0.0023) + 0.1 * (rng.NextDouble() - 0.5));
        return x;
    }
}
