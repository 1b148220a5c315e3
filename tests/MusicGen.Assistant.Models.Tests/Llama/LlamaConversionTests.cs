using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>`mga convert` of a Hugging Face llama folder: recognised by model_type, tokenizer carried along when the folder has one.</summary>
public class LlamaConversionTests
{
    [Fact]
    public void A_llama_folder_with_its_tokenizer_converts_to_one_file_that_runs_and_decodes()
    {
        var set = First();
        var dir = Directory.CreateTempSubdirectory("mga-llama-folder-").FullName;
        foreach (var f in Directory.GetFiles(set.Directory)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        File.Copy(TokenizerFixture.ModelPath(TokenizerFixture.Llama), Path.Combine(dir, HfLlamaTokenizerFolder.ModelFile));
        var output = Path.Combine(dir, "out.gguf");
        var (result, detected) = CheckpointConversion.Convert(dir, output, StorageType.F32);
        Assert.Equal("llama", detected.ModelType);
        Assert.IsType<LlamaCheckpointPlan>(detected.Plans.Single());

        using var file = GgufFile.Open(result.Path);
        var tokenizer = new LlamaTokenizerTextDecoder(GgufTokenizer.LoadLlama(file.Metadata));
        Assert.Equal(LlamaMetadata.Read(file).VocabSize, file.Metadata.GetStringArray(LlamaKeys.TokenizerTokens).Count);
        var ids = Ints(set.Vector("input_ids"));
        using var backend = Cpu();
        using var model = LlamaModel.Load(file, backend);
        ToleranceAssert.Matches(set.Vector("logits"), D(model.Forward(ids).Logits!));
        // the embedded vocabulary decodes what the model reads: the prompt's text round-trips through it
        var text = tokenizer.Decode(ids[1..]);
        Assert.Equal(ids[1..], tokenizer.Tokenizer.Encode(text, addSpecialTokens: false));
    }
}
