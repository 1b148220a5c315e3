using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Long-form MusicGen-Melody (audiocraft's extend_stride loop with a melody): each window is conditioned on the
/// reference waveform re-sliced circularly from the window's start, and equals a direct generator run on that prefix.
/// </summary>
public class MelodyLongFormTests
{
    [Fact]
    public void Each_window_hears_the_melody_from_its_own_start()
    {
        var set = MelodyFixtures.Tiny;
        var gguf = ConvertedFixtures.Gguf(set);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenDecoder.Load(gguf, backend);
        var melody = MelodyConditioning.Load(gguf);
        var ids = Grids.Rows(Grids.Matrix(set.Vector("gen_text_input_ids")), 0, 1);
        var mask = Grids.Rows(Grids.Matrix(set.Vector("gen_text_attention_mask")), 0, 1);
        float[] text;
        using (var t5 = TextConditioning.Load(gguf, backend, decoder.Config.HiddenSize)) text = t5.Encode(ids, mask);
        var wave = new MelodyWaveform(Grids.Floats(set.Vector("chroma_input_waveform_0")), 32000); // 0.5 s
        var extractor = new ChromaExtractor();
        const double frameRate = 50;
        var settings = new LongFormSettings { TotalFrames = 40, WindowFrames = 30, StrideFrames = 18 };
        var sampling = SamplingSettings.Greedy with { GuidanceScale = 3 };
        var textLength = ids.GetLength(1);

        var result = new LongFormGenerator(decoder).Generate(1,
            melody.WindowPrefixes([wave], extractor, text, textLength, frameRate, settings.WindowFrames), settings, sampling, seed: 7);

        Assert.Equal(2, result.Windows.Count);
        var heard = new List<ChromaFeatures>();
        foreach (var w in result.Windows)
        {
            // audiocraft: samples from int(start / frame_rate · sr) for a whole window (0.6 s), indices mod 16000
            var chroma = extractor.Extract(MelodyWaveform.CircularSlice(wave.Samples, w.Start * 640, settings.WindowFrames * 640), 32000);
            heard.Add(chroma);
            int[,]? prompt = w.PromptFrames == 0 ? null : Slice(result.Codes, w.Start, w.PromptFrames);
            var direct = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
            {
                Conditioning = melody.Prefix([chroma], text, textLength),
                MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(w.NewFrames, decoder.Config),
                Sampling = sampling,
                Seed = 7 + (ulong)w.Index,
                PromptCodes = prompt,
            });
            Assert.Equal(Grids.Flat(direct.Codes), Grids.Flat(result.WindowCodes[w.Index]));
        }
        // window 1 starts 0.36 s into the melody, so its chroma differs from window 0's, and so would its codes
        Assert.NotEqual(heard[0].Bins, heard[1].Bins);
        var w1 = result.Windows[1];
        var stale = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = melody.Prefix([heard[0]], text, textLength),
            MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(w1.NewFrames, decoder.Config),
            Sampling = sampling,
            Seed = 8,
            PromptCodes = Slice(result.Codes, w1.Start, w1.PromptFrames),
        });
        Assert.NotEqual(Grids.Flat(stale.Codes), Grids.Flat(result.WindowCodes[1]));
    }

    private static int[,] Slice(int[,] codes, int start, int frames)
    {
        var slice = new int[codes.GetLength(0), frames];
        for (var r = 0; r < codes.GetLength(0); r++)
            for (var t = 0; t < frames; t++) slice[r, t] = codes[r, start + t];
        return slice;
    }
}
