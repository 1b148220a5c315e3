using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// The KV-cache session on a random grouped-query model: any mix of prefills and steps gives teacher forcing's
/// logits, step graphs are reused inside a bucket, positions can be rewound, and misuse is refused.
/// </summary>
public class LlamaSessionTests
{
    private static readonly LlamaConfig Config = new()
    {
        VocabSize = 80, ContextLength = 160, EmbeddingLength = 32, BlockCount = 2, FeedForwardLength = 48,
        HeadCount = 4, HeadCountKv = 2, HeadDim = 8, RopeDimensionCount = 8, RmsNormEps = 1e-5f,
    };

    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-llama-session-").FullName, "random.gguf");
        GgufConverter.Write(new LlamaRandomPlan(Config, seed: 4), path, StorageType.F32, "random");
        return path;
    });

    private static int[] Tokens(int n) => Enumerable.Range(0, n).Select(i => (i * 29 + 3) % Config.VocabSize).ToArray();

    [Fact]
    public void Chunked_prefills_and_steps_give_the_teacher_forced_logits()
    {
        var ids = Tokens(140);
        using var backend = Cpu();
        using var model = LlamaModel.Load(Model.Value, backend);
        var reference = model.Forward(ids).Logits!;
        using var session = model.StartSession(ids.Length);
        var v = Config.VocabSize;
        void Check(float[] logits, int position)
        {
            for (var i = 0; i < v; i++) Assert.Equal(reference[position * v + i], logits[i], 1e-4f);
        }
        var all = session.Prefill(ids[..7], allLogits: true);
        for (var p = 0; p < 7; p++) Check(all.Logits[(p * v)..((p + 1) * v)], p);
        Check(session.Prefill(ids[7..12]).Logits, 11);
        for (var p = 12; p < ids.Length; p++) Check(session.Step(ids[p]).Logits, p);
        // positions 12..139 cross the 64- and 128-position buckets: three step graphs in all
        Assert.Equal(3, session.StepGraphsBuilt);
    }

    [Fact]
    public void Truncating_and_feeding_again_reproduces_the_logits()
    {
        var ids = Tokens(30);
        using var backend = Cpu();
        using var model = LlamaModel.Load(Model.Value, backend);
        using var session = model.StartSession(64);
        session.Prefill(ids[..20]);
        var first = session.Step(ids[20]).Logits;
        session.Step(ids[21]);
        session.Truncate(20);
        Assert.Equal(20, session.Position);
        Assert.Equal(first, session.Step(ids[20]).Logits);
    }

    [Fact]
    public void Overflow_unknown_tokens_and_oversized_sessions_are_refused()
    {
        using var backend = Cpu();
        using var model = LlamaModel.Load(Model.Value, backend);
        using var session = model.StartSession(4);
        session.Prefill(Tokens(4));
        Assert.Throws<InvalidOperationException>(() => session.Step(1));
        Assert.Throws<ArgumentException>(() => model.Forward([1, Config.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.StartSession(Config.ContextLength + 1));
    }
}
