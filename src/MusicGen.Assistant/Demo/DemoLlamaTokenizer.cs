using MusicGen.Assistant.Text;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The embedded assistant's LLaMA tokenizer, built in code: a SentencePiece BPE model laid out like LLaMA's
/// (&lt;unk&gt; 0, &lt;s&gt; 1, &lt;/s&gt; 2, byte fallback &lt;0x00&gt;..&lt;0xFF&gt;, then normal pieces) with the printable ASCII
/// characters, "##", and the words of <see cref="DemoReply"/> as whole pieces (every prefix of "▁word" is a piece, so
/// BPE merges each word left to right), and [AUD0]..[AUD7] added after the base vocabulary as M2UGen adds them.
/// </summary>
public static class DemoLlamaTokenizer
{
    private const string Space = "\u2581";

    /// <summary>Every normal piece in id order (after the 3 specials and the 256 bytes).</summary>
    public static IReadOnlyList<string> NormalPieces()
    {
        var pieces = new List<string> { Space };
        for (var c = 33; c < 127; c++) pieces.Add(((char)c).ToString());
        pieces.Add("##");
        foreach (var word in DemoReply.Words)
            for (var n = 1; n <= word.Length; n++)
            {
                var prefix = Space + word[..n];
                if (!pieces.Contains(prefix)) pieces.Add(prefix);
            }
        return pieces;
    }

    public static SentencePieceModelProto Model()
    {
        var pieces = new List<VocabularyPiece>
        {
            new("<unk>", 0, PieceType.Unknown), new("<s>", 0, PieceType.Control), new("</s>", 0, PieceType.Control),
        };
        for (var b = 0; b < 256; b++) pieces.Add(new($"<0x{b:X2}>", 0, PieceType.Byte));
        var normal = NormalPieces();
        // BPE merges the pair with the highest score first; longer prefixes score higher, so words merge left to right
        for (var i = 0; i < normal.Count; i++) pieces.Add(new(normal[i], -1000 + normal[i].Length - i * 1e-3f, PieceType.Normal));
        var trainer = new TrainerSpec { ModelType = SentencePieceModelType.Bpe, VocabSize = pieces.Count, ByteFallback = true };
        var normalizer = new NormalizerSpec { Name = "identity", AddDummyPrefix = true, RemoveExtraWhitespaces = false, EscapeWhitespaces = true };
        return new SentencePieceModelProto(pieces, trainer, normalizer, DenormalizerSpec: null);
    }

    /// <summary>The tokenizer with the [AUD] tokens added (ids right after the base vocabulary).</summary>
    public static LlamaTokenizer Create() =>
        LlamaTokenizer.FromModel(Model(), "demo assistant LLaMA tokenizer", DemoReply.AudioTokens);
}
