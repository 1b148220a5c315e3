using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>
/// Every output vector of every ViT / ViViT fixture set under MGA_FIXTURES, computed by our converter + ggml encoder
/// and compared with the PyTorch reference under the tolerance vectors.json states. A call we do not implement fails
/// under the vector's name.
/// </summary>
[Trait("Category", "Parity")]
public class VisionParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in VisionFixtures.Sets())
            foreach (var v in set.Vectors.Where(VisionReference.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(ConvertedFixtures.Gguf(set), VisionFixtures.FamilyOf(set)!.Value, backend);
        var actual = new VisionReference(encoder).Evaluate(vector);
        ToleranceAssert.Matches(vector, actual.Data, actual.Shape);
    }

    [Fact]
    public void The_reference_fixtures_hold_vision_vectors()
    {
        // guards the data-driven theory above against silently finding nothing
        var rows = Vectors().Select(r => ((string)r[0], (string)r[1])).ToList();
        foreach (var set in new[] { "vit-tiny", "vivit-tiny" })
        {
            Assert.Contains((set, "last_hidden_state"), rows);
            Assert.Contains((set, "pooler_output"), rows);
            Assert.Contains((set, "embeddings_output"), rows);
        }
    }

    [Fact]
    public void Each_image_of_a_batch_encodes_as_it_does_alone()
    {
        var set = FixtureSet.ByName("vit-tiny");
        var batch = VisionFixtures.Pixels(set.Vector("pixel_values"));
        Assert.True(batch.Batch > 1, $"{set.Name}: pixel_values holds {batch.Batch} image; this test needs a batch");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(ConvertedFixtures.Gguf(set), VisionFamily.ViT, backend);
        var together = encoder.Encode(batch);
        var (channels, height, width, hidden) = (encoder.Config.NumChannels, encoder.Config.ImageHeight, encoder.Config.ImageWidth, encoder.Config.HiddenSize);
        for (var i = 0; i < batch.Batch; i++)
        {
            var alone = encoder.Encode(PixelValues.Images(batch.Data.AsSpan(i * batch.ItemLength, batch.ItemLength).ToArray(), 1, channels, height, width));
            // equal up to float rounding (the matrix products may sum in another order for another batch size)
            Near(alone.LastHiddenState, together.LastHiddenStateOf(i).ToArray());
            Near(alone.PoolerOutput!, together.PoolerOutput!.AsSpan(i * hidden, hidden).ToArray());
        }
    }

    [Fact]
    public void Every_hidden_state_is_returned_and_the_last_is_normed_into_last_hidden_state()
    {
        var set = FixtureSet.ByName("vivit-tiny");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(ConvertedFixtures.Gguf(set), VisionFamily.ViViT, backend);
        var pixels = VisionFixtures.Pixels(set.Vector("pixel_values"));
        var output = encoder.Encode(pixels, hiddenStates: true);
        Assert.Equal(encoder.Config.NumHiddenLayers + 1, output.HiddenStates.Count);
        var (tokens, hidden) = (encoder.Config.SequenceLength, encoder.Config.HiddenSize);
        Assert.Equal(set.Vector("last_hidden_state").Shape[1..].Aggregate(1L, (a, b) => a * b), tokens * hidden);
        Assert.All(output.HiddenStates, s => Assert.Equal(tokens * hidden, s.Length));
        ToleranceAssert.Matches(set.Vector("embeddings_output"), output.HiddenStates[0].Select(x => (double)x).ToArray());
        // last_hidden_state = LayerNorm(hidden_states[-1]) per token
        var last = output.HiddenStates[^1];
        using var file = MusicGen.Assistant.Formats.Gguf.GgufFile.Open(ConvertedFixtures.Gguf(set));
        var w = file.ReadFloat32(VisionKeys.ViViT.FinalNormWeight);
        var b = file.ReadFloat32(VisionKeys.ViViT.FinalNormBias);
        for (var t = 0; t < tokens; t++)
        {
            var row = last.AsSpan(t * hidden, hidden).ToArray().Select(x => (double)x).ToArray();
            double mean = row.Average(), variance = row.Select(x => (x - mean) * (x - mean)).Average();
            for (var j = 0; j < hidden; j++)
            {
                var expected = (row[j] - mean) / Math.Sqrt(variance + encoder.Config.LayerNormEps) * w[j] + b[j];
                Assert.InRange(output.LastHiddenState[t * hidden + j] - expected, -1e-5 * (1 + Math.Abs(expected)), 1e-5 * (1 + Math.Abs(expected)));
            }
        }
        // without the flag, no hidden states are kept, and the outputs are the same
        var plain = encoder.Encode(pixels);
        Assert.Empty(plain.HiddenStates);
        Assert.Equal(output.LastHiddenState, plain.LastHiddenState);
    }

    private static void Near(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"value {i}: {actual[i]} vs {expected[i]} alone");
    }
}
