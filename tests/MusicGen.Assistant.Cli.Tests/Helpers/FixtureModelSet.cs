using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Helpers;

/// <summary>A model set over the converted musicgen-tiny fixture (one GGUF for all three parts) and the fixture T5 tokenizer.</summary>
public static class FixtureModelSet
{
    public static string TokenizerPath => FixturePaths.Get("tokenizers", "t5-unigram.model");

    /// <summary>The EnCodec of a fixture set, from its config.json: sampling rate, hop and frame rate the CLI reports.</summary>
    public static Models.Encodec.EncodecConfig Codec(FixtureSet set) =>
        Models.Encodec.EncodecConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath);

    /// <summary>Seconds as the CLI's --duration takes them: <paramref name="frames"/> code frames at the codec's frame rate.</summary>
    public static string Seconds(FixtureSet set, long frames) =>
        (frames / (double)Codec(set).FrameRate).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

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
