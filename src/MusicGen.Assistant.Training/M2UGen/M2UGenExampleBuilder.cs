using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>The dataset sources stage 3 mixes, each with a weight: 1 = every entry once, 0.5 = a seeded half, 2 = twice.</summary>
public sealed record Stage3Mixture(double MusicQa = 1, double Alpaca = 1, double Image = 1, double Video = 1, double Edit = 1);

/// <summary>
/// Turns a dataset folder into M2UGen training sequences, as M2UGen's data/dataset.py pairs them:
/// stage 1: medium → its caption with an empty instruction (MUCaps audio, MUImage images with their image caption,
/// MUVideo videos with their video caption); stage 2: MUCaps caption as instruction → caption + [AUD0..7] with the
/// projector target of the caption; stage 3: MusicQA (audio + question → answer), Alpaca (text), MUImage / MUVideo /
/// MUEdit (medium + instruction → answer + " " + [AUD0..7], target from the target music's caption). Entries of the
/// requested split only; sequences with no room for an answer after truncation are skipped (counted).
/// </summary>
public sealed class M2UGenExampleBuilder(M2UGenPrompt prompt, DatasetEntries data, MediaEncoders? encoders, ProjectorTargets? targets, IReadOnlyList<string> audTokens)
{
    private string AudText => string.Concat(audTokens);

    /// <summary>Sequences dropped because the prompt left no room for an answer token.</summary>
    public int Skipped { get; private set; }

    private DatasetLayout L => data.Layout;

    public List<M2UGenExample> Stage1(Split split, IReadOnlySet<M2UGenModality> modalities, CancellationToken cancellation = default)
    {
        var list = new List<M2UGenExample>();
        if (modalities.Contains(M2UGenModality.Music))
            foreach (var c in CaptionFile.Read(L.Captions).Where(c => data.SplitOf(DatasetEntries.ClipId(c.File)) == split))
                Add(list, $"caption:{c.File}", "", c.Caption, Media(M2UGenModality.Music, L.Audio(c.File), cancellation));
        foreach (var (modality, file, set) in new[] { (M2UGenModality.Image, L.Images, InstructionSet.MuImage), (M2UGenModality.Video, L.Videos, InstructionSet.MuVideo) })
        {
            if (!modalities.Contains(modality)) continue;
            foreach (var e in Entries(file, set, split, e => DatasetEntries.ClipId(e.OutputFile)))
            {
                var caption = e.Conversation[0].Caption ?? throw new DatasetFormatException(file, "the human turn has no caption of its medium (stage 1 trains on it)");
                Add(list, $"{modality.Name()}:{e.InputFile}", "", caption, Media(modality, MediaPath(modality, e.InputFile!), cancellation));
            }
        }
        return list;
    }

    public List<M2UGenExample> Stage2(Split split)
    {
        var list = new List<M2UGenExample>();
        foreach (var c in CaptionFile.Read(L.Captions).Where(c => data.SplitOf(DatasetEntries.ClipId(c.File)) == split))
            Add(list, $"decoder:{c.File}", c.Caption, c.Caption + AudText, null, Target(c.Caption));
        return list;
    }

