namespace MusicGen.Assistant.Models.ModelSets;

/// <summary>
/// A MusicGen model set: the files that together turn text into audio (text encoder, decoder LM, codec, tokenizer),
/// whether it is an untrained demo, and the generation defaults. Paths here are absolute; in the JSON file
/// (<see cref="ModelSetManifestFile"/>) they are relative to the manifest. The three GGUF paths may all name the
/// same converted checkpoint; <see cref="TokenizerPath"/> may name that GGUF too when the tokenizer is embedded in it
/// (llama.cpp's tokenizer.ggml.* metadata; load it with <c>TokenizerFiles.LoadSentencePiece</c>). An M2UGen assistant
/// set (kind <see cref="KindM2UGen"/>) is such a set plus its <see cref="Assistant"/> parts, so everything that renders
/// music takes it unchanged.
/// </summary>
public sealed record ModelSetManifest
{
    public const string KindMusicGen = "musicgen";
    public const string KindM2UGen = "m2ugen";
    public const string FileName = "musicgen.modelset.json";

    public required string Name { get; init; }
    public string Kind { get; init; } = KindMusicGen;
    public required string TextEncoderPath { get; init; }
    public required string DecoderPath { get; init; }
    public required string CodecPath { get; init; }
    public required string TokenizerPath { get; init; }

    /// <summary>True for a set with random weights: every run says so and its output is noise, not music.</summary>
    public bool Demo { get; init; }

    /// <summary>Which build of the code wrote this set (the demo set is rebuilt when it differs); null for user sets.</summary>
    public string? BuildVersion { get; init; }

    public GenerationDefaults Defaults { get; init; } = new();

    /// <summary>The LLaMA, encoders, adapters and projector of an M2UGen set; null for a MusicGen-only set.</summary>
    public AssistantParts? Assistant { get; init; }

    /// <summary>Where the manifest came from (a manifest file, or the single GGUF it was inferred from).</summary>
    public string Source { get; init; } = "";
}

/// <summary>
/// Generation settings a model set recommends; audiocraft's preset unless the manifest says otherwise. Top-p uses
/// audiocraft's spelling: 0 means off.
/// </summary>
public sealed record GenerationDefaults
{
    public double GuidanceScale { get; init; } = 3.0;
    public int TopK { get; init; } = 250;
    public double TopP { get; init; }
    public double Temperature { get; init; } = 1.0;

    /// <summary>
    /// audiocraft's max_duration: the longest audio one decoder pass generates, in seconds (null: 30 s, capped by the
    /// decoder's positions). Longer audio is generated in overlapping windows of this length.
    /// </summary>
    public double? MaxDurationSeconds { get; init; }

    /// <summary>Throws <see cref="ModelConfigException"/> naming the field when a value is out of range.</summary>
    public GenerationDefaults Validate(string source)
    {
        void Fail(string field, object value, string expected) =>
            throw new ModelConfigException($"{source}: defaults.{field} is {value}; expected {expected}");
        if (!(GuidanceScale >= 1) || !double.IsFinite(GuidanceScale)) Fail("guidance_scale", GuidanceScale, "a number >= 1");
        if (TopK < 0) Fail("top_k", TopK, "an integer >= 0 (0 = off)");
        if (!(TopP >= 0 && TopP <= 1)) Fail("top_p", TopP, "a number in [0, 1] (0 = off)");
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) Fail("temperature", Temperature, "a positive number");
        if (MaxDurationSeconds is { } max && !(max > 0 && double.IsFinite(max))) Fail("max_duration_seconds", max, "a positive number of seconds");
        return this;
    }
}
