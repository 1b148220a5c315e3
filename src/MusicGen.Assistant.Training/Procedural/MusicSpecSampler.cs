namespace MusicGen.Assistant.Training.Procedural;

/// <summary>Draws a <see cref="MusicSpec"/> for an item id from the dataset seed (independently per id).</summary>
public static class MusicSpecSampler
{
    private static readonly int[][] MajorProgressions = [[0, 4, 5, 3], [0, 3, 4, 0], [0, 5, 3, 4], [0, 3, 0, 4], [5, 3, 0, 4]];
    private static readonly int[][] MinorProgressions = [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 6, 2], [0, 5, 3, 4]];
    private static readonly Timbre[] Timbres = Enum.GetValues<Timbre>();

    public static MusicSpec Sample(ulong datasetSeed, string id, double seconds, int minTempo = 60, int maxTempo = 160)
    {
        if (minTempo < 30 || maxTempo > 300 || minTempo > maxTempo)
            throw new ArgumentOutOfRangeException(nameof(minTempo), $"tempo range {minTempo}..{maxTempo} must lie within 30..300");
        var r = SeededRandom.For(datasetSeed, "spec/" + id);
        var key = new MusicalKey(r.Next(0, 12), r.Chance(0.5) ? Mode.Major : Mode.Minor);
        var meter = r.Pick(Meter.All);
        var tempo = r.Next(minTempo / 5, maxTempo / 5 + 1) * 5;
        tempo = Math.Clamp(tempo, minTempo, maxTempo);
        var lead = r.Pick(Timbres);
        var accompaniment = r.Pick(Timbres);
        var drums = meter.Beats == 3 ? (r.Chance(0.7) ? DrumStyle.Waltz : DrumStyle.None)
            : r.Pick([DrumStyle.None, DrumStyle.Backbeat, DrumStyle.FourOnTheFloor, DrumStyle.HalfTime]);
        var progression = r.Pick(key.Mode == Mode.Major ? MajorProgressions : MinorProgressions);
        return new MusicSpec(id, key, tempo, meter, lead, accompaniment, drums, progression, seconds, r.NextUInt64()).Validate();
    }
}

/// <summary>What an edit pair changes between its source and target music.</summary>
public enum EditKind { Instrument, Tempo, Key }

/// <summary>An edit: the source music, the changed target and the instruction that asks for the change.</summary>
public sealed record EditPair(string Id, MusicSpec Source, MusicSpec Target, EditKind Kind, string Instruction);

/// <summary>Derives edit pairs (change instrument / tempo / key) from a source spec, keeping everything else equal.</summary>
public static class EditPairs
{
    public static EditPair Make(ulong datasetSeed, string id, MusicSpec source)
    {
        var r = SeededRandom.For(datasetSeed, "edit/" + id);
        var kind = r.Pick(Enum.GetValues<EditKind>());
        var targetId = id + "-target";
        switch (kind)
        {
            case EditKind.Instrument:
            {
                var others = Enum.GetValues<Timbre>().Where(t => t != source.Lead).ToArray();
                var lead = r.Pick(others);
                var target = source with { Id = targetId, Lead = lead };
                var say = r.Pick(["Replace the {0} with a {1}.", "Play the melody on a {1} instead of the {0}.", "Change the lead instrument from {0} to {1}."]);
                return new EditPair(id, source, target, kind, string.Format(say, MusicSpec.InstrumentName(source.Lead), MusicSpec.InstrumentName(lead)));
            }
            case EditKind.Tempo:
            {
                var faster = source.Tempo <= 100 || (source.Tempo < 200 && r.Chance(0.5));
                var tempo = Math.Clamp(source.Tempo + (faster ? 1 : -1) * r.Next(4, 9) * 5, 40, 220);
                var target = source with { Id = targetId, Tempo = tempo };
                var say = faster ? "Make it faster, at {0} BPM." : "Slow it down to {0} BPM.";
                return new EditPair(id, source, target, kind, string.Format(say, tempo));
            }
            default:
            {
                var shift = r.Next(1, 12);
                var key = new MusicalKey((source.Key.Tonic + shift) % 12, r.Chance(0.3) ? Flip(source.Key.Mode) : source.Key.Mode);
                var target = source with { Id = targetId, Key = key };
                return new EditPair(id, source, target, kind, $"Transpose the music to {key.Name}.");
            }
        }
    }

    private static Mode Flip(Mode m) => m == Mode.Major ? Mode.Minor : Mode.Major;
}
