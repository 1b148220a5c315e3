using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>A random-weight decoder with only 40 positions, so windows are short; no fixture or T5 needed.</summary>
public sealed class ShortWindowDecoder : IDisposable
{
    public static readonly MusicGenDecoderConfig Config = new()
    {
        VocabSize = 32, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, FfnDim = 32, NumCodebooks = 4,
        MaxPositionEmbeddings = 40, PadTokenId = 32, BosTokenId = 32,
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("mga-longform-").FullName;
    private readonly MusicGen.Assistant.Native.ComputeBackend _backend = MusicGenFixtures.Cpu();

    public ShortWindowDecoder()
    {
        var path = Path.Combine(_dir, "decoder.gguf");
        GgufConverter.Write(new MusicGenDecoderRandomPlan(Config, 11), path, StorageType.F32, "test");
        Decoder = MusicGenDecoder.Load(path, _backend);
        // two items with different (random, fully kept) text states
        Text = new MusicGenConditioning(Enumerable.Range(0, 2 * 3 * 16).Select(i => 2 * MathF.Sin(1.7f * i + 0.3f)).ToArray(), null, 2, 3, 16);
    }

    public MusicGenDecoder Decoder { get; }
    public MusicGenConditioning Text { get; }

    public void Dispose()
    {
        Decoder.Dispose();
        _backend.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

public class LongFormGeneratorTests(ShortWindowDecoder fixture) : IClassFixture<ShortWindowDecoder>
{
    private static readonly SamplingSettings TopK = SamplingSettings.Audiocraft with { TopK = 8 };
    private readonly LongFormGenerator _long = new(fixture.Decoder);
    private readonly MusicGenGenerator _single = new(fixture.Decoder);
    private const int Rows = 8; // 2 items x 4 codebooks

    private MusicGenGeneration Direct(int newFrames, SamplingSettings sampling, ulong seed, int[,]? prompt) =>
        _single.Generate(new MusicGenGenerationRequest
        {
            Conditioning = fixture.Text, MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(newFrames, ShortWindowDecoder.Config),
            Sampling = sampling, Seed = seed, PromptCodes = prompt,
        });

    private static int[,] Frames(int[,] codes, int start, int count)
    {
        var slice = new int[codes.GetLength(0), count];
        for (var r = 0; r < codes.GetLength(0); r++)
            for (var t = 0; t < count; t++) slice[r, t] = codes[r, start + t];
        return slice;
    }

    private static int[,] UserPrompt(int frames)
    {
        var p = new int[Rows, frames];
        for (var r = 0; r < Rows; r++)
            for (var t = 0; t < frames; t++) p[r, t] = (r * 5 + t * 11) % 32;
        return p;
    }

    [Fact]
    public void The_plan_follows_audiocraft_extend_stride_loop()
    {
        // 60 s at 50 Hz, 30 s windows, 18 s stride: [0, 1500), then 1500 from 900 with 600 of prompt, then 1200 from 1800
        var s = LongFormSettings.Audiocraft(60, 50);
        Assert.Equal((3000, 1500, 900, 600), (s.TotalFrames, s.WindowFrames, s.StrideFrames, s.ContinuationFrames));
        Assert.Equal([new(0, 0, 1500, 0), new(1, 900, 1500, 600), new(2, 1800, 1200, 600)], LongFormGenerator.Plan(3000, 1500, 900, 0));
        Assert.Equal([new(0, 0, 20, 0), new(1, 12, 20, 8), new(2, 24, 20, 8), new(3, 36, 9, 8)], LongFormGenerator.Plan(45, 20, 12, 0));
        // a user prompt counts in window 0 and in the total; the next prompt is window 0's frames from the stride on
        Assert.Equal([new(0, 0, 20, 5), new(1, 12, 18, 8)], LongFormGenerator.Plan(30, 20, 12, 5));
        Assert.Equal([new LongFormWindow(0, 0, 20, 0)], LongFormGenerator.Plan(20, 20, 12, 0));
        Assert.Equal(37, LongFormSettings.MaxWindowFrames(ShortWindowDecoder.Config));
        Assert.Equal(2048 - 3, LongFormSettings.MaxWindowFrames(MusicGenDecoderConfig.Small));
    }

    [Theory]
    [InlineData(20, 0)]
    [InlineData(37, 0)]
    [InlineData(30, 6)]
    public void A_total_within_one_window_is_exactly_one_generator_run(int total, int promptFrames)
    {
        var prompt = promptFrames > 0 ? UserPrompt(promptFrames) : null;
        var g = _long.Generate(fixture.Text, total, 37, 20, TopK, seed: 41, prompt);
        var expected = Direct(total - promptFrames, TopK, 41, prompt);
        Assert.Equal([new LongFormWindow(0, 0, total, promptFrames)], g.Windows);
        Assert.Equal(expected.Codes, g.Codes);
        Assert.Equal(total, g.Frames);
    }

    [Fact]
    public void Each_window_is_prompted_with_exactly_the_previous_output_and_the_result_has_the_total_length()
    {
        var g = _long.Generate(fixture.Text, 45, 20, 12, SamplingSettings.Greedy, seed: 0);
        Assert.Equal(45, g.Frames);
        Assert.Equal(4, g.Windows.Count);
        Assert.Equal(Frames(g.Codes, 0, 20), g.WindowCodes[0]);
        for (var k = 1; k < g.Windows.Count; k++)
        {
            var (w, prev, mine) = (g.Windows[k], g.WindowCodes[k - 1], g.WindowCodes[k]);
            Assert.Equal(8, w.PromptFrames);
            Assert.Equal(w.Frames, mine.GetLength(1));
            // the window's first window - stride frames are the previous window's last ones, untouched
            Assert.Equal(Frames(prev, prev.GetLength(1) - 8, 8), Frames(mine, 0, 8));
            Assert.Equal(Frames(g.Codes, w.Start, w.Frames), mine);
        }
        Assert.All(g.Codes.Cast<int>(), c => Assert.InRange(c, 0, 31));
        // the continuation is not a copy: new frames differ from the frames a stride earlier somewhere
        Assert.NotEqual(Frames(g.Codes, 0, 20), Frames(g.Codes, 12, 20));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(true, 7)]
    public void Every_window_equals_a_direct_prompted_run_with_seed_plus_its_index(bool sampled, int promptFrames)
    {
        var sampling = sampled ? TopK : SamplingSettings.Greedy;
        var user = promptFrames > 0 ? UserPrompt(promptFrames) : null;
        var g = _long.Generate(fixture.Text, 50, 24, 15, sampling, seed: 1000, user);
        Assert.Equal(50, g.Frames);
        Assert.True(g.Windows.Count >= 3);
        if (user is not null) Assert.Equal(user, Frames(g.Codes, 0, promptFrames));
        foreach (var w in g.Windows)
        {
            var prompt = w.PromptFrames > 0 ? Frames(g.Codes, w.Start, w.PromptFrames) : null;
            var direct = Direct(w.NewFrames, sampling, 1000 + (ulong)w.Index, prompt);
            Assert.Equal(direct.Codes, g.WindowCodes[w.Index]);
        }
        if (sampled)
        {
            // another seed changes the result: the windows really sample
            var other = _long.Generate(fixture.Text, 50, 24, 15, sampling, seed: 1001, user);
            Assert.NotEqual(g.Codes, other.Codes);
        }
    }

    [Fact]
    public void Progress_counts_finished_frames_across_windows()
    {
        var seen = new List<LongFormProgress>();
        _long.Generate(fixture.Text, 45, 20, 12, SamplingSettings.Greedy, 0, progress: new SynchronousProgress(seen.Add));
        Assert.Equal(new LongFormProgress(0, 45, 0, 4), seen[0]);
        Assert.Equal(new LongFormProgress(45, 45, 3, 4), seen[^1]);
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i].Frames >= seen[i - 1].Frames, $"progress went back at report {i}");
            Assert.True(seen[i].Window >= seen[i - 1].Window);
        }
        // every frame count 0..45 appears: one report per finished frame, plus each window's starting point
        Assert.Equal(Enumerable.Range(0, 46), seen.Select(p => p.Frames).Distinct());
        Assert.Equal([0, 1, 2, 3], seen.Select(p => p.Window).Distinct());
    }

