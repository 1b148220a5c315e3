using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native.Files;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Fuzzing;

/// <summary>
/// Every reader of a user-given path refuses a FIFO, a character device and a directory at once with a message
/// naming the path and what it is (opening a FIFO for reading blocks until a writer comes; /dev/zero never ends).
/// </summary>
public sealed class NonRegularInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mga-nonregular-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Readers =>
    [
        "gguf", "safetensors", "pth", "codes", "wav", "media", "config.json", "preprocessor", "chroma", "manifest", "model", "convert",
    ];

    private static void Read(string reader, string path)
    {
        switch (reader)
        {
            case "gguf": GgufFile.Open(path).Dispose(); break;
            case "safetensors": SafetensorsFile.Open(path).Dispose(); break;
            case "pth": PyTorchCheckpoint.Open(path).Dispose(); break;
            case "codes": AudioCodesReader.Open(path).Dispose(); break;
            case "wav": WavReader.Read(path); break;
            case "media": AudioDecoder.Open(path, AudioDecodeOptions.For(32000, 1)).Dispose(); break;
            case "config.json": HfConfigJson.ReadFile(path); break;
            case "preprocessor": ViTImageProcessor.FromPreprocessorConfig(path); break;
            case "chroma": ChromaConfig.FromFile(path); break;
            case "manifest": ModelSetManifestFile.Read(path); break;
            case "model": ModelSetLocator.Resolve(path); break;
            case "convert":
                // a checkpoint folder whose config.json is the non-regular file
                var folder = Path.Combine(Path.GetTempPath(), "mga-convert-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(folder);
                try
                {
                    File.CreateSymbolicLink(Path.Combine(folder, "config.json"), path);
                    CheckpointConversion.Detect(folder, null!);
                }
                finally { Directory.Delete(folder, recursive: true); }
                break;
        }
    }

    // "convert" names the config.json link the folder holds, the others the path they were given
    private static string Named(string reader, string path) => reader == "convert" ? "config.json" : path;

    private static void AssertNamed(Exception e, string named, string what)
    {
        Assert.True(e is IOException or ModelConfigException or FormatException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(named, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_fifo_is_refused_without_blocking(string reader)
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_folder, "input"));
        AssertNamed(SpecialFiles.Refusal(() => Read(reader, fifo)), Named(reader, fifo), "FIFO");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_character_device_is_refused_without_reading_it(string reader) =>
        AssertNamed(SpecialFiles.Refusal(() => Read(reader, SpecialFiles.Zero)), Named(reader, SpecialFiles.Zero), "character device");

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_directory_is_refused(string reader)
    {
        var e = SpecialFiles.Refusal(() => Read(reader, _folder));
        Assert.True(e is IOException or ModelConfigException or FormatException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(Named(reader, Path.GetFileName(_folder)), e.Message);
    }

    [Fact]
    public void The_shared_check_names_each_kind()
    {
        Assert.Equal(FileKind.Fifo, InputFile.KindOf(SpecialFiles.Fifo(Path.Combine(_folder, "p"))));
        Assert.Equal(FileKind.CharacterDevice, InputFile.KindOf(SpecialFiles.Zero));
        Assert.Equal(FileKind.Directory, InputFile.KindOf(_folder));
        Assert.Equal(FileKind.Missing, InputFile.KindOf(Path.Combine(_folder, "none")));
        var file = Path.Combine(_folder, "f.txt");
        File.WriteAllText(file, "x");
        Assert.Equal(FileKind.Regular, InputFile.KindOf(file));
        var link = Path.Combine(_folder, "link");
        File.CreateSymbolicLink(link, file);
        Assert.Equal(Path.GetFullPath(link), InputFile.RequireRegular(link)); // the link's target is what is checked
        var fifoLink = Path.Combine(_folder, "fifo-link");
        File.CreateSymbolicLink(fifoLink, Path.Combine(_folder, "p"));
        Assert.Throws<InputFileException>(() => InputFile.RequireRegular(fifoLink));
    }
}
