using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>One recorded adapter stage: the vector, its modality and the stage name (agg, proj, block1, feats...).</summary>
internal sealed record AdapterStageVector(ReferenceVector Vector, M2UGenModality Modality, string Stage);

/// <summary>
/// Finds the adapter vectors of a fixture set from vectors.json: every output whose call runs
/// <c>model.forward_audio / _image / _video</c> (directly or as the hooked stage of it), named
/// <c>{audio|image|video}_{stage}</c>, and the encoder-output vector each adapter was fed (the call applying
/// <c>model.mert_model</c> / <c>model.vit_model</c> / <c>model.vivit_model</c>).
/// </summary>
internal static partial class AdapterFixtureVectors
{
    [GeneratedRegex(@"model\.forward_(?<m>audio|image|video)\(")]
    private static partial Regex ForwardCall();

    public static bool Handles(ReferenceVector v) => !v.IsInput && ForwardCall().IsMatch(v.Call);

    public static AdapterStageVector Parse(ReferenceVector v)
    {
        var word = ForwardCall().Match(v.Call).Groups["m"].Value;
        if (word.Length == 0) throw new InvalidDataException($"{v}: call '{v.Call}' runs no adapter");
        var modality = word == "audio" ? M2UGenModality.Music : M2UGenModalities.Parse(word);
        if (!v.Name.StartsWith(word + "_", StringComparison.Ordinal))
            throw new InvalidDataException($"{v}: an adapter vector of forward_{word} should be named '{word}_<stage>'");
        return new AdapterStageVector(v, modality, v.Name[(word.Length + 1)..]);
    }

    /// <summary>The adapter input the fixture recorded for a modality (the encoder's output).</summary>
    public static ReferenceVector Input(FixtureSet set, M2UGenModality m)
    {
        var call = m switch
        {
            M2UGenModality.Music => "model.mert_model(",
            M2UGenModality.Image => "model.vit_model(",
            _ => "model.vivit_model(",
        };
        return set.Vectors.SingleOrDefault(v => !v.IsInput && v.Call.Contains(call, StringComparison.Ordinal))
               ?? throw new InvalidDataException($"{set.Name}: no vector records the {m.Name()} encoder output (a call applying {call}...)");
    }

    /// <summary>Our values of a stage, with the shape the reference gives it (M2UGen unsqueezes before the projection).</summary>
    public static (float[] Values, long[] Shape) Stage(AdapterResult r, string stage)
    {
        long b = r.Batch, w = r.InWidth, d = r.Dim;
        return stage switch
        {
            "layer_means" => (r.LayerMeans ?? throw new InvalidDataException($"the {r.Modality.Name()} adapter has no time mean"), [b, r.LayerMeans.Length / (b * w), w]),
            "agg" => (r.Aggregated, [b, w]),
            "normalized" => (r.Normalized, [b, 1, w]),
            "proj" => (r.Projected, [b, 1, d]),
            "feats" => (r.Token, [b, 1, d]),
            _ when stage.StartsWith("block", StringComparison.Ordinal) && int.TryParse(stage[5..], out var i) && i >= 1 && i <= r.Blocks.Count
                => (r.Blocks[i - 1], [b, 1, d]),
            _ => throw new InvalidDataException($"unknown adapter stage '{stage}' (known: layer_means, agg, normalized, proj, block1..block{r.Blocks.Count}, feats)"),
        };
    }
}
