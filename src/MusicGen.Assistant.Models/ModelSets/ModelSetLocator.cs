using System.Text;
using MusicGen.Assistant.Models.Tokenizers;

namespace MusicGen.Assistant.Models.ModelSets;

/// <summary>
/// Turns what a user names as "the model" into a <see cref="ModelSetManifest"/>: a manifest file, a folder holding
/// <see cref="ModelSetManifest.FileName"/>, or one converted MusicGen GGUF (text encoder, decoder and codec in one
/// file; its tokenizer is the one embedded in it, else a tokenizer file next to it). Every file of the set must exist;
/// errors name the missing one.
/// </summary>
public static class ModelSetLocator
{
    /// <summary>Tokenizer files looked for next to a lone GGUF, in order.</summary>
    public static IReadOnlyList<string> TokenizerNames { get; } = ["spiece.model", "tokenizer.model", "tokenizer.json"];

    public static ModelSetManifest Resolve(string model)
    {
        var full = Path.GetFullPath(model);
        if (Directory.Exists(full))
        {
            var manifest = Path.Combine(full, ModelSetManifest.FileName);
            if (!File.Exists(manifest))
                throw new FileNotFoundException($"model folder '{model}' holds no {ModelSetManifest.FileName}; give the manifest, the folder holding it, or a converted .gguf", manifest);
            return Checked(ModelSetManifestFile.Read(manifest));
        }
        if (!File.Exists(full)) throw new FileNotFoundException($"model '{model}' does not exist", full);
        Native.Files.InputFile.RequireRegular(full, "model");
        return Sniff(full) switch
        {
            FileKind.Json => Checked(ModelSetManifestFile.Read(full)),
            FileKind.Gguf => FromGguf(full, model),
            FileKind.Riff => throw new ModelConfigException($"model '{model}' is a RIFF/WAV audio file, not a model; give a {ModelSetManifest.FileName}, its folder, or a converted MusicGen .gguf"),
            _ => throw new ModelConfigException($"model '{model}' is neither a model set manifest (JSON) nor a GGUF file"),
        };
    }

    private static ModelSetManifest FromGguf(string full, string given)
    {
        // a tokenizer embedded in the GGUF (llama.cpp's tokenizer.ggml.* metadata) is preferred; else a file beside it
        var folder = Path.GetDirectoryName(full)!;
        var tokenizer = TokenizerFiles.HasEmbeddedTokenizer(full)
            ? full
            : TokenizerNames.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists)
              ?? throw new FileNotFoundException(
                  $"'{given}' carries no tokenizer (no tokenizer.ggml.* metadata) and there is no tokenizer next to it: looked for {string.Join(", ", TokenizerNames)} in '{folder}'; convert the checkpoint folder with its spiece.model, copy the spiece.model there, or write a {ModelSetManifest.FileName}",
                  Path.Combine(folder, TokenizerNames[0]));
        return new ModelSetManifest
        {
            Name = Path.GetFileNameWithoutExtension(full),
            TextEncoderPath = full, DecoderPath = full, CodecPath = full, TokenizerPath = tokenizer,
            Source = full,
        };
    }

    private static ModelSetManifest Checked(ModelSetManifest m)
    {
        foreach (var (field, path) in new[]
                 {
                     ("text_encoder", m.TextEncoderPath), ("decoder", m.DecoderPath), ("codec", m.CodecPath), ("tokenizer", m.TokenizerPath),
                 }.Concat(m.Assistant?.Files() ?? []))
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{m.Source}: the {field} file '{path}' does not exist", path);
            Native.Files.InputFile.RequireRegular(path, $"{m.Source}: the {field} file");
        }
        return m;
    }

    private enum FileKind { Other, Json, Gguf, Riff }

    private static FileKind Sniff(string path)
    {
        var head = new byte[64];
        int n;
        using (var stream = File.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var text = Encoding.UTF8.GetString(head, 0, n);
        if (text.StartsWith("GGUF", StringComparison.Ordinal)) return FileKind.Gguf;
        if (text.StartsWith("RIFF", StringComparison.Ordinal) || text.StartsWith("RF64", StringComparison.Ordinal)) return FileKind.Riff;
        return text.TrimStart(' ', '\t', '\r', '\n', '\uFEFF').StartsWith('{') ? FileKind.Json : FileKind.Other;
    }
}
