using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// Every output vector of every HuBERT-architecture fixture set under MGA_FIXTURES (the feature extractor's input
/// values, the conv features, every hidden state, last_hidden_state, the padded batch), computed by our converter +
/// ggml encoder and compared with the PyTorch reference under the tolerance vectors.json states. A call we do not
/// implement fails under the vector's name.
/// </summary>
[Trait("Category", "Parity")]
public sealed class HubertParityTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);

    public void Dispose() => _backend.Dispose();

    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in HubertFixtures.Sets())
            foreach (var v in set.Vectors.Where(HubertReference.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(set), _backend);
        var actual = new HubertReference(encoder).Evaluate(vector);
        ToleranceAssert.Matches(vector, actual.Data, actual.Shape);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_with_conv_chunks_and_query_blocks_smaller_than_the_input(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        // 37 frames: conv chunks of 5 (the last one 2) and query blocks of 8 (the last one 5) give the same numbers
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(set), _backend);
        encoder.ConvChunkFrames = 5;
        encoder.AttentionQueryBlock = 8;
        var actual = new HubertReference(encoder).Evaluate(vector);
        ToleranceAssert.Matches(vector, actual.Data, actual.Shape);
    }

    [Fact]
    public void Half_precision_weights_stay_close_to_the_reference()
    {
        var set = HubertFixtures.Tiny;
        var expected = set.Vector("last_hidden_state").Values();
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(set, StorageType.F16), _backend);
        var actual = encoder.Forward(HubertFixtures.Matrix(set.Vector("input_values")))[0].LastHiddenState.ToArray();
        var worst = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
        // f16 rounding of the weights (relative 5e-4) through two layers; the outputs reach 3.6
        Assert.InRange(worst, 1e-6, 2e-2);
    }

    [Fact]
    public void The_reference_fixtures_hold_hubert_vectors()
    {
        // guards the data-driven theories above against silently finding nothing
        var rows = Vectors().Select(r => ((string)r[0], (string)r[1])).ToList();
        foreach (var name in new[] { "input_values", "conv_features", "hidden_states_0", "hidden_states_1", "hidden_states_2", "last_hidden_state", "batch_last_hidden_state" })
            Assert.Contains(("hubert-tiny", name), rows);
    }

    [Fact]
    public void The_m2ugen_music_input_is_the_stack_of_every_hidden_state()
    {
        // m2ugen-tiny's mert_hidden_states = torch.stack(hidden_states).squeeze(): [states, frames, hidden] of the raw waveform
        var set = FixtureSet.ByName("m2ugen-tiny");
        var vector = set.Vector("mert_hidden_states");
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(HubertFixtures.Tiny), _backend);
        var states = encoder.Encode(HubertFixtures.Floats(set.Vector("audio_waveform")));
        var stacked = Enumerable.Range(0, states.Count).SelectMany(i => states[i].ToArray()).Select(x => (double)x).ToArray();
        ToleranceAssert.Matches(vector, stacked, [states.Count, states.Frames, states.HiddenSize]);
    }
}
