namespace MusicGen.Assistant.Text;

/// <summary>
/// T5 text-encoder inputs as Hugging Face <c>T5Tokenizer(texts, padding=True)</c> builds them: each text's
/// sentencepiece ids followed by eos, right-padded with the pad id to the longest row, plus the attention mask.
/// With <c>maxLength</c> a row longer than that is cut to <c>maxLength - 1</c> ids before eos is appended
/// (HF <c>truncation=True, max_length=maxLength</c>); padding stays "longest".
/// </summary>
public sealed class T5TextEncoding
{
    private readonly SentencePieceTokenizer _tokenizer;

    public T5TextEncoding(SentencePieceTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.EosId < 0)
            throw new ArgumentException($"tokenizer {tokenizer.Source} has no eos CONTROL piece '{tokenizer.Model.TrainerSpec.EosPiece}'; T5 needs one", nameof(tokenizer));
        if (tokenizer.PadId < 0)
            throw new ArgumentException($"tokenizer {tokenizer.Source} has no pad CONTROL piece '{tokenizer.Model.TrainerSpec.PadPiece}'; T5 needs one", nameof(tokenizer));
        _tokenizer = tokenizer;
    }

    public SentencePieceTokenizer Tokenizer => _tokenizer;

    public TextBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("at least one text is required", nameof(texts));
        if (maxLength is < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must leave room for eos (>= 1)");

        var rows = new int[texts.Count][];
        for (int b = 0; b < texts.Count; b++)
        {
            string text = texts[b] ?? throw new ArgumentNullException(nameof(texts), $"text {b} is null");
            int[] ids = _tokenizer.Encode(text);
            int keep = maxLength is int max ? Math.Min(ids.Length, max - 1) : ids.Length;
            var row = new int[keep + 1];
            Array.Copy(ids, row, keep);
            row[keep] = _tokenizer.EosId;
            rows[b] = row;
        }

        int length = rows.Max(r => r.Length);
        var inputIds = new int[texts.Count * length];
        var mask = new int[texts.Count * length];
        for (int b = 0; b < rows.Length; b++)
        {
            var target = inputIds.AsSpan(b * length, length);
            target.Fill(_tokenizer.PadId);
            rows[b].CopyTo(target);
            mask.AsSpan(b * length, rows[b].Length).Fill(1);
        }
        return new TextBatch(texts.Count, length, inputIds, mask);
    }
}
