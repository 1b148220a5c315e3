using System.Text.Json;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// Settings of the MusicGen-Melody chroma extractor, as Hugging Face's MusicgenMelodyFeatureExtractor saves them in
/// preprocessor_config.json (the defaults equal audiocraft's ChromaExtractor: 32 kHz, n_fft 2^14, hop n_fft/4).
/// </summary>
/// <param name="NumChroma">Pitch classes per frame (<c>feature_size</c>; 12).</param>
/// <param name="SamplingRate">The rate the extractor works at (<c>sampling_rate</c>); other rates are resampled.</param>
/// <param name="NFft">FFT size and Hann window length (<c>n_fft</c>); even.</param>
/// <param name="HopLength">Samples between frame centres (<c>hop_length</c>).</param>
/// <param name="ChunkLength">Seconds of audio kept (<c>chunk_length</c>); longer input is truncated, as HF does.</param>
/// <param name="PaddingValue">Value that pads the shorter waveforms of a batch (<c>padding_value</c>).</param>
/// <param name="PadLeft">Whether batch padding goes before the samples (<c>padding_side</c> "left") or after.</param>
public sealed record ChromaConfig(
    int NumChroma, int SamplingRate, int NFft, int HopLength, int ChunkLength, float PaddingValue = 0f, bool PadLeft = false)
{
    /// <summary>The value of <c>feature_extractor_type</c> this reader understands.</summary>
    public const string FeatureExtractorType = "MusicgenMelodyFeatureExtractor";

    /// <summary>MusicgenMelodyFeatureExtractor() defaults: 12 chroma, 32 kHz, n_fft 16384, hop 4096, 30 s.</summary>
    public static ChromaConfig Default { get; } = new(12, 32000, 16384, 4096, 30);

    /// <summary>One-sided spectrum bins per frame: n_fft / 2 + 1.</summary>
    public int FrequencyBins => NFft / 2 + 1;

    /// <summary>Samples kept at most (chunk_length · sampling_rate; HF's <c>n_samples</c>).</summary>
    public int MaxSamples => ChunkLength * SamplingRate;

    /// <summary>Reads a preprocessor_config.json; errors name the file and the field.</summary>
    public static ChromaConfig FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Chroma feature-extractor config '{path}' does not exist.", path);
        string json;
        try { json = InputFile.ReadAllText(path, "preprocessor_config.json", MaxConfigBytes); }
        catch (Exception e) when (e is InvalidDataException or InputFileException)
        {
            throw new ChromaConfigException(path, "(file)", e.Message);
        }
        return FromJson(json, path);
    }

    /// <summary>
    /// Parses the JSON text of a preprocessor config. <c>feature_size</c>, <c>sampling_rate</c>, <c>n_fft</c>,
    /// <c>hop_length</c> and <c>chunk_length</c> are required; <c>num_chroma</c> and <c>n_samples</c>, when present,
    /// must agree with them; <c>padding_value</c> defaults to 0 and <c>padding_side</c> to "right".
    /// <c>stem_indices</c> is ignored: demucs outputs are not an input here.
    /// </summary>
    public static ChromaConfig FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                   ?? throw new ChromaConfigException(source, "(root)", "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ChromaConfigException(source, "(root)", $"is not valid JSON: {e.Message}");
        }

        string? type = OptionalString(root, "feature_extractor_type", source);
        if (type is not null && type != FeatureExtractorType)
            throw new ChromaConfigException(source, "feature_extractor_type", $"is '{type}', expected '{FeatureExtractorType}'");

        int numChroma = RequiredInt(root, "feature_size", source);
        if (root["num_chroma"] is not null && RequiredInt(root, "num_chroma", source) != numChroma)
            throw new ChromaConfigException(source, "num_chroma",
                $"is {RequiredInt(root, "num_chroma", source)} but feature_size is {numChroma}; the one-hot width must equal the chroma count");

        string side = OptionalString(root, "padding_side", source) ?? "right";
        if (side is not ("right" or "left"))
            throw new ChromaConfigException(source, "padding_side", $"is '{side}', expected 'right' or 'left'");

        var config = new ChromaConfig(
            numChroma,
            RequiredInt(root, "sampling_rate", source),
            RequiredInt(root, "n_fft", source),
            RequiredInt(root, "hop_length", source),
            RequiredInt(root, "chunk_length", source),
            root["padding_value"] is null ? 0f : (float)RequiredDouble(root, "padding_value", source),
            side == "left");
        config.Validate(source);

        // HF recomputes n_samples from chunk_length · sampling_rate; a saved value that disagrees means a hand edit.
        if (root["n_samples"] is not null)
        {
            long saved = RequiredLong(root, "n_samples", source);
            if (saved != config.MaxSamples)
                throw new ChromaConfigException(source, "n_samples",
                    $"is {saved} but chunk_length {config.ChunkLength} × sampling_rate {config.SamplingRate} = {config.MaxSamples}");
        }
        return config;
    }

    /// <summary>A preprocessor_config.json is a few hundred bytes; anything past this is not one.</summary>
    public const long MaxConfigBytes = 16L << 20;

    /// <summary>The largest settings accepted (MusicGen-Melody: 12 chroma, 32 kHz, n_fft 16384, 30 s chunks).</summary>
    public const int MaxNumChroma = 1024, MaxSamplingRate = 384_000, MaxNFft = 1 << 20, MaxChunkSeconds = 3600;

    /// <summary>Throws <see cref="ChromaConfigException"/> naming the first out-of-range setting.</summary>
    public void Validate(string source = "chroma config")
    {
        if (NumChroma <= 0 || NumChroma > MaxNumChroma)
            throw new ChromaConfigException(source, "feature_size", $"is {NumChroma}, expected a positive chroma count (at most {MaxNumChroma})");
        if (SamplingRate <= 0 || SamplingRate > MaxSamplingRate)
            throw new ChromaConfigException(source, "sampling_rate", $"is {SamplingRate}, expected a positive rate in Hz (at most {MaxSamplingRate})");
        if (NFft < 2 || NFft % 2 != 0 || NFft > MaxNFft)
            throw new ChromaConfigException(source, "n_fft", $"is {NFft}, expected an even FFT size in 2..{MaxNFft}");
        if (HopLength <= 0 || HopLength > NFft)
            throw new ChromaConfigException(source, "hop_length", $"is {HopLength}, expected 1..n_fft ({NFft})");
        if (ChunkLength <= 0 || ChunkLength > MaxChunkSeconds)
            throw new ChromaConfigException(source, "chunk_length", $"is {ChunkLength}, expected a positive number of seconds (at most {MaxChunkSeconds})");
        if (!float.IsFinite(PaddingValue))
            throw new ChromaConfigException(source, "padding_value", $"is {PaddingValue}, expected a finite number");
    }

    private static int RequiredInt(JsonObject o, string key, string source)
    {
        long value = RequiredLong(o, key, source);
        if (value is < int.MinValue or > int.MaxValue)
            throw new ChromaConfigException(source, key, $"is {value}, which does not fit a 32-bit integer");
        return (int)value;
    }

    private static long RequiredLong(JsonObject o, string key, string source) => o[key] switch
    {
        null => throw new ChromaConfigException(source, key, "is missing"),
        JsonValue v when v.TryGetValue<long>(out long i) => i,
        var other => throw new ChromaConfigException(source, key, $"should be an integer, found {other.ToJsonString()}"),
    };

    private static double RequiredDouble(JsonObject o, string key, string source) => o[key] switch
    {
        null => throw new ChromaConfigException(source, key, "is missing"),
        JsonValue v when v.TryGetValue<double>(out double x) => x,
        var other => throw new ChromaConfigException(source, key, $"should be a number, found {other.ToJsonString()}"),
    };

    private static string? OptionalString(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out string? s) => s,
        var other => throw new ChromaConfigException(source, key, $"should be a string, found {other.ToJsonString()}"),
    };
}
