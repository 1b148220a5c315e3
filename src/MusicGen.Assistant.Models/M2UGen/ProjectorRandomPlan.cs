using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.M2UGen.ProjectorKeys;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// An M2UGen output projector of any sizes with deterministic random weights under our GGUF names
/// (<see cref="ProjectorKeys"/>), for the embedded untrained assistant set and tests. Linear weights N(0,1)/√fan_in,
/// biases 0.1·N, LayerNorm weights 1 + 0.1·N and biases 0.1·N, learned queries N(0,1) (query_embs' randn init).
/// </summary>
public sealed class ProjectorRandomPlan : IConversionPlan
{
    private readonly ProjectorConfig _config;

    public ProjectorRandomPlan(ProjectorConfig config, int seed)
    {
        _config = config.Validate();
        var random = new RandomTensors(seed);
        long d = config.DModel, f = config.FeedForwardDim;
        void Linear(string module, long inputs, long outputs)
        {
            random.Add(module + ".weight", [inputs, outputs], TensorRole.Matrix, r => RandomTensors.Normal(r) / Math.Sqrt(inputs));
            random.Add(module + ".bias", [outputs], TensorRole.Exact, r => 0.1 * RandomTensors.Normal(r));
        }
        void Norm(string module)
        {
            random.Add(module + ".weight", [d], TensorRole.Exact, r => 1 + 0.1 * RandomTensors.Normal(r));
            random.Add(module + ".bias", [d], TensorRole.Exact, r => 0.1 * RandomTensors.Normal(r));
        }
        void Attention(Func<string, string> block, params string[] modules)
        {
            foreach (var m in modules) Linear(block(m), d, d);
        }
        void FeedForward(Func<string, string> block)
        {
            Linear(block(K.FeedForwardUp), d, f);
            Linear(block(K.FeedForwardDown), f, d);
        }

        Linear(K.Fc, config.InDim, d);
        for (var i = 0; i < config.EncoderLayers; i++)
        {
            var layer = i;
            string B(string module) => K.EncoderBlock(layer, module);
            Attention(B, K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput);
            Norm(B(K.AttentionNorm));
            FeedForward(B);
            Norm(B(K.FeedForwardNorm));
        }
        Norm(K.EncoderNorm);
        for (var i = 0; i < config.DecoderLayers; i++)
        {
            var layer = i;
            string B(string module) => K.DecoderBlock(layer, module);
            Attention(B, K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput);
            Norm(B(K.AttentionNorm));
            Attention(B, K.CrossQuery, K.CrossKey, K.CrossValue, K.CrossOutput);
            Norm(B(K.CrossNorm));
            FeedForward(B);
            Norm(B(K.FeedForwardNorm));
        }
        Norm(K.DecoderNorm);
        random.Add(K.QueryEmbeddings, [d, config.OutputTokens], TensorRole.Exact, RandomTensors.Normal);
        Linear(K.Output, d, config.OutDim);
        Tensors = random.Tensors;
    }

    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        ProjectorMetadata.Write(writer, _config);
        writer.SetMetadata("general.name", "untrained random-weight M2UGen output projector (demo/test)");
    }
}
