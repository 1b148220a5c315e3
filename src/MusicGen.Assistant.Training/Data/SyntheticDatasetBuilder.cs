using System.Text.Json;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Training.Imaging;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Data;

/// <summary>Where a dataset build is: items done of the total, and the one just written.</summary>
public sealed record DatasetBuildProgress(int Done, int Total, string Item);

/// <summary>What a build wrote: the folder and how many entries of each kind.</summary>
public sealed record DatasetBuildResult(DatasetLayout Layout, int Items, int EditPairs, int Images, int Videos, int MusicQa, int Alpaca);

/// <summary>
/// Writes a procedural dataset folder from its spec: WAVs at every requested rate, MUCaps captions, MUImage / MUVideo
/// instructions with their PNGs and MP4s, MUEdit pairs with the target audio, MusicQA conversations, Alpaca
/// instructions, items.json (every item's parameters) and the published splits. Offline and reproducible: the same
/// spec writes the same files (the MP4s the same frames, encoded by the local ffmpeg).
/// </summary>
public static class SyntheticDatasetBuilder
{
    public static DatasetBuildResult Build(SyntheticDatasetSpec spec, string folder, IProgress<DatasetBuildProgress>? progress = null,
        CancellationToken cancellation = default, MediaTools? tools = null)
    {
        var layout = new DatasetLayout(Path.GetFullPath(folder));
        Directory.CreateDirectory(layout.Root);
        var total = spec.Items + spec.EditPairs;
        var specs = new List<MusicSpec>();
        var captions = new List<CaptionEntry>();
        var images = new List<InstructionEntry>();
        var videos = new List<InstructionEntry>();
        var qa = new List<MusicQaEntry>();
        for (var i = 0; i < spec.Items; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var music = MusicSpecSampler.Sample(spec.Seed, spec.ItemId(i), spec.Seconds, spec.MinTempo, spec.MaxTempo);
            specs.Add(music);
            var wav = WriteAudio(spec, layout, music);
            var caption = CaptionWriter.Caption(music, spec.CaptionStyle);
            captions.Add(new CaptionEntry(wav, caption));
            if (spec.Image is { } im)
            {
                var png = music.Id + ".png";
                PngWriter.Write(layout.Image(png), CoverArt.Draw(music, im.Width, im.Height));
                images.Add(MediaToMusic(png, wav, Modalities.Image, "Generate a music for this image.", CaptionWriter.ImageCaption(music), music, spec.CaptionStyle));
            }
            if (spec.Video is { } v)
            {
                var mp4 = music.Id + ".mp4";
                VideoClip.Write(music, layout.Video(mp4), v.Width, v.Height, v.Fps, v.Seconds, tools);
                videos.Add(MediaToMusic(mp4, wav, Modalities.Video, "Compose music that fits this video.", CaptionWriter.VideoCaption(music), music, spec.CaptionStyle));
            }
            if (spec.MusicQa)
                qa.Add(new MusicQaEntry(wav, QuestionWriter.AboutClip(music, spec.CaptionStyle)
                    .SelectMany(p => new[] { new ConversationTurn(Speaker.Human, p.Question), new ConversationTurn(Speaker.Gpt, p.Answer) }).ToList()));
            progress?.Report(new DatasetBuildProgress(i + 1, total, music.Id));
        }

        var edits = new List<InstructionEntry>();
        for (var e = 0; e < spec.EditPairs; e++)
        {
            cancellation.ThrowIfCancellationRequested();
            var source = specs[e % specs.Count];
            var pair = EditPairs.Make(spec.Seed, spec.EditId(e), source with { Id = spec.EditId(e) + "-source" });
            var target = WriteAudio(spec, layout, pair.Target);
            edits.Add(new InstructionEntry(source.Id + ".wav", target,
            [
                new ConversationTurn(Speaker.Human, pair.Instruction, InputModality: Modalities.Audio, Caption: CaptionWriter.Caption(source, spec.CaptionStyle)),
                new ConversationTurn(Speaker.Gpt, CaptionWriter.MusicAnswer(pair.Target, spec.CaptionStyle), OutputModality: Modalities.Audio, Caption: CaptionWriter.Caption(pair.Target, spec.CaptionStyle)),
            ]));
            progress?.Report(new DatasetBuildProgress(spec.Items + e + 1, total, pair.Id));
        }

        var alpaca = new List<AlpacaEntry>();
        for (var a = 0; a < spec.Alpaca; a++)
        {
            var (instruction, input, output) = QuestionWriter.Theory(SeededRandom.For(spec.Seed, "alpaca/" + spec.AlpacaId(a)));
            alpaca.Add(new AlpacaEntry(instruction, input, output));
        }

        CaptionFile.Write(layout.Captions, captions);
        if (images.Count > 0) InstructionFile.Write(layout.Images, images);
        if (videos.Count > 0) InstructionFile.Write(layout.Videos, videos);
        if (edits.Count > 0) InstructionFile.Write(layout.Edits, edits);
        if (qa.Count > 0) MusicQaFile.Write(layout.MusicQa, qa);
        if (alpaca.Count > 0) AlpacaFile.Write(layout.Alpaca, alpaca);
        WriteItems(layout, spec, specs);
        spec.Splits.Write(layout.Splits, specs.Select(s => s.Id)
            .Concat(Enumerable.Range(0, spec.EditPairs).Select(spec.EditId))
            .Concat(Enumerable.Range(0, spec.Alpaca).Select(spec.AlpacaId)));
        return new DatasetBuildResult(layout, specs.Count, edits.Count, images.Count, videos.Count, qa.Count, alpaca.Count);
    }

