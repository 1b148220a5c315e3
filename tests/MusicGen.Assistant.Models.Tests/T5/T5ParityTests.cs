using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// Every text-encoder vector of every fixture set under MGA_FIXTURES (calls applying <c>model.text_encoder(</c>),
/// computed by our converter + ggml T5 (+ projection) and compared with the PyTorch reference under the tolerance
/// vectors.json states. A set without a model, or a call we do not implement, fails under the vector's name.
/// </summary>
[Trait("Category", "Parity")]
public partial class T5ParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in FixtureSet.All())
            foreach (var v in set.Vectors.Where(T5Reference.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    // enc_to_dec_proj(text_encoder(IDS, MASK).last_hidden_state) * MASK[..., None]: also run through the one-call API
    [GeneratedRegex(@"^model\.enc_to_dec_proj\(model\.text_encoder\((?<ids>\w+), (?<mask>\w+)\)\.last_hidden_state\) \* \k<mask>\[\.\.\., None\]\s*(\(.*\))?$")]
    private static partial Regex ConditioningCall();

    public static TheoryData<string, string> ConditioningVectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var (set, name) in Vectors().Select(r => ((string)r[0], (string)r[1])))
            if (ConditioningCall().IsMatch(FixtureSet.ByName(set).Vector(name).Call))
                data.Add(set, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var conditioning = TextConditioning.Load(ConvertedFixtures.Gguf(set), backend);
        var actual = new T5Reference(conditioning).Evaluate(vector);
        ToleranceAssert.Matches(vector, actual.Data, actual.Shape);
    }

    [Theory]
    [MemberData(nameof(ConditioningVectors))]
    public void Text_conditioning_gives_the_projected_masked_states(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        var m = ConditioningCall().Match(vector.Call);
        var ids = T5Reference.Ints(new NDArray(set.Vector(m.Groups["ids"].Value).Shape, set.Vector(m.Groups["ids"].Value).Values()));
        var mask = T5Reference.Ints(new NDArray(set.Vector(m.Groups["mask"].Value).Shape, set.Vector(m.Groups["mask"].Value).Values()));
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var conditioning = TextConditioning.Load(ConvertedFixtures.Gguf(set), backend, decoderHiddenSize: (int)vector.Shape[2]);
        Assert.True(conditioning.HasProjection);
        var actual = conditioning.Encode(ids, mask);
        ToleranceAssert.Matches(vector, actual.Select(x => (double)x).ToArray(), [ids.GetLength(0), ids.GetLength(1), conditioning.HiddenSize]);
    }

    [Fact]
    public void The_reference_fixtures_hold_text_encoder_vectors()
    {
        // guards the data-driven theories above against silently finding nothing
        var rows = Vectors().Select(r => ((string)r[0], (string)r[1])).ToList();
        Assert.Contains(("musicgen-tiny", "text_encoder_last_hidden_state"), rows);
        Assert.Contains(("musicgen-tiny", "tf_encoder_hidden_states_projected"), rows);
        Assert.Contains(("musicgen-stereo-tiny", "tf_encoder_hidden_states_projected"), rows);
        Assert.Contains(ConditioningVectors(), r => (string)r[0] == "musicgen-tiny" && (string)r[1] == "tf_encoder_hidden_states_projected");
    }
}
