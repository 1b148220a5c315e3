using System.Text;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The demo set's tokenizer, built in code: a sentencepiece unigram model with T5's specials (&lt;pad&gt; 0, &lt;/s&gt; 1,
/// &lt;unk&gt; 2), byte-fallback pieces &lt;0x00&gt;..&lt;0xFF&gt; (so any text encodes), the printable ASCII characters
/// and a few common music words. Written as a binary sentencepiece <c>.model</c> (protobuf ModelProto) so it loads
/// like any checkpoint's spiece.model.
/// </summary>
public static class DemoTokenizer
{
    private const string Space = "\u2581";

    private static readonly string[] Words =
    [
        "the", "and", "with", "a", "of", "in", "beat", "music", "song", "piano", "guitar", "drums", "bass", "synth",
        "warm", "soft", "slow", "fast", "hip", "hop", "lo", "fi", "jazz", "rock", "pop", "ambient", "electronic",
        "classical", "orchestra", "violin", "melody", "chill", "happy", "sad", "epic", "dance", "house", "techno",
        "acoustic", "vocal", "strings", "loop", "groove", "funk", "tempo", "bpm", "upbeat", "dark", "bright", "80s", "90s",
    ];

    /// <summary>(piece, score, sentencepiece type) in id order; type 1 normal, 2 unknown, 3 control, 6 byte.</summary>
    public static IReadOnlyList<(string Piece, float Score, int Type)> Pieces()
    {
        var pieces = new List<(string, float, int)> { ("<pad>", 0, 3), ("</s>", 0, 3), ("<unk>", 0, 2) };
        for (var b = 0; b < 256; b++) pieces.Add(($"<0x{b:X2}>", 0, 6));
        // whole words beat spelling them out; single characters beat byte fallback (bytes score 0 but are only
        // used for characters no piece covers, as in sentencepiece)
        foreach (var w in Words) pieces.Add((Space + w, -2f - 0.01f * w.Length, 1));
        pieces.Add((Space, -4f, 1));
        for (var c = 33; c < 127; c++) pieces.Add((((char)c).ToString(), -5f, 1));
        return pieces;
    }

    public static int VocabSize => Pieces().Count;

    /// <summary>The serialized ModelProto: pieces (field 1), trainer_spec (2), normalizer_spec (3).</summary>
    public static byte[] ModelProtoBytes()
    {
        var model = new ProtoBuffer();
        foreach (var (piece, score, type) in Pieces())
        {
            var p = new ProtoBuffer();
            p.String(1, piece);
            p.Float(2, score);
            p.Varint(3, type);
            model.Message(1, p);
        }
        var trainer = new ProtoBuffer();
        trainer.Varint(3, 1); // unigram
        trainer.Varint(4, VocabSize);
        trainer.Varint(35, 1); // byte_fallback
        trainer.Varint(40, 2);
        trainer.Varint(41, -1);
        trainer.Varint(42, 1);
        trainer.Varint(43, 0);
        trainer.String(45, "<unk>");
        trainer.String(46, "<s>");
        trainer.String(47, "</s>");
        trainer.String(48, "<pad>");
        model.Message(2, trainer);
        var normalizer = new ProtoBuffer();
        normalizer.String(1, "identity");
        normalizer.Varint(3, 1); // add_dummy_prefix
        normalizer.Varint(4, 1); // remove_extra_whitespaces
        normalizer.Varint(5, 1); // escape_whitespaces
        model.Message(3, normalizer);
        return model.ToArray();
    }

    /// <summary>Just enough of the protobuf wire format for the fields above.</summary>
    private sealed class ProtoBuffer
    {
        private readonly MemoryStream _bytes = new();

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            Raw(unchecked((ulong)value));
        }

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BitConverter.TryWriteBytes(b, value);
            if (!BitConverter.IsLittleEndian) b.Reverse();
            _bytes.Write(b);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoBuffer message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Bytes(int field, byte[] data)
        {
            Tag(field, 2);
            Raw((ulong)data.Length);
            _bytes.Write(data);
        }

        private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _bytes.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _bytes.WriteByte((byte)v);
        }
    }
}
