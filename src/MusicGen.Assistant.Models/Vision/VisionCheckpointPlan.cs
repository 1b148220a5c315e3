using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// Maps a Hugging Face ViT or ViViT state dict (ViTModel / VivitModel keys, optionally under a prefix such as
/// <c>vit.</c> of ViTForImageClassification or <c>vivit.</c> of VivitForVideoClassification) to our GGUF tensors
/// (<see cref="VisionKeys"/>). Linear weights [out, in] are already {in, out} in ggml order and the patch kernel
/// [D, C, (pt,) ph, pw] is already {C·pt·ph·pw, D}, so nothing is rearranged. The pooler is converted when the
/// checkpoint has one (ViTModel with add_pooling_layer=True); classification heads are left out.
/// </summary>
public sealed class VisionCheckpointPlan : IConversionPlan
{
    private readonly VisionTransformerConfig _config;

    /// <param name="hfPrefix">Prefix of the encoder keys, e.g. <c>vit.</c> ("" for ViTModel / VivitModel).</param>
    public VisionCheckpointPlan(CheckpointReader reader, VisionTransformerConfig config, string hfPrefix)
    {
        _config = config.Validate();
        var k = VisionKeys.For(config.Family);
        var tensors = new List<PlannedTensor>();
        long d = config.HiddenSize, f = config.IntermediateSize;
        void Add(string gguf, string hf, TensorRole role, long[] torchShape, long[]? ne = null) =>
            tensors.Add(new PlannedTensor(gguf, ne ?? torchShape.Reverse().ToArray(), role, () => reader.Read(hfPrefix + hf, torchShape), hfPrefix + hf));
        void Linear(string gguf, string hf, long inputs, long outputs, bool bias = true)
        {
            Add(gguf + ".weight", hf + ".weight", TensorRole.Matrix, [outputs, inputs]);
            if (bias) Add(gguf + ".bias", hf + ".bias", TensorRole.Exact, [outputs]);
        }
        void Norm(string gguf, string hf)
        {
            Add(gguf + ".weight", hf + ".weight", TensorRole.Exact, [d]);
            Add(gguf + ".bias", hf + ".bias", TensorRole.Exact, [d]);
        }

        long[] kernel = config.Family == VisionFamily.ViT
            ? [d, config.NumChannels, config.PatchHeight, config.PatchWidth]
            : [d, config.NumChannels, config.PatchFrames, config.PatchHeight, config.PatchWidth];
        Add(k.PatchWeight, "embeddings.patch_embeddings.projection.weight", TensorRole.Matrix, kernel, [config.PatchVectorLength, d]);
        Add(k.PatchBias, "embeddings.patch_embeddings.projection.bias", TensorRole.Exact, [d]);
        Add(k.ClassEmbedding, "embeddings.cls_token", TensorRole.Exact, [1, 1, d], [d]);
        Add(k.PositionEmbedding, "embeddings.position_embeddings", TensorRole.Exact, [1, config.SequenceLength, d], [d, config.SequenceLength]);
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            string Hf(string name) => $"encoder.layer.{i}.{name}";
            string Gg(string module) => k.Block(i, module);
            Norm(Gg(VisionKeys.BeforeNorm), Hf("layernorm_before"));
            Linear(Gg(VisionKeys.Query), Hf("attention.attention.query"), d, d, config.QkvBias);
            Linear(Gg(VisionKeys.Key), Hf("attention.attention.key"), d, d, config.QkvBias);
            Linear(Gg(VisionKeys.Value), Hf("attention.attention.value"), d, d, config.QkvBias);
            Linear(Gg(VisionKeys.AttentionOutput), Hf("attention.output.dense"), d, d);
            Norm(Gg(VisionKeys.AfterNorm), Hf("layernorm_after"));
            Linear(Gg(VisionKeys.Up), Hf("intermediate.dense"), d, f);
            Linear(Gg(VisionKeys.Down), Hf("output.dense"), f, d);
        }
        Add(k.FinalNormWeight, "layernorm.weight", TensorRole.Exact, [d]);
        Add(k.FinalNormBias, "layernorm.bias", TensorRole.Exact, [d]);
        if (reader.Contains(hfPrefix + "pooler.dense.weight"))
        {
            Add(k.PoolerWeight, "pooler.dense.weight", TensorRole.Matrix, [d, d]);
            Add(k.PoolerBias, "pooler.dense.bias", TensorRole.Exact, [d]);
        }
        Tensors = tensors;
        Architecture = k.Architecture;
    }

    /// <summary>
    /// The encoder of a Hugging Face ViT or ViViT checkpoint directory's config.json (model_type "vit" or "vivit"),
    /// its keys found bare or under the classification model's prefix.
    /// </summary>
    public static VisionCheckpointPlan FromHuggingFace(CheckpointReader reader, string configJson, string configPath)
    {
        var modelType = HfConfigJson.String(HfConfigJson.ParseObject(configJson, configPath), "model_type", configPath);
        var config = modelType switch
        {
            "vit" => ViTConfig.FromHuggingFaceJson(configJson, configPath).ToTransformer(),
            "vivit" => ViViTConfig.FromHuggingFaceJson(configJson, configPath).ToTransformer(),
            _ => throw new ModelConfigException($"{configPath}: model_type '{modelType}' is not a vision encoder (vit, vivit)"),
        };
        return new VisionCheckpointPlan(reader, config, DetectPrefix(reader, config.Family));
    }

    /// <summary>"" when the encoder's keys are bare (ViTModel / VivitModel), else the classification model's prefix.</summary>
    public static string DetectPrefix(CheckpointReader reader, VisionFamily family)
    {
        string[] candidates = ["", family == VisionFamily.ViT ? "vit." : "vivit."];
        foreach (var prefix in candidates)
            if (reader.Contains(prefix + "embeddings.cls_token")) return prefix;
        throw new ModelWeightsException(
            $"{reader.Source}: no {(family == VisionFamily.ViT ? "ViT" : "ViViT")} encoder tensors (looked for {string.Join(" and ", candidates.Select(p => $"'{p}embeddings.cls_token'"))})");
    }

    public string Architecture { get; }
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => VisionMetadata.Write(writer, _config);
}
