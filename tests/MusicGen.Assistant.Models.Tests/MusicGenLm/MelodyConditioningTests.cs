using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// MusicGen-Melody's prefix builder against values computed by hand from the checkpoint's audio_enc_to_dec_proj:
/// one-hot projection, tiling/cutting to chroma_length, the [chroma | text] layout, the guidance null item, and the
/// errors for inputs that do not fit.
/// </summary>
public class MelodyConditioningTests
{
    private static readonly Lazy<(MelodyConditioning Melody, float[] W, float[] B)> Loaded = new(() =>
    {
        var set = MelodyFixtures.Tiny;
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        return (MelodyConditioning.Load(ConvertedFixtures.Gguf(set)),
            checkpoint.ReadFloat32("audio_enc_to_dec_proj.weight"), checkpoint.ReadFloat32("audio_enc_to_dec_proj.bias"));
    });

    private static MelodyConditioning Melody => Loaded.Value.Melody;

    // W[:, bin] + b: the projection of a one-hot row, from the PyTorch weight [hidden, num_chroma]
    private static float[] Column(int bin)
    {
        var (m, w, b) = Loaded.Value;
        return Enumerable.Range(0, m.HiddenSize).Select(h => w[h * m.NumChroma + bin] + b[h]).ToArray();
    }

    private static float[] Row(float[] values, int row, int width) => values.AsSpan(row * width, width).ToArray();

    [Fact]
    public void The_settings_come_from_the_converted_checkpoint()
    {
        Assert.Equal(8, Melody.ChromaLength);
        Assert.Equal(12, Melody.NumChroma);
        Assert.Equal(48, Melody.HiddenSize);
    }

    [Fact]
    public void The_null_melody_is_bin_zero_projected_on_every_frame()
    {
        var nullMelody = Melody.NullMelody();
        Assert.Equal(Melody.ChromaLength * Melody.HiddenSize, nullMelody.Length);
        for (var t = 0; t < Melody.ChromaLength; t++) Assert.Equal(Column(0), Row(nullMelody, t, Melody.HiddenSize));
    }

