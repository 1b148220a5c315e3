using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>M2UGen's tokenizer built as the m2ugen-tiny fixture describes it: llama-bpe.model plus its added tokens.</summary>
public static class M2UGenTokenizerFixture
{
    private static readonly Lazy<LlamaTokenizer> LazyTokenizer = new(() =>
        LlamaTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.Llama), TokenizerFixture.M2UGenAddedTokens().Select(t => t.Token)));

    public static LlamaTokenizer Tokenizer => LazyTokenizer.Value;

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < TokenizerFixture.M2UGenCases().Count; i++) data.Add(i);
        return data;
    }
}
