using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.Imaging;
using MusicGen.Assistant.Training.Procedural;
using MusicGen.Assistant.Training.Settings;

namespace MusicGen.Assistant.Training.Tests.Data;

public class SyntheticDatasetTests
{
    private static SyntheticDatasetSpec Spec(bool video) => new("t", 42, 3, 0.5, [16000, 24000], 60, 160,
        new ImageSettings(24, 16), video ? new VideoSettings(16, 16, 4, 0.5) : null, 2, true, 3, new DatasetSplits(42, 0.5, 0.25, 0.25));

    [Fact]
    public void A_built_dataset_reads_back_through_the_format_readers()
    {
        using var tmp = new TempFolder();
        var video = HasFfmpeg();
        var result = SyntheticDatasetBuilder.Build(Spec(video), tmp.Path);
        var layout = result.Layout;

        var captions = CaptionFile.Read(layout.Captions);
        Assert.Equal(3, captions.Count);
        foreach (var c in captions)
        {
            var wav = WavReader.Read(layout.Audio(c.File));
            Assert.Equal((16000, 8000), (wav.SampleRate, wav.FrameCount));
            Assert.Equal(24000, WavReader.Read(Path.Combine(layout.AudioFolderAt(24000), c.File)).SampleRate);
        }
        var images = InstructionFile.Read(layout.Images, InstructionSet.MuImage);
        Assert.Equal(captions.Select(c => c.File), images.Select(i => i.OutputFile));
        Assert.All(images, i => Assert.True(File.Exists(layout.Image(i.InputFile!))));
        var edits = InstructionFile.Read(layout.Edits, InstructionSet.MuEdit);
        Assert.Equal(2, edits.Count);
        Assert.All(edits, e => Assert.True(File.Exists(layout.Audio(e.OutputFile)) && File.Exists(layout.Audio(e.InputFile!))));
        Assert.Equal(3, MusicQaFile.Read(layout.MusicQa).Count);
        Assert.Equal(3, AlpacaFile.Read(layout.Alpaca).Count);
        if (video)
        {
            var clips = InstructionFile.Read(layout.Videos, InstructionSet.MuVideo);
            var info = MediaProbe.Probe(layout.Video(clips[0].InputFile!));
            var stream = info.VideoStreams.Single();
            Assert.Equal((16, 16, "h264"), (stream.Width, stream.Height, stream.Codec));
        }
        var all = Enum.GetValues<Split>().SelectMany(s => DatasetSplits.Read(layout.Splits, s)).ToList();
        Assert.Equal(3 + 2 + 3, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void The_same_spec_writes_the_same_files()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        SyntheticDatasetBuilder.Build(Spec(video: false), a.Path);
        SyntheticDatasetBuilder.Build(Spec(video: false), b.Path);
        var files = Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(b.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order());
        foreach (var f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f)));
    }

    [Fact]
    public void Png_images_decode_to_the_drawn_pixels()
    {
        if (!HasFfmpeg()) return; // decoding a PNG independently needs ffmpeg
        using var tmp = new TempFolder();
        var spec = MusicSpecSampler.Sample(1, "img", 1);
        var canvas = CoverArt.Draw(spec, 37, 21);
        PngWriter.Write(tmp.File("x.png"), canvas);
        var decoded = ImageDecoder.Decode(tmp.File("x.png"));
        Assert.Equal((37, 21), (decoded.Width, decoded.Height));
        Assert.Equal(canvas.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Splits_are_stable_seeded_and_near_their_shares()
    {
        var splits = new DatasetSplits(5, 0.8, 0.1, 0.1);
        var ids = Enumerable.Range(0, 4000).Select(i => $"id-{i}").ToList();
        var first = ids.Select(splits.Of).ToList();
        Assert.Equal(first, ids.Select(splits.Of)); // no dependence on order or other ids
        Assert.InRange(first.Count(s => s == Split.Train) / 4000.0, 0.77, 0.83);
        Assert.InRange(first.Count(s => s == Split.Test) / 4000.0, 0.085, 0.115);
        var other = new DatasetSplits(6, 0.8, 0.1, 0.1);
        Assert.NotEqual(first, ids.Select(other.Of));
        using var tmp = new TempFolder();
        splits.Write(tmp.Path, ids);
        Assert.Equal(ids.Where(i => splits.Of(i) == Split.Valid).ToHashSet(), DatasetSplits.Read(tmp.Path, Split.Valid));
    }

    [Fact]
    public void Spec_files_are_checked_field_by_field()
    {
        using var tmp = new TempFolder();
        var ok = SyntheticDatasetSpec.Load(tmp.File("ok.json", """{"name": "d", "seed": 3, "items": 4, "seconds": 1.5, "video": {"width": 32, "height": 32}}"""));
        Assert.Equal((3UL, 4, 32), (ok.Seed, ok.Items, ok.Video!.Width));
        var typo = Assert.Throws<SettingsException>(() => SyntheticDatasetSpec.Load(tmp.File("t.json", """{"name": "d", "seed": 3, "items": 4, "seconds": 1, "itmes": 5}""")));
        Assert.Equal("itmes", typo.Field);
        var odd = Assert.Throws<SettingsException>(() => SyntheticDatasetSpec.Load(tmp.File("o.json", """{"name": "d", "seed": 3, "items": 4, "seconds": 1, "video": {"width": 33}}""")));
        Assert.Equal("video.width", odd.Field);
        var shares = Assert.Throws<SettingsException>(() => SyntheticDatasetSpec.Load(tmp.File("s.json", """{"name": "d", "seed": 3, "items": 4, "seconds": 1, "splits": {"train": 0.9}}""")));
        Assert.Equal("splits", shares.Field);
    }

    private static bool HasFfmpeg()
    {
        try { _ = MediaTools.Default; return true; }
        catch (MediaToolNotFoundException) { return false; }
    }
}

public class PublishedSpecTests
{
    [Fact]
    public void Every_dataset_spec_in_the_repository_loads()
    {
        var folder = Path.Combine(MusicGen.Assistant.Testing.FixturePaths.RepositoryRoot, "datasets");
        var specs = Directory.GetFiles(folder, "synthetic-*.json");
        Assert.NotEmpty(specs);
        foreach (var f in specs) Assert.Equal(Path.GetFileNameWithoutExtension(f), SyntheticDatasetSpec.Load(f).Name);
    }
}