    [Fact]
    public void Short_melodies_are_tiled_and_long_ones_cut_to_chroma_length()
    {
        var tiled = Melody.ProjectChroma(new ChromaFeatures([4, 7, 11], 12));
        int[] expected = [4, 7, 11, 4, 7, 11, 4, 7];
        for (var t = 0; t < 8; t++) Assert.Equal(Column(expected[t]), Row(tiled, t, Melody.HiddenSize));
        var cut = Melody.ProjectChroma(new ChromaFeatures([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 12));
        for (var t = 0; t < 8; t++) Assert.Equal(Column(t + 1), Row(cut, t, Melody.HiddenSize));
    }

    [Fact]
    public void The_prefix_is_chroma_then_text_and_its_null_rows_hold_the_null_melody_and_zero_text()
    {
        var d = Melody.HiddenSize;
        var text = Enumerable.Range(0, 2 * 3 * d).Select(i => i * 0.001f).ToArray(); // [2 items, 3 positions, d]
        var prefix = Melody.Prefix([new ChromaFeatures([2], 12), null], text, 3);
        Assert.Equal((2, 11, d), (prefix.Batch, prefix.Length, prefix.Dim));
        Assert.All(prefix.Keep, Assert.True);
        for (var t = 0; t < 8; t++)
        {
            Assert.Equal(Column(2), Row(prefix.HiddenStates, t, d));
            Assert.Equal(Column(0), Row(prefix.HiddenStates, 11 + t, d)); // item 1 has no melody: the null melody
        }
        for (var b = 0; b < 2; b++)
            for (var j = 0; j < 3; j++) Assert.Equal(Row(text, b * 3 + j, d), Row(prefix.HiddenStates, b * 11 + 8 + j, d));

        var guided = prefix.WithNullRows();
        Assert.Equal(4, guided.Batch);
        Assert.All(guided.Keep, Assert.True);
        Assert.Equal(prefix.HiddenStates, guided.HiddenStates.Take(prefix.HiddenStates.Length));
        for (var b = 2; b < 4; b++)
        {
            for (var t = 0; t < 8; t++) Assert.Equal(Column(0), Row(guided.HiddenStates, b * 11 + t, d));
            for (var j = 8; j < 11; j++) Assert.All(Row(guided.HiddenStates, b * 11 + j, d), x => Assert.Equal(0f, x));
        }
    }

    [Fact]
    public void Without_text_the_prefix_ends_with_one_zero_position()
    {
        var prefix = Melody.Prefix([new ChromaFeatures([5, 6], 12)], null, 0);
        Assert.Equal(Melody.ChromaLength + 1, prefix.Length);
        Assert.All(Row(prefix.HiddenStates, Melody.ChromaLength, Melody.HiddenSize), x => Assert.Equal(0f, x));
        Assert.Equal(Column(6), Row(prefix.HiddenStates, 1, Melody.HiddenSize));
    }

    [Fact]
    public void The_waveform_path_gives_the_prefix_of_the_recorded_chroma()
    {
        // the fixture's melodies through our extractor, batch-padded as transformers' feature extractor pads them
        var set = MelodyFixtures.Tiny;
        var waves = new[] { "chroma_input_waveform_0", "chroma_input_waveform_1" }.Select(n => Grids.Floats(set.Vector(n))).ToList();
        var extracted = new ChromaExtractor().ExtractBatch(waves, 32000);
        var recorded = MelodyFixtures.Chroma(set.Vector("chroma_input_features"));
        Assert.Equal(recorded.Select(c => c.Bins.ToArray()), extracted.Select(c => c.Bins.ToArray()));
        Assert.Equal(Melody.Prefix(recorded, null, 0).HiddenStates, Melody.Prefix(extracted.ToArray(), null, 0).HiddenStates);
    }

    [Fact]
    public void Inputs_that_do_not_fit_are_named()
    {
        var bins = Melody.NumChroma + 1;
        var e = Assert.Throws<ArgumentException>(() => Melody.ProjectChroma(new ChromaFeatures([0, 1], bins)));
        Assert.Contains($"{bins} bins", e.Message);
        e = Assert.Throws<ArgumentException>(() => Melody.Prefix([null], new float[5], 2));
        Assert.Contains($"[1, 2, {Melody.HiddenSize}]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Melody.Prefix([], null, 0));
        Assert.Contains("no items", e.Message);
    }

    [Fact]
    public void A_plain_musicgen_file_has_no_melody_conditioning()
    {
        var path = ConvertedFixtures.Gguf(FixtureSet.ByName("musicgen-tiny"));
        var e = Assert.Throws<ModelConfigException>(() => MelodyConditioning.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a melody model", e.Message);
    }

    [Fact]
    public void The_melody_decoder_refuses_a_masked_or_chroma_only_prefix()
    {
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(MelodyFixtures.Tiny, backend);
        var ids = new int[4, 1];
        var d = decoder.Config.HiddenSize;
        var keep = Enumerable.Repeat(true, 10).ToArray();
        keep[9] = false;
        var masked = new MusicGenConditioning(new float[10 * d], keep, 1, 10, d);
        var e = Assert.Throws<ArgumentException>(() => decoder.Forward(ids, masked));
        Assert.Contains("position 9 of row 0 is masked", e.Message);
        e = Assert.Throws<ArgumentException>(() => decoder.StartSession(masked, 4));
        Assert.Contains("is masked", e.Message);
        var chromaOnly = new MusicGenConditioning(new float[8 * d], null, 1, 8, d);
        e = Assert.Throws<ArgumentException>(() => decoder.Forward(ids, chromaOnly));
        Assert.Contains("chroma_length 8", e.Message);
    }

    [Fact]
    public void Positions_count_the_prefix()
    {
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(MelodyFixtures.Tiny, backend);
        var prefix = Melody.Prefix([null], null, 0); // 9 positions
        Assert.Equal(9, decoder.PrefixLength(prefix));
        var max = decoder.Config.MaxPositionEmbeddings;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => decoder.StartSession(prefix, max - 8));
        Assert.Contains("9 conditioning prefix positions", e.Message);
        using (var session = decoder.StartSession(prefix, max - 9)) Assert.Equal(max, session.Capacity);
        var tooLong = new MusicGenGenerationRequest { Conditioning = prefix, MaxNewTokens = max - 8, Sampling = SamplingSettings.Greedy };
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new MusicGenGenerator(decoder).Generate(tooLong));
        Assert.Contains("9 conditioning prefix positions", e.Message);
        Assert.Equal(max - 9 - 3, LongFormSettings.MaxWindowFrames(decoder.Config, 9));
    }
}
