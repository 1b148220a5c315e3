using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>
/// A model set loaded onto the session's backend: tokenizer, text conditioning, decoder and codec. Each file is
/// checked for what it must hold first, so a GGUF without a decoder fails with one line naming the file.
/// </summary>
internal sealed class LoadedModelSet : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private LoadedModelSet(ModelSetManifest manifest) => Manifest = manifest;

    public ModelSetManifest Manifest { get; }
    public T5TextEncoding Text { get; private set; } = null!;
    public TextConditioning Conditioning { get; private set; } = null!;
    public MusicGenDecoder Decoder { get; private set; } = null!;
    public EncodecCodec Codec { get; private set; } = null!;
    public MusicGen.Assistant.Native.ComputeBackend Backend { get; private set; } = null!;

    /// <summary>MusicGen-Melody only: the chroma projection building the [chroma | text] prefix, and the chroma extractor.</summary>
    public MelodyConditioning? Melody { get; private set; }
    public MusicGen.Assistant.Audio.Chroma.ChromaExtractor? Chroma { get; private set; }

    public MusicGenDecoderConfig Config => Decoder.Config;

    /// <summary>Codec frames per second (50 for EnCodec 32 kHz).</summary>
    public double FrameRate => Codec.Config.SamplingRate / (double)Codec.Config.HopLength;

    public static LoadedModelSet Load(CliSession session, ModelSetManifest manifest)
    {
        Require(manifest.DecoderPath, "decoder", "musicgen.", "MusicGen decoder (no musicgen.* tensors)");
        Require(manifest.TextEncoderPath, "text encoder", "t5.", "T5 text encoder (no t5.* tensors)");
        Require(manifest.CodecPath, "codec", "encodec.", "EnCodec (no encodec.* tensors)");
        var tokenizer = Models.Tokenizers.TokenizerFiles.LoadSentencePiece(manifest.TokenizerPath); // embedded in a GGUF or a file
        var set = new LoadedModelSet(manifest);
        try
        {
            set.Backend = session.CreateBackend();
            set._owned.Add(set.Backend);
            set.Text = new T5TextEncoding(tokenizer);
            set.Decoder = MusicGenDecoder.Load(manifest.DecoderPath, set.Backend);
            set._owned.Insert(0, set.Decoder);
            set.Conditioning = TextConditioning.Load(manifest.TextEncoderPath, set.Backend, set.Decoder.Config.HiddenSize);
            set._owned.Insert(0, set.Conditioning);
            if (set.Decoder.Config.IsMelody)
            {
                // the chroma projection travels with the decoder; the extractor keeps transformers' defaults (32 kHz, n_fft 16384)
                set.Melody = MelodyConditioning.Load(manifest.DecoderPath);
                set.Chroma = new MusicGen.Assistant.Audio.Chroma.ChromaExtractor();
            }
            set.Codec = EncodecCodec.Load(manifest.CodecPath, set.Backend);
            set._owned.Insert(0, set.Codec);
            if (tokenizer.VocabSize > set.Conditioning.Encoder.Config.VocabSize)
                throw new CliException($"the tokenizer '{manifest.TokenizerPath}' has {tokenizer.VocabSize} pieces but the text encoder '{manifest.TextEncoderPath}' embeds only {set.Conditioning.Encoder.Config.VocabSize}; they do not belong together");
            if (set.Codec.Config.CodebookSize != set.Config.VocabSize || set.Codec.Config.AudioChannels != 1)
                throw new CliException($"the codec '{manifest.CodecPath}' ({set.Codec.Config.AudioChannels} channel(s), codebooks of {set.Codec.Config.CodebookSize}) does not fit the decoder '{manifest.DecoderPath}' (mono EnCodec with codebooks of {set.Config.VocabSize} needed)");
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    // A GGUF of the wrong kind fails here with the file and the missing part, before anything is loaded.
    private static void Require(string path, string role, string tensorPrefix, string what)
    {
        using var file = GgufFile.Open(path);
        if (!file.Tensors.Any(t => t.Name.StartsWith(tensorPrefix, StringComparison.Ordinal)))
            throw new CliException($"the {role} file '{path}' holds no {what}; is it the right model?");
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
