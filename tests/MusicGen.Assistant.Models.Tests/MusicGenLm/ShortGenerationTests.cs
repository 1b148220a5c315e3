using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Runs shorter than the delay pattern (fewer than K - 1 frames, max_length below 2K - 1), alone or as long-form
/// windows: they give exactly the frames asked for (were: unpatterned tokens, "window 0 produced 5 frames, planned 2").
/// </summary>
public class ShortGenerationTests(ShortWindowDecoder fixture) : IClassFixture<ShortWindowDecoder>
{
    private static readonly int Lag = ShortWindowDecoder.Config.ChannelCodebooks - 1;

    private MusicGenGeneration Generate(int frames, ulong seed, int[,]? prompt = null) =>
        new MusicGenGenerator(fixture.Decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = fixture.Text, MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(frames, ShortWindowDecoder.Config),
            Sampling = SamplingSettings.Audiocraft with { TopK = 8 }, Seed = seed, PromptCodes = prompt,
        });

    [Fact]
    public void One_to_k_minus_2_frames_are_the_first_frames_of_the_shortest_patterned_run()
    {
        var shortest = Generate(Lag, seed: 5); // the shortest run the pattern fits: max_length 2K - 1
        Assert.Equal(Lag, shortest.Frames);
        for (var frames = 1; frames < Lag; frames++)
        {
            var run = Generate(frames, seed: 5);
            Assert.Equal(frames, run.Frames);
            for (var r = 0; r < run.Codes.GetLength(0); r++)
                for (var t = 0; t < frames; t++) Assert.Equal(shortest.Codes[r, t], run.Codes[r, t]);
        }
    }

    [Fact]
    public void A_prompted_run_of_one_new_frame_keeps_the_prompt_and_adds_one_frame()
    {
        var prompt = new int[8, 1];
        for (var r = 0; r < 8; r++) prompt[r, 0] = (r * 7 + 3) % ShortWindowDecoder.Config.VocabSize;
        var run = Generate(1, seed: 2, prompt);
        Assert.Equal(2, run.Frames);
        for (var r = 0; r < 8; r++) Assert.Equal(prompt[r, 0], run.Codes[r, 0]);
    }

    [Theory]
    [InlineData(2, 1, 5)]
    [InlineData(3, 2, 7)]
    [InlineData(3, 1, 4)]
    public void Long_form_with_windows_shorter_than_the_pattern_gives_the_planned_length(int window, int stride, int total)
    {
        var settings = new LongFormSettings { TotalFrames = total, WindowFrames = window, StrideFrames = stride };
        var result = new LongFormGenerator(fixture.Decoder).Generate(fixture.Text, settings, SamplingSettings.Greedy, seed: 1);
        Assert.Equal(total, result.Frames);
        Assert.Equal(LongFormGenerator.Plan(total, window, stride, 0).Count, result.Windows.Count);
    }
}