    [Fact]
    public void A_cancelled_generation_stops()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => _long.Generate(fixture.Text, 45, 20, 12, SamplingSettings.Greedy, 0, cancellation: cts.Token));
    }

    [Fact]
    public void Bad_lengths_and_prompts_are_named()
    {
        ArgumentOutOfRangeException Bad(int total, int window, int stride, int[,]? prompt = null) =>
            Assert.Throws<ArgumentOutOfRangeException>(() => _long.Generate(fixture.Text, total, window, stride, SamplingSettings.Greedy, 0, prompt));

        Assert.Contains("the stride must be in (0, 20) frames", Bad(45, 20, 0).Message);
        Assert.Contains("the stride must be in (0, 20) frames", Bad(45, 20, 20).Message);
        Assert.Contains("the stride must be in (0, 20) frames", Bad(45, 20, -3).Message);
        Assert.Contains("a window of 38 frames needs 41 positions; the decoder has 40", Bad(45, 38, 12).Message);
        Assert.Contains("the total length must be at least one frame", Bad(0, 20, 12).Message);
        Assert.Contains("the prompt of 20 frames must be shorter than the window of 20 frames", Bad(45, 20, 12, UserPrompt(20)).Message);
        Assert.Contains("the prompt of 10 frames must be shorter than the total of 10 frames", Bad(10, 20, 12, UserPrompt(10)).Message);
        var a = Assert.Throws<ArgumentException>(() => _long.Generate(fixture.Text, 45, 20, 12, SamplingSettings.Greedy, 0, new int[4, 3]));
        Assert.Contains("prompt codes have 4 rows, expected 2 items x 4 codebooks = 8", a.Message);
        var badCode = UserPrompt(3);
        badCode[6, 2] = 32;
        a = Assert.Throws<ArgumentException>(() => _long.Generate(fixture.Text, 45, 20, 12, SamplingSettings.Greedy, 0, badCode));
        Assert.Contains("prompt code 32 of item 1, codebook 2, frame 2", a.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LongFormGenerator.Plan(45, 20, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LongFormGenerator.Plan(45, 20, 12, 20));
    }

    private sealed class SynchronousProgress(Action<LongFormProgress> report) : IProgress<LongFormProgress>
    {
        public void Report(LongFormProgress value) => report(value);
    }
}
