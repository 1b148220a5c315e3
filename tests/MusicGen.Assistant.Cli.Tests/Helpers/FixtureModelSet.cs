using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Helpers;

/// <summary>A model set over the converted musicgen-tiny fixture (one GGUF for all three parts) and the fixture T5 tokenizer.</summary>
public static class FixtureModelSet
{
    public static string TokenizerPath => FixturePaths.Get("tokenizers", "t5-unigram.model");

    /// <summary>Writes musicgen.modelset.json into <paramref name="folder"/> and returns its path.</summary>
    public static string WriteManifest(string folder, GenerationDefaults? defaults = null)
    {
        var gguf = ConvertedFixtures.TinyModel;
        var path = Path.Combine(folder, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, new ModelSetManifest
        {
            Name = "musicgen-tiny fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf, TokenizerPath = TokenizerPath,
            Defaults = defaults ?? new GenerationDefaults(),
        });
        return path;
    }
}
