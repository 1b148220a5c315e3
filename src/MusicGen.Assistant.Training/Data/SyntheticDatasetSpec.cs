using MusicGen.Assistant.Training.Settings;

namespace MusicGen.Assistant.Training.Data;

/// <summary>Picture size of the generated images.</summary>
public sealed record ImageSettings(int Width, int Height);

/// <summary>Size, frame rate and length of the generated videos.</summary>
public sealed record VideoSettings(int Width, int Height, int Fps, double Seconds);

/// <summary>
/// A procedural dataset's specification (a settings file under datasets/): seed, item count and length, audio rates,
/// optional images and videos, how many edit pairs and Alpaca instructions, and the split shares. Same file, same
/// dataset: every random choice derives from <see cref="Seed"/> and each item's id.
/// </summary>
public sealed record SyntheticDatasetSpec(
    string Name, ulong Seed, int Items, double Seconds, IReadOnlyList<int> SampleRates, int MinTempo, int MaxTempo,
    ImageSettings? Image, VideoSettings? Video, int EditPairs, bool MusicQa, int Alpaca, DatasetSplits Splits,
    Procedural.CaptionStyle CaptionStyle = Procedural.CaptionStyle.Full)
{
    public static SyntheticDatasetSpec Load(string path)
    {
        var s = SettingsObject.Load(path);
        var spec = Read(s);
        s.RejectUnknown();
        return spec;
    }

    /// <summary>Reads the spec from a settings object (standalone file or the "dataset" object of a training config).</summary>
    public static SyntheticDatasetSpec Read(SettingsObject s)
    {
        var seed = s.Seed("seed", null);
        var image = s.Object("image");
        var video = s.Object("video");
        var splits = s.Object("splits");
        var spec = new SyntheticDatasetSpec(
            s.String("name"),
            seed,
            s.Int("items", null, 1, 1_000_000),
            s.Double("seconds", null, 0.25, 600),
            s.Ints("sample_rates", [32000], 8000, 192000),
            s.Int("min_tempo", 60, 30, 300),
            s.Int("max_tempo", 160, 30, 300),
            image is null ? null : new ImageSettings(image.Int("width", 224, 8, 4096), image.Int("height", 224, 8, 4096)),
            video is null ? null : new VideoSettings(Even(video, "width", 64), Even(video, "height", 64), video.Int("fps", 8, 1, 60), video.Double("seconds", 2, 0.1, 120)),
            s.Int("edit_pairs", 0, 0, 1_000_000),
            s.Bool("music_qa", true),
            s.Int("alpaca", 0, 0, 1_000_000),
            new DatasetSplits(seed, splits?.Double("train", 0.8, 0, 1) ?? 0.8, splits?.Double("valid", 0.1, 0, 1) ?? 0.1, splits?.Double("test", 0.1, 0, 1) ?? 0.1),
            s.Enum("caption_style", Procedural.CaptionStyle.Full));
        if (spec.MinTempo > spec.MaxTempo) throw s.Error("min_tempo", $"{spec.MinTempo} is above max_tempo {spec.MaxTempo}");
        try { spec.Splits.Validate(); }
        catch (ArgumentException e) { throw s.Error("splits", e.Message); }
        image?.RejectUnknown();
        video?.RejectUnknown();
        splits?.RejectUnknown();
        return spec;
    }

    private static int Even(SettingsObject o, string field, int fallback)
    {
        var v = o.Int(field, fallback, 16, 4096);
        return v % 2 == 0 ? v : throw o.Error(field, $"is {v}; video sides must be even (H.264 with yuv420p)");
    }

    /// <summary>The id of item i ("name-00017").</summary>
    public string ItemId(int i) => $"{Name}-{i:D5}";

    public string EditId(int i) => $"{Name}-edit-{i:D5}";

    /// <summary>The id of Alpaca entry i: "alpaca-00003", as <see cref="DatasetEntries"/> names entries of any Alpaca file.</summary>
    public string AlpacaId(int i) => DatasetEntries.AlpacaId(i);
}
