using System.Text.Json;
using System.Text.Json.Nodes;
using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Hyper-parameters of M2UGen's output projector (M2UGen/llama/projector.py ProjectionLayer, a GILL-style mapper):
/// <c>fc</c> Linear(in_dim, d_model) → nn.Transformer(d_model, heads, encoder / decoder layers, dim_feedforward; post-LN,
/// ReLU, no dropout, no masks) over learned <c>query_embs</c> → <c>model</c> Linear(d_model, out_dim). Sizes come from
/// the checkpoint's tensor shapes (the released checkpoint.pth has no config); the head count cannot be seen in any
/// shape, so it comes from an M2UGen config.json or the code's value (4). Graph code reads sizes only from here.
/// </summary>
public sealed record ProjectorConfig
{
    /// <summary>The nhead ProjectionLayer passes to nn.Transformer (hard-coded in projector.py).</summary>
    public const int DefaultHeads = 4;

    /// <summary>The projector of the released M2UGen-MusicGen checkpoints: 8 × 4096 in, 128 × 768 (T5-base) out.</summary>
    public static ProjectorConfig MusicGen { get; } = new()
    {
        InDim = 4096, DModel = 512, Heads = 4, EncoderLayers = 4, DecoderLayers = 4, FeedForwardDim = 2048,
        InputTokens = 8, OutputTokens = 128, OutDim = 768,
    };

    /// <summary>Width of each input token: the LLaMA's dim (hidden states and [AUD] embeddings).</summary>
    public required int InDim { get; init; }

    public required int DModel { get; init; }
    public int Heads { get; init; } = DefaultHeads;
    public required int EncoderLayers { get; init; }
    public required int DecoderLayers { get; init; }
    public required int FeedForwardDim { get; init; }

    /// <summary>Tokens fed in: the [AUD0..7] positions (ModelArgs.num_gen_audio_tokens = 8).</summary>
    public int InputTokens { get; init; } = 8;

    /// <summary>Learned queries = output positions (128: T5's max_length padding in generate_music).</summary>
    public required int OutputTokens { get; init; }

    /// <summary>Width of each output vector: the text encoder's d_model it stands in for (768 for T5-base).</summary>
    public required int OutDim { get; init; }

    /// <summary>nn.LayerNorm's default eps, used by every norm of nn.Transformer.</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Factor applied to the output before MusicGen sees it (<see cref="ProjectorOutputScale"/> says why).</summary>
    public double OutputScale { get; init; } = ProjectorOutputScale.UndoTrainingTarget;

    public int HeadDim => DModel / Heads;

