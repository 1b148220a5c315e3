using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Text.Tests.Fuzzing;

/// <summary>
/// Damaged sentencepiece models (the fixture set's .model files with bits flipped, lengths and counts rewritten, cut
/// short) and damaged tokenizer.json files: each must load and encode, or be refused with a
/// <see cref="TokenizerFormatException"/> naming the file, with bounded memory and no hang.
/// </summary>
public sealed class TokenizerCorpusTests(ITestOutputHelper output)
{
    private static void LoadAndEncode(string path)
    {
        var tokenizer = SentencePieceTokenizer.Load(path);
        tokenizer.Decode(tokenizer.Encode("lo-fi hip hop beat, 120 bpm ÄÖ 音楽"));
    }

    public static IEnumerable<object[]> Models() =>
        Directory.GetFiles(FixturePaths.Get("tokenizers"), "*.model").Order(StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    [Theory]
    [MemberData(nameof(Models))]
    public void Damaged_sentencepiece_models_are_loaded_or_refused_by_name(string model)
    {
        var bytes = File.ReadAllBytes(FixturePaths.Get("tokenizers", model));
        var tally = new FuzzCorpus { Format = model, Read = LoadAndEncode, Typed = [typeof(TokenizerFormatException)] }
            .AssertHolds(ByteMutations.Mutate(bytes, "spiece.model", model.Length * 31, 120));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Refused > 0, tally.ToString());
    }

    [Fact]
    public void Damaged_tokenizer_json_files_are_loaded_or_refused_by_name()
    {
        // the T5 tokenizer.json the parity tests build from the fixture's t5-unigram.model
        var json = TokenizerJsonTests.T5Json("strip-replace").ToJsonString();
        var seed = Path.Combine(Path.GetTempPath(), $"mga-tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(seed, json);
        try { LoadAndEncode(seed); } finally { File.Delete(seed); }
        var tally = new FuzzCorpus { Format = "tokenizer.json", Read = LoadAndEncode, Typed = [typeof(TokenizerFormatException)] }
            .AssertHolds(JsonMutations.Mutate(json, "tokenizer.json", 91, 80).Concat(JsonMutations.Sweep(json, "tokenizer.json", 60)));
        output.WriteLine(tally.ToString());
        Assert.True(tally.Read > 0 && tally.Refused > 0, tally.ToString());
    }
}

/// <summary>A tokenizer path naming a FIFO or a device is refused at once, not opened.</summary>
public sealed class TokenizerNonRegularInputTests
{
    [Fact]
    public void A_fifo_or_device_given_as_tokenizer_is_refused_without_blocking()
    {
        var folder = Directory.CreateTempSubdirectory("mga-tokenizer-fifo-").FullName;
        try
        {
            var fifo = SpecialFiles.Fifo(Path.Combine(folder, "spiece.model"));
            foreach (var path in new[] { fifo, SpecialFiles.Zero })
            {
                var e = SpecialFiles.Refusal(() => SentencePieceTokenizer.Load(path));
                Assert.IsAssignableFrom<IOException>(e);
                Assert.Contains(path, e.Message);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
