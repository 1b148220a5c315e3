using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>What a recorded projector vector is: its stage, the vectors fed in, and the output scale of a scaled one.</summary>
internal sealed record ProjectorStageVector(ReferenceVector Vector, string Stage, string Hidden, string Embeddings, double Scale = 1);

/// <summary>
/// Finds the projector vectors of a fixture set from their <c>call</c> in vectors.json:
/// <c>model.output_projector.fc(H + E)</c> (stage "fc"), <c>model.output_projector.tfm.encoder(F)</c> ("memory", F an
/// fc vector), <c>model.output_projector(H, E)</c> ("output") and <c>a * O / b</c> with O an output vector ("scaled",
/// scale a/b: generate_music's gen_emb). The [AUD] embeddings vector is the one whose call applies
/// <c>model.llama.tok_embeddings</c>.
/// </summary>
internal static partial class ProjectorFixtureVectors
{
    [GeneratedRegex(@"^model\.output_projector\.fc\(\s*(?<h>\w+)\s*\+\s*(?<e>\w+)\s*\)$")]
    private static partial Regex FcCall();

    [GeneratedRegex(@"^model\.output_projector\.tfm\.encoder\(\s*(?<f>\w+)\s*\)$")]
    private static partial Regex EncoderCall();

    [GeneratedRegex(@"^model\.output_projector\(\s*(?<h>\w+)\s*,\s*(?<e>\w+)\s*\)")]
    private static partial Regex ProjectorCall();

    [GeneratedRegex(@"^(?<a>[0-9.eE+-]+)\s*\*\s*(?<o>\w+)\s*/\s*(?<b>[0-9.eE+-]+)$")]
    private static partial Regex ScaledCall();

    [GeneratedRegex(@"^model\.llama\.tok_embeddings\(torch\.tensor\(\[(?<ids>\w+)\]\)\)$")]
    private static partial Regex EmbeddingCall();

    public static bool Handles(ReferenceVector v) => !v.IsInput && TryParse(v) is not null;

    public static ProjectorStageVector Parse(ReferenceVector v) =>
        TryParse(v) ?? throw new InvalidDataException($"{v}: call '{v.Call}' is not a projector stage");

    /// <summary>The vector holding the [AUD] token embeddings and the name of the id vector it was looked up with.</summary>
    public static (ReferenceVector Vector, string Ids) Embeddings(FixtureSet set)
    {
        var v = set.Vectors.SingleOrDefault(x => !x.IsInput && EmbeddingCall().IsMatch(x.Call))
                ?? throw new InvalidDataException($"{set.Name}: no vector records model.llama.tok_embeddings of the [AUD] ids");
        return (v, EmbeddingCall().Match(v.Call).Groups["ids"].Value);
    }

    private static ProjectorStageVector? TryParse(ReferenceVector v)
    {
        var call = v.Call.Trim();
        if (FcCall().Match(call) is { Success: true } fc)
            return new(v, "fc", fc.Groups["h"].Value, fc.Groups["e"].Value);
        if (EncoderCall().Match(call) is { Success: true } enc)
        {
            var source = v.Set.Vectors.FirstOrDefault(x => x.Name == enc.Groups["f"].Value);
            return source is null || TryParse(source) is not { Stage: "fc" } s ? null : new(v, "memory", s.Hidden, s.Embeddings);
        }
        if (ProjectorCall().Match(call) is { Success: true } p)
            return new(v, "output", p.Groups["h"].Value, p.Groups["e"].Value);
        if (ScaledCall().Match(call) is { Success: true } sc)
        {
            var source = v.Set.Vectors.FirstOrDefault(x => x.Name == sc.Groups["o"].Value);
            if (source is null || TryParse(source) is not { Stage: "output" } o) return null;
            var scale = double.Parse(sc.Groups["a"].Value, CultureInfo.InvariantCulture) / double.Parse(sc.Groups["b"].Value, CultureInfo.InvariantCulture);
            return new(v, "scaled", o.Hidden, o.Embeddings, scale);
        }
        return null;
    }
}
