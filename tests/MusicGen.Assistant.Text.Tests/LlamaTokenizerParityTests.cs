using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// The LLaMA tokenizer against transformers 4.40's slow LlamaTokenizer as M2UGen uses it (m2ugen-tiny): added-token
/// cases, the prompts' input ids, the [AUD] ids and the decoded replies of both greedy generations.
/// </summary>
[Trait("Category", "Parity")]
public sealed class LlamaTokenizerParityTests
{
    public static TheoryData<int> Cases => M2UGenTokenizerFixture.CaseIndices();

    private static LlamaTokenizer Tokenizer => M2UGenTokenizerFixture.Tokenizer;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_without_special_tokens_gives_the_recorded_ids_and_pieces(int index)
    {
        var c = TokenizerFixture.M2UGenCases()[index];
        if (c.Text is null) return; // a decode-only case
        Assert.Equal(c.Ids, Tokenizer.Encode(c.Text, addSpecialTokens: false));
        if (c.Pieces is not null) Assert.Equal(c.Pieces, Tokenizer.Tokenize(c.Text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_gives_the_recorded_text(int index)
    {
        var c = TokenizerFixture.M2UGenCases()[index];
        Assert.Equal(c.Decoded, Tokenizer.Decode(c.Ids));
    }

    [Fact]
    public void Added_tokens_get_the_ids_after_the_base_vocabulary()
    {
        var added = TokenizerFixture.M2UGenAddedTokens();
        Assert.NotEmpty(added);
        Assert.Equal(TokenizerFixture.M2UGenIds("aud_token_ids"), added.Select(a => a.Id));
        Assert.Equal(Enumerable.Range(TokenizerFixture.VocabSize(TokenizerFixture.Llama), added.Count), added.Select(a => a.Id));
        foreach (var (id, token) in added) Assert.Equal(id, Tokenizer.FindToken(token));
        Assert.Equal(added.Select(a => a.Id), Tokenizer.AddedTokenIds);
        Assert.Equal(TokenizerFixture.VocabSize(TokenizerFixture.Llama) + added.Count, Tokenizer.VocabSize);
        // generate_music looks the embeddings up with tokenizer('[AUD0]...[AUD7]', add_special_tokens=False)
        Assert.Equal(TokenizerFixture.M2UGenIds("aud_token_ids"), Tokenizer.Encode(string.Concat(added.Select(a => a.Token)), addSpecialTokens: false));
    }

    [Theory]
    [InlineData("prompt_text_utf8", "prompt_input_ids")]
    [InlineData("gen_text_prompt_text_utf8", "gen_text_prompt_ids")]
    public void Prompt_encodes_to_bos_plus_the_recorded_ids(string text, string ids)
    {
        Assert.Equal(TokenizerFixture.M2UGenIds(ids), Tokenizer.Encode(TokenizerFixture.M2UGenUtf8(text)));
    }

    [Theory]
    [InlineData("gen_all_tokens", "prompt_input_ids", "gen_all_decoded_utf8")]
    [InlineData("gen_text_tokens", "gen_text_prompt_ids", "gen_text_decoded_utf8")]
    public void Generated_reply_cut_at_the_first_newline_decodes_to_the_recorded_text(string tokens, string prompt, string decoded)
    {
        var all = TokenizerFixture.M2UGenIds(tokens);
        int promptLength = TokenizerFixture.M2UGenIds(prompt).Length;
        Assert.Equal(TokenizerFixture.M2UGenIds(prompt), all.Take(promptLength));
        var reply = all.Skip(promptLength).ToArray();
        Assert.Contains(Tokenizer.NewlineId, reply); // the generation ends with the newline it is cut at
        Assert.Equal(TokenizerFixture.M2UGenUtf8(decoded), Tokenizer.DecodeUntilNewline(reply));
    }

    [Fact]
    public void Newline_id_is_the_byte_piece_of_a_line_feed()
    {
        Assert.Equal("<0x0A>", Tokenizer.IdToToken(Tokenizer.NewlineId));
        Assert.Equal("\n", Tokenizer.SentencePiece.Decode([Tokenizer.NewlineId]));
    }

    [Fact]
    public void Special_ids_come_from_the_sentencepiece_model()
    {
        var info = TokenizerCases.Model(TokenizerCases.Llama);
        Assert.Equal(info["bos_id"]!.GetValue<int>(), Tokenizer.BosId);
        Assert.Equal(info["eos_id"]!.GetValue<int>(), Tokenizer.EosId);
        Assert.Equal(info["unk_id"]!.GetValue<int>(), Tokenizer.UnkId);
        Assert.Equal(info["pad_id"]!.GetValue<int>(), Tokenizer.PadId);
        Assert.True(Tokenizer.AddBos);
        Assert.False(Tokenizer.AddEos);
    }
}
