using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>The MusicGen-Melody fixture sets (model_type musicgen_melody), converted by our converter, and their inputs.</summary>
internal static class MelodyFixtures
{
    public static IEnumerable<FixtureSet> Sets() =>
        FixtureSet.All().Where(s => s.HasModel && MusicGenFixtures.ModelType(s) == "musicgen_melody");

    public static FixtureSet Tiny => FixtureSet.ByName("musicgen-melody-tiny");

    /// <summary>A one-hot chroma vector [B, frames, bins] as one <see cref="ChromaFeatures"/> per item (checked one-hot).</summary>
    public static ChromaFeatures[] Chroma(ReferenceVector v)
    {
        var (batch, frames, bins) = ((int)v.Shape[0], (int)v.Shape[1], (int)v.Shape[2]);
        var values = v.Values();
        return Enumerable.Range(0, batch).Select(b => new ChromaFeatures(Enumerable.Range(0, frames).Select(t =>
        {
            var row = values.AsSpan((b * frames + t) * bins, bins);
            var hot = row.IndexOf(1.0);
            if (hot < 0 || row.ToArray().Count(x => x != 0) != 1) throw new InvalidDataException($"{v}: item {b}, frame {t} is not one-hot");
            return hot;
        }).ToArray(), bins)).ToArray();
    }

    /// <summary>A recorded prefix [B, P, hidden] (every position attended, as transformers 4.40.2 does).</summary>
    public static MusicGenConditioning RecordedPrefix(FixtureSet set, string name)
    {
        var v = set.Vector(name);
        return new MusicGenConditioning(Grids.Floats(v), null, (int)v.Shape[0], (int)v.Shape[1], (int)v.Shape[2]);
    }

    /// <summary>Our prefix for recorded text ids / mask and chroma: T5 + enc_to_dec_proj, then MelodyConditioning.</summary>
    public static MusicGenConditioning BuiltPrefix(FixtureSet set, ComputeBackend backend, string ids, string mask, string chroma)
    {
        var gguf = ConvertedFixtures.Gguf(set);
        var melody = MelodyConditioning.Load(gguf);
        using var text = TextConditioning.Load(gguf, backend, melody.HiddenSize);
        var idGrid = Grids.Matrix(set.Vector(ids));
        var states = text.Encode(idGrid, Grids.Matrix(set.Vector(mask)));
        return melody.Prefix(Chroma(set.Vector(chroma)), states, idGrid.GetLength(1));
    }
}
