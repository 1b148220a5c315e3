using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>Generation invariants that need no reference run: seeds, filters, guidance, prompts, lengths, errors.</summary>
public class MusicGenGeneratorTests : IDisposable
{
    private readonly MusicGen.Assistant.Native.ComputeBackend _backend = MusicGenFixtures.Cpu();
    private readonly MusicGenDecoder _decoder;
    private readonly MusicGenConditioning _text;

    public MusicGenGeneratorTests()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        _decoder = MusicGenFixtures.LoadDecoder(set, _backend);
        _text = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
    }

    // the fixture decoder's codebooks K, vocabulary V, positions and the conditioning's batch B
    private int K => _decoder.Config.NumCodebooks;
    private int V => _decoder.Config.VocabSize;
    private int Positions => _decoder.Config.MaxPositionEmbeddings;
    private int Rows => _text.Batch * K;

    private MusicGenGeneration Generate(SamplingSettings sampling, ulong seed = 1, int maxNewTokens = 12, int[,]? prompt = null, bool scores = false) =>
        new MusicGenGenerator(_decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = _text, MaxNewTokens = maxNewTokens, Sampling = sampling, Seed = seed, PromptCodes = prompt, RecordScores = scores,
        });

    [Fact]
    public void The_same_seed_gives_the_same_codes_and_another_seed_other_codes()
    {
        var a = Generate(SamplingSettings.Audiocraft, seed: 7);
        var b = Generate(SamplingSettings.Audiocraft, seed: 7);
        var c = Generate(SamplingSettings.Audiocraft, seed: 8);
        Assert.Equal(a.Codes, b.Codes);
        Assert.NotEqual(a.Codes, c.Codes);
        Assert.Equal(12 + 1 - K, a.Frames);
    }

    [Fact]
    public void Sampling_with_top_k_1_is_greedy()
    {
        var greedy = Generate(SamplingSettings.Greedy);
        var topOne = Generate(SamplingSettings.Audiocraft with { TopK = 1 }, seed: 99);
        Assert.Equal(greedy.DelayedSequences, topOne.DelayedSequences);
    }

    [Fact]
    public void Guided_scores_are_the_mix_of_teacher_forced_conditional_and_null_logits()
    {
        // the generated sequence fed back through teacher forcing, once with the text and once with the null
        // condition, must give the scores the cached loop recorded: uncond + 3 (cond - uncond) at every step
        var g = Generate(SamplingSettings.Greedy, scores: true);
        var (rowsK, length, v) = (g.DelayedSequences.GetLength(0), g.DelayedSequences.GetLength(1), _decoder.Config.VocabSize);
        var fed = MusicGenDecoderSessionTests.Columns(g.DelayedSequences, 0, length - 1);
        var cond = _decoder.Forward(fed, _text);
        var uncond = _decoder.Forward(fed, MusicGenConditioning.Null(_text.Batch, _text.Length, _text.Dim));
        var worst = 0f;
        for (var step = 0; step < g.Steps; step++)
            for (var r = 0; r < rowsK; r++)
                for (var i = 0; i < v; i++)
                {
                    var at = ((long)r * (length - 1) + step) * v + i;
                    var expected = uncond[at] + (cond[at] - uncond[at]) * 3f;
                    worst = Math.Max(worst, Math.Abs(expected - g.Scores![((long)step * rowsK + r) * v + i]));
                }
        Assert.True(worst < 1e-4f, $"recorded scores differ from the teacher-forced mix by up to {worst}");
    }

    [Fact]
    public void Without_guidance_only_the_conditional_rows_run_and_scores_are_their_logits()
    {
        var g = Generate(SamplingSettings.Greedy with { GuidanceScale = 1f }, scores: true);
        var length = g.DelayedSequences.GetLength(1);
        var logits = _decoder.Forward(MusicGenDecoderSessionTests.Columns(g.DelayedSequences, 0, length - 1), _text);
        var v = _decoder.Config.VocabSize;
        for (var r = 0; r < Rows; r++)
            for (var step = 0; step < g.Steps; step++)
                Assert.Equal(logits[((long)r * (length - 1) + step) * v + 3], g.Scores![((long)step * Rows + r) * v + 3], 4);
    }

    [Fact]
    public void Prompt_codes_are_kept_and_continued_even_when_sampling()
    {
        var prompt = new int[Rows, 5];
        for (var r = 0; r < Rows; r++)
            for (var t = 0; t < 5; t++) prompt[r, t] = (r * 7 + t * 3) % V;
        var g = Generate(SamplingSettings.Audiocraft, seed: 3, maxNewTokens: 8, prompt: prompt);
        Assert.Equal(5 + 8 + 1 - K, g.Frames);
        for (var r = 0; r < Rows; r++)
            for (var t = 0; t < 5; t++) Assert.Equal(prompt[r, t], g.Codes[r, t]);
        Assert.Equal(1 + 5 + 8, g.DelayedSequences.GetLength(1));
    }

    [Fact]
    public void Progress_counts_every_step()
    {
        var seen = new List<GenerationProgress>();
        new MusicGenGenerator(_decoder).Generate(new MusicGenGenerationRequest { Conditioning = _text, MaxNewTokens = 6, Sampling = SamplingSettings.Greedy },
            new SynchronousProgress(seen.Add));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => new GenerationProgress(i, 6)), seen);
    }

    [Fact]
    public void A_cancelled_generation_stops()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new MusicGenGenerator(_decoder).Generate(
            new MusicGenGenerationRequest { Conditioning = _text, MaxNewTokens = 6 }, cancellation: cts.Token));
    }

    [Fact]
    public void Bad_requests_are_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Generate(SamplingSettings.Greedy, maxNewTokens: 3));
        Assert.Contains("max_new_tokens 3 is below 4", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Generate(SamplingSettings.Greedy, maxNewTokens: Positions + 1));
        Assert.Contains($"{Positions + 1} new tokens need {Positions + 1} positions; the decoder has {Positions}", e.Message);
        Generate(SamplingSettings.Greedy, maxNewTokens: Positions); // exactly the table: fine
        var prompt = new int[Rows, 2];
        prompt[K + 1, 1] = V; // item 1, codebook 1: one past the last code
        var a = Assert.Throws<ArgumentException>(() => Generate(SamplingSettings.Greedy, prompt: prompt));
        Assert.Contains($"prompt code {V} of item 1, codebook 1, frame 1", a.Message);
        a = Assert.Throws<ArgumentException>(() => Generate(SamplingSettings.Greedy, prompt: new int[K, 2]));
        Assert.Contains($"prompt codes have {K} rows, expected {_text.Batch} items x {K} codebooks = {Rows}", a.Message);
    }

    [Fact]
    public void Lengths_convert_between_frames_durations_and_tokens()
    {
        Assert.Equal(17 + K - 1, MusicGenGenerationRequest.MaxNewTokensForFrames(17, _decoder.Config)); // the delay pattern adds K - 1 steps
        Assert.Equal(1500, MusicGenGenerationRequest.FramesForDuration(30, 50));
        Assert.Equal(250, MusicGenGenerationRequest.FramesForDuration(5, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => MusicGenGenerationRequest.FramesForDuration(-1, 50));
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _backend.Dispose();
    }

    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