    /// <summary>Throws naming the first setting that is out of range.</summary>
    public ProjectorConfig Validate()
    {
        void Fail(string what) => throw new ModelConfigException($"M2UGen output projector config: {what}");
        foreach (var (name, value) in new[]
                 {
                     ("in_dim", InDim), ("d_model", DModel), ("n_heads", Heads), ("num_encoder_layers", EncoderLayers),
                     ("num_decoder_layers", DecoderLayers), ("dim_feedforward", FeedForwardDim), ("num_input_tokens", InputTokens),
                     ("num_output_tokens", OutputTokens), ("out_dim", OutDim),
                 })
            if (value < 1) Fail($"{name} {value} must be positive");
        if (DModel % Heads != 0) Fail($"n_heads {Heads} does not divide d_model {DModel}");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps)) Fail($"layer_norm_eps {LayerNormEps} must be positive");
        if (!(OutputScale > 0) || double.IsInfinity(OutputScale)) Fail($"output_scale {OutputScale} must be a positive number");
        return this;
    }

    /// <summary>
    /// Reads the sizes from tensor shapes (PyTorch order; names under <c>output_projector.</c>); null when the checkpoint
    /// has no projector. A partial or misshapen projector is refused, naming the tensor.
    /// </summary>
    public static ProjectorConfig? FromTensorShapes(Func<string, long[]?> shapeOf, string source, int heads = DefaultHeads)
    {
        var fc = shapeOf(ProjectorCheckpointKeys.FcWeight);
        var queries = shapeOf(ProjectorCheckpointKeys.QueryEmbeddings);
        var output = shapeOf(ProjectorCheckpointKeys.OutputWeight);
        if (fc is null && queries is null && output is null) return null;
        string Shape(long[] s) => $"[{string.Join(", ", s)}]";
        long[] Need(string name, long[]? shape, string expected, Func<long[], bool> ok) =>
            shape is null ? throw new ModelWeightsException($"{source}: missing tensor '{name}' (expected shape {expected}); the output projector is incomplete")
            : ok(shape) ? shape
            : throw new ModelWeightsException($"{source}: tensor '{name}' has shape {Shape(shape)}, expected {expected}");

        fc = Need(ProjectorCheckpointKeys.FcWeight, fc, "[d_model, in_dim]", s => s.Length == 2);
        var d = fc[0];
        queries = Need(ProjectorCheckpointKeys.QueryEmbeddings, queries, $"[1, num_output_tokens, {d}]", s => s.Length == 3 && s[0] == 1 && s[2] == d);
        output = Need(ProjectorCheckpointKeys.OutputWeight, output, $"[out_dim, {d}]", s => s.Length == 2 && s[1] == d);
        var up = Need(ProjectorCheckpointKeys.EncoderLayer(0, ProjectorCheckpointKeys.Up) + ".weight",
            shapeOf(ProjectorCheckpointKeys.EncoderLayer(0, ProjectorCheckpointKeys.Up) + ".weight"), $"[dim_feedforward, {d}]", s => s.Length == 2 && s[1] == d);

        int Count(Func<int, string> name)
        {
            var n = 0;
            while (shapeOf(name(n)) is not null) n++;
            return n;
        }
        var encoderLayers = Count(i => ProjectorCheckpointKeys.EncoderLayer(i, ProjectorCheckpointKeys.SelfAttention) + ".in_proj_weight");
        var decoderLayers = Count(i => ProjectorCheckpointKeys.DecoderLayer(i, ProjectorCheckpointKeys.SelfAttention) + ".in_proj_weight");
        if (encoderLayers == 0)
            throw new ModelWeightsException($"{source}: missing tensor '{ProjectorCheckpointKeys.EncoderLayer(0, ProjectorCheckpointKeys.SelfAttention)}.in_proj_weight'; the output projector has no encoder layer");
        if (decoderLayers == 0)
            throw new ModelWeightsException($"{source}: missing tensor '{ProjectorCheckpointKeys.DecoderLayer(0, ProjectorCheckpointKeys.SelfAttention)}.in_proj_weight'; the output projector has no decoder layer");
        return new ProjectorConfig
        {
            InDim = checked((int)fc[1]),
            DModel = checked((int)d),
            Heads = heads,
            EncoderLayers = encoderLayers,
            DecoderLayers = decoderLayers,
            FeedForwardDim = checked((int)up[0]),
            OutputTokens = checked((int)queries[1]),
            OutDim = checked((int)output[0]),
        }.Validate();
    }

    /// <summary>
    /// Applies an M2UGen config.json's <c>projector</c> section (the fixture layout): takes n_heads, num_input_tokens
    /// and layer_norm_eps, cross-checks every size the tensors gave, and refuses a layout this graph does not build
    /// (norm_first, another activation, masks). A file without the section leaves this config as it is.
    /// </summary>
    public ProjectorConfig WithConfigJson(string json, string source)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new ModelConfigException($"{source}: expected a JSON object"); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: not valid JSON ({e.Message})"); }
        if (root["projector"] is not JsonObject p) return this;
        void Check(string field, int fromFile, int fromTensors)
        {
            if (fromFile != fromTensors)
                throw new ModelConfigException($"{source}: projector.{field} is {fromFile}, but the checkpoint's output_projector tensors give {fromTensors}");
        }
        Check("in_dim", Int(p, "in_dim", InDim, source), InDim);
        Check("d_model", Int(p, "d_model", DModel, source), DModel);
        Check("num_encoder_layers", Int(p, "num_encoder_layers", EncoderLayers, source), EncoderLayers);
        Check("num_decoder_layers", Int(p, "num_decoder_layers", DecoderLayers, source), DecoderLayers);
        Check("dim_feedforward", Int(p, "dim_feedforward", FeedForwardDim, source), FeedForwardDim);
        Check("num_output_tokens", Int(p, "num_output_tokens", OutputTokens, source), OutputTokens);
        Check("out_dim", Int(p, "out_dim", OutDim, source), OutDim);
        if (String(p, "activation", source) is { } act && act != "relu")
            throw new ModelConfigException($"{source}: projector.activation is \"{act}\"; only nn.Transformer's default \"relu\" is supported");
        if (Bool(p, "norm_first", false, source))
            throw new ModelConfigException($"{source}: projector.norm_first is true; ProjectionLayer is post-LN (norm_first=False) and only that is supported");
        if (p["masks"] is JsonNode masks && masks.GetValueKind() != JsonValueKind.Null)
            throw new ModelConfigException($"{source}: projector.masks is {masks.ToJsonString()}; ProjectionLayer uses no masks");
        return (this with
        {
            Heads = Int(p, "n_heads", Heads, source),
            InputTokens = Int(p, "num_input_tokens", InputTokens, source),
            LayerNormEps = Double(p, "layer_norm_eps", LayerNormEps, source),
        }).Validate();
    }
}
