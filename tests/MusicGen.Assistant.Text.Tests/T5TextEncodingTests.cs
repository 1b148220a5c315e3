using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Text.Tests;

public sealed class T5TextEncodingTests
{
    // the prompts the fixture's input ids were made from, as its vectors.json lists them
    private static ReferenceVector InputIds => FixtureSet.ByName("musicgen-tiny").Vector("text_input_ids");

    private static string[] Prompts => [.. InputIds.ListedTexts()];

    private static T5TextEncoding Encoding => new(TokenizerCases.Tokenizer(TokenizerCases.T5));

    [Fact]
    [Trait("Category", "Parity")]
    public void Batch_matches_the_musicgen_fixture_inputs()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        var batch = Encoding.EncodeBatch(Prompts);
        Assert.Equal(InputIds.Shape, new long[] { batch.BatchSize, batch.Length });
        Assert.Equal(InputIds.Values().Select(v => (int)v), batch.InputIds);
        Assert.Equal(set.Vector("text_attention_mask").Values().Select(v => (int)v), batch.AttentionMask);
    }

    [Fact]
    public void Rows_are_ids_then_eos_then_padding()
    {
        var tokenizer = TokenizerCases.Tokenizer(TokenizerCases.T5);
        var batch = Encoding.EncodeBatch(["a", "", "hello world"]);
        int[] hello = tokenizer.Encode("hello world");
        Assert.Equal(hello.Length + 1, batch.Length);
        Assert.Equal([.. tokenizer.Encode("a"), 1, .. Enumerable.Repeat(0, batch.Length - 2)], batch.Ids(0).ToArray());
        Assert.Equal([1, .. Enumerable.Repeat(0, batch.Length - 1)], batch.Ids(1).ToArray());
        Assert.Equal([.. hello, 1], batch.Ids(2).ToArray());
        Assert.Equal([1, 1, .. Enumerable.Repeat(0, batch.Length - 2)], batch.Mask(0).ToArray());
        Assert.Equal(Enumerable.Repeat(1, batch.Length), batch.Mask(2).ToArray());
    }

    [Fact]
    public void Max_length_truncates_before_eos()
    {
        // the longest prompt is cut; every prompt has at least 4 pieces
        var longest = Prompts.MaxBy(p => TokenizerCases.Tokenizer(TokenizerCases.T5).Encode(p).Length)!;
        var batch = Encoding.EncodeBatch([Prompts[0], longest], maxLength: 5);
        int[] full = TokenizerCases.Tokenizer(TokenizerCases.T5).Encode(longest);
        Assert.True(full.Length >= 4, $"the fixture prompt '{longest}' is too short for this test");
        Assert.Equal(5, batch.Length);
        Assert.Equal([.. full[..4], 1], batch.Ids(1).ToArray());
        var first = Math.Min(TokenizerCases.Tokenizer(TokenizerCases.T5).Encode(Prompts[0]).Length + 1, 5);
        Assert.Equal([.. Enumerable.Repeat(1, first), .. Enumerable.Repeat(0, 5 - first)], batch.Mask(0).ToArray());
        // A limit above the longest row leaves padding to the longest row.
        Assert.Equal(InputIds.Shape[1], Encoding.EncodeBatch(Prompts, maxLength: 1000).Length);
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Encoding.EncodeBatch([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoding.EncodeBatch(Prompts, maxLength: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoding.EncodeBatch(Prompts).Ids(2));
        // The LLaMA tokenizer has no pad piece, so it cannot make T5 batches.
        var e = Assert.Throws<ArgumentException>(() => new T5TextEncoding(TokenizerCases.Tokenizer(TokenizerCases.Llama)));
        Assert.Contains("<pad>", e.Message);
    }
}