    private static InstructionEntry MediaToMusic(string input, string output, string modality, string ask, string mediaCaption, MusicSpec music, CaptionStyle style) =>
        new(input, output,
        [
            new ConversationTurn(Speaker.Human, ask, InputModality: modality, Caption: mediaCaption),
            new ConversationTurn(Speaker.Gpt, CaptionWriter.MusicAnswer(music, style), OutputModality: Modalities.Audio, Caption: CaptionWriter.Caption(music, style)),
        ]);

    /// <summary>Renders the music at every rate of the spec; returns the file name (the same in every rate's folder).</summary>
    private static string WriteAudio(SyntheticDatasetSpec spec, DatasetLayout layout, MusicSpec music)
    {
        var file = music.Id + ".wav";
        for (var r = 0; r < spec.SampleRates.Count; r++)
        {
            var rate = spec.SampleRates[r];
            var folder = r == 0 ? layout.AudioFolder : layout.AudioFolderAt(rate);
            Directory.CreateDirectory(folder);
            WavWriter.Write(Path.Combine(folder, file), new AudioBuffer(rate, [MusicRenderer.Render(music, rate)]), WavSampleFormat.Pcm16);
        }
        return file;
    }

    private static void WriteItems(DatasetLayout layout, SyntheticDatasetSpec spec, IEnumerable<MusicSpec> specs) =>
        JsonDatasetFile.Write(layout.Items, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", spec.Name);
            w.WriteNumber("seed", spec.Seed);
            w.WritePropertyName("sample_rates");
            JsonSerializer.Serialize(w, spec.SampleRates);
            w.WritePropertyName("items");
            w.WriteStartArray();
            foreach (var s in specs)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("key", s.Key.Name);
                w.WriteNumber("tempo", s.Tempo);
                w.WriteString("meter", s.Meter.Name);
                w.WriteString("lead", s.Lead.ToString().ToLowerInvariant());
                w.WriteString("accompaniment", s.Accompaniment.ToString().ToLowerInvariant());
                w.WriteString("drums", s.Drums.ToString().ToLowerInvariant());
                w.WriteString("progression", s.ProgressionText);
                w.WriteString("mood", s.Mood);
                w.WriteNumber("seconds", s.Seconds);
                w.WriteString("caption", CaptionWriter.Caption(s, spec.CaptionStyle));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
}
