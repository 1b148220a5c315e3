using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.ModelSets;

/// <summary>
/// A MusicGen model set loaded onto its own backend: tokenizer, text conditioning, decoder and codec (and, for
/// MusicGen-Melody, the chroma projection and extractor). Each file is checked for what it must hold first, so a GGUF
/// without a decoder fails with one line naming the file. Load it once and run many jobs on it.
/// Thread safety: jobs on one loaded set run one at a time; each job takes the set's gate for its whole run (a second
/// caller waits, cancellably). The members are for those jobs; code that uses them directly must not run beside a job.
/// Disposing frees every weight and the backend; do not dispose while a job runs.
/// </summary>
public sealed class MusicGenModelSet : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly JobGate _gate = new();

    private MusicGenModelSet(ModelSetManifest manifest) => Manifest = manifest;

    public ModelSetManifest Manifest { get; }
    public T5TextEncoding Text { get; private set; } = null!;
    public TextConditioning Conditioning { get; private set; } = null!;
    public MusicGenDecoder Decoder { get; private set; } = null!;
    public EncodecCodec Codec { get; private set; } = null!;
    public ComputeBackend Backend { get; private set; } = null!;

    /// <summary>MusicGen-Melody only: the chroma projection building the [chroma | text] prefix, and the chroma extractor.</summary>
    public MelodyConditioning? Melody { get; private set; }
    public ChromaExtractor? Chroma { get; private set; }

    public MusicGenDecoderConfig Config => Decoder.Config;

    /// <summary>Codec frames per second (50 for EnCodec 32 kHz).</summary>
    public double FrameRate => Codec.Config.SamplingRate / (double)Codec.Config.HopLength;

    public int SampleRate => Codec.Config.SamplingRate;

    /// <summary>The attention cache type for every generation on this set, and the assistant's replies (<see cref="ComputeOptions.KvCache"/>).</summary>
    public GgmlType KvCache { get; private set; } = GgmlType.F32;

    public static MusicGenModelSet Load(ModelSetManifest manifest, ComputeOptions compute) => AssistantException.Guard(() =>
    {
        Require(manifest.DecoderPath, "decoder", "musicgen.", "MusicGen decoder (no musicgen.* tensors)");
        Require(manifest.TextEncoderPath, "text encoder", "t5.", "T5 text encoder (no t5.* tensors)");
        Require(manifest.CodecPath, "codec", "encodec.", "EnCodec (no encodec.* tensors)");
        var tokenizer = Models.Tokenizers.TokenizerFiles.LoadSentencePiece(manifest.TokenizerPath); // embedded in a GGUF or a file
        var set = new MusicGenModelSet(manifest);
        try
        {
            set.Backend = compute.CreateBackend();
            set.KvCache = compute.KvCache;
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
                set.Chroma = new ChromaExtractor();
            }
            set.Codec = EncodecCodec.Load(manifest.CodecPath, set.Backend);
            set._owned.Insert(0, set.Codec);
            if (tokenizer.VocabSize > set.Conditioning.Encoder.Config.VocabSize)
                throw AssistantException.ModelSet($"the tokenizer '{manifest.TokenizerPath}' has {tokenizer.VocabSize} pieces but the text encoder '{manifest.TextEncoderPath}' embeds only {set.Conditioning.Encoder.Config.VocabSize}; they do not belong together");
            if (set.Codec.Config.CodebookSize != set.Config.VocabSize || set.Codec.Config.AudioChannels != 1)
                throw AssistantException.ModelSet($"the codec '{manifest.CodecPath}' ({set.Codec.Config.AudioChannels} channel(s), codebooks of {set.Codec.Config.CodebookSize}) does not fit the decoder '{manifest.DecoderPath}' (mono EnCodec with codebooks of {set.Config.VocabSize} needed)");
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    });

    /// <summary>Whether the decoder of <paramref name="manifest"/> is a MusicGen-Melody one, read from its metadata without loading it.</summary>
    public static bool IsMelodySet(ModelSetManifest manifest) => AssistantException.Guard(() =>
    {
        using var file = GgufFile.Open(manifest.DecoderPath);
        return MusicGenDecoderMetadata.IsPresent(file.Metadata) && MusicGenDecoderMetadata.Read(file.Metadata).IsMelody;
    });

    internal IDisposable EnterJob(CancellationToken cancellation) => _gate.Enter(cancellation);

    // A GGUF of the wrong kind fails here with the file and the missing part, before anything is loaded.
    private static void Require(string path, string role, string tensorPrefix, string what)
    {
        using var file = GgufFile.Open(path);
        if (!file.Tensors.Any(t => t.Name.StartsWith(tensorPrefix, StringComparison.Ordinal)))
            throw AssistantException.ModelSet($"the {role} file '{path}' holds no {what}; is it the right model?");
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