    public List<M2UGenExample> Stage3(Split split, Stage3Mixture mix, ulong seed, CancellationToken cancellation = default)
    {
        var sources = new List<(string Name, double Weight, List<M2UGenExample> Examples)>();
        if (mix.MusicQa > 0 && File.Exists(L.MusicQa))
        {
            var qa = new List<M2UGenExample>();
            foreach (var e in MusicQaFile.Read(L.MusicQa).Where(e => data.SplitOf(DatasetEntries.ClipId(e.AudioName)) == split))
            {
                var media = Media(M2UGenModality.Music, L.Audio(e.AudioName), cancellation);
                for (var t = 0; t + 1 < e.Conversation.Count; t += 2)
                    Add(qa, $"qa:{e.AudioName}#{t / 2}", e.Conversation[t].Value, e.Conversation[t + 1].Value, media);
            }
            sources.Add(("music_qa", mix.MusicQa, qa));
        }
        if (mix.Alpaca > 0 && File.Exists(L.Alpaca))
        {
            var alpaca = new List<M2UGenExample>();
            var entries = AlpacaFile.Read(L.Alpaca);
            for (var i = 0; i < entries.Count; i++)
                if (data.SplitOf(DatasetEntries.AlpacaId(i)) == split)
                    Add(alpaca, DatasetEntries.AlpacaId(i), entries[i].FullInstruction, entries[i].Output, null);
            sources.Add(("alpaca", mix.Alpaca, alpaca));
        }
        foreach (var (modality, file, set, weight, id) in new (M2UGenModality, string, InstructionSet, double, Func<InstructionEntry, string>)[]
                 {
                     (M2UGenModality.Image, L.Images, InstructionSet.MuImage, mix.Image, e => DatasetEntries.ClipId(e.OutputFile)),
                     (M2UGenModality.Video, L.Videos, InstructionSet.MuVideo, mix.Video, e => DatasetEntries.ClipId(e.OutputFile)),
                     (M2UGenModality.Music, L.Edits, InstructionSet.MuEdit, mix.Edit, e => DatasetEntries.EditId(e.OutputFile)),
                 })
        {
            if (weight <= 0 || !File.Exists(file)) continue;
            var list = new List<M2UGenExample>();
            foreach (var e in Entries(file, set, split, id))
            {
                var answer = e.Conversation[1];
                var target = answer.Caption is { } caption ? Target(caption) : null;
                var media = Media(modality, MediaPath(modality, e.InputFile!), cancellation);
                Add(list, $"{set}:{e.OutputFile}", e.Conversation[0].Value, answer.Value + " " + AudText, media, target);
            }
            sources.Add((set.ToString(), weight, list));
        }
        return Mix(sources, seed);
    }

    // each source contributes round(weight × count) entries: whole copies, then a seeded subset for the fraction
    private static List<M2UGenExample> Mix(List<(string Name, double Weight, List<M2UGenExample> Examples)> sources, ulong seed)
    {
        var result = new List<M2UGenExample>();
        foreach (var (name, weight, examples) in sources)
        {
            if (examples.Count == 0) continue;
            var want = (int)Math.Round(weight * examples.Count);
            for (var k = 0; k < want / examples.Count; k++) result.AddRange(examples);
            var rest = want % examples.Count;
            var r = SeededRandom.For(seed, "mixture/" + name);
            result.AddRange(examples.OrderBy(_ => r.NextUInt64()).Take(rest));
        }
        return result;
    }

    private IEnumerable<InstructionEntry> Entries(string file, InstructionSet set, Split split, Func<InstructionEntry, string> id) =>
        File.Exists(file) ? InstructionFile.Read(file, set).Where(e => data.SplitOf(id(e)) == split) : [];

    private string MediaPath(M2UGenModality m, string file) => m switch
    {
        M2UGenModality.Image => L.Image(file),
        M2UGenModality.Video => L.Video(file),
        _ => L.Audio(file),
    };

    private MediaFeatures Media(M2UGenModality m, string path, CancellationToken cancellation) =>
        (encoders ?? throw new InvalidOperationException("this stage attaches media but no encoders were given")).Encode(m, path, cancellation);

    private float[] Target(string caption) =>
        (targets ?? throw new InvalidOperationException("this stage trains [AUD] answers but no projector targets were given")).For(caption);

    private void Add(List<M2UGenExample> list, string id, string instruction, string answer, MediaFeatures? media, float[]? target = null)
    {
        var tokens = prompt.Encode(instruction, answer);
        if (tokens is null) { Skipped++; return; }
        // a truncated [AUD] answer cannot train the projector: keep its text, drop the target
        if (target is not null && !HoldsAllAudTokens(tokens)) target = null;
        list.Add(new M2UGenExample(id, tokens, media, target));
    }

    private bool HoldsAllAudTokens(PromptTokens p)
    {
        var ids = audTokens.Select(t => prompt.Tokenizer.FindToken(t) ?? -1).ToArray();
        var start = Array.IndexOf(p.Tokens, ids[0], p.PromptLength);
        return start >= 0 && start + ids.Length <= p.Tokens.Length && p.Tokens.AsSpan(start, ids.Length).SequenceEqual(ids);
    }
}
