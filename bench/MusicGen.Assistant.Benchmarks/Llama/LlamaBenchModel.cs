using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Benchmarks.Llama;

/// <summary>
/// A LLaMA-2-7B-shaped model (M2UGen's backbone: dim 4096, 32 layers, 32 heads, FFN 11008, vocabulary 32000;
/// <see cref="LlamaConfig.Llama2_7B"/>) with deterministic random weights (<see cref="LlamaRandomPlan"/>), written
/// once per seed and type into the bench cache as a llama.cpp-loadable GGUF: llama.cpp's tensor names and keys,
/// <c>general.file_type</c>, and a tokenizer inside (the shared fixtures' SentencePiece BPE model, its ids padded to
/// the vocabulary with "[PADn]" entries as llama.cpp's converter pads). The converter streams tensor by tensor, so
/// the writer never holds more than one tensor (the 524 MB f32 embedding at most); the files take about 3.6 GiB
/// (q4_0) and 6.7 GiB (q8_0) of disk.
/// </summary>
public static class LlamaBenchModel
{
    public static LlamaConfig Config => LlamaConfig.Llama2_7B;

    /// <summary>The fixture tokenizer embedded in the file: MGA_FIXTURES (default ../shared/fixtures) / tokenizers/llama-bpe.model.</summary>
    public static string TokenizerPath()
    {
        var root = Environment.GetEnvironmentVariable("MGA_FIXTURES");
        if (string.IsNullOrWhiteSpace(root))
        {
            var repo = Native.NativeLibraryLocator.FindRepositoryRoot() ?? Environment.CurrentDirectory;
            root = Path.Combine(repo, "..", "shared", "fixtures");
        }
        var path = Path.GetFullPath(Path.Combine(root, "tokenizers", "llama-bpe.model"));
        if (!File.Exists(path))
            throw new BenchUsageException($"the LLaMA bench model embeds the fixtures' tokenizer, but {path} does not exist (set MGA_FIXTURES)");
        return path;
    }

    public static string Ensure(string cacheDir, StorageType type, int seed)
    {
        var path = Path.Combine(cacheDir, $"llama-7b-random-s{seed}-{StorageTypes.Name(type)}.gguf");
        if (File.Exists(path)) return path;
        var tokenizer = LlamaTokenizer.Load(TokenizerPath());
        var plan = new TokenizerMetadataPlan(new LlamaRandomPlan(Config, seed), TokenizerGgufWriter.Entries(tokenizer, Config.VocabSize));
        Console.WriteLine($"creating {path} (once; streamed tensor by tensor) ...");
        var sw = Stopwatch.StartNew();
        var last = Stopwatch.StartNew();
        var progress = new Progress<ConversionProgress>(p =>
        {
            if (last.Elapsed.TotalSeconds < 30 && p.Done != p.Total) return;
            last.Restart();
            Console.WriteLine($"  {p.Done}/{p.Total} tensors ({Report.F(sw.Elapsed.TotalSeconds, 0)} s)");
        });
        var result = GgufConverter.Write(plan, path, type, "bench: random weights", progress); // appears only when complete
        Console.WriteLine($"  {result.TensorCount} tensors, {Report.MiB(result.Bytes)} in {Report.F(sw.Elapsed.TotalSeconds, 1)} s");
        return path;
    }

    /// <summary>Fixed prompt ids (no text needed): uniform over the fixture tokenizer's own pieces, after BOS.</summary>
    public static int[] PromptIds(int length, int seed, int pieces = 600)
    {
        var rng = new Random(seed);
        var ids = new int[length];
        ids[0] = 1;
        for (var i = 1; i < length; i++) ids[i] = 3 + rng.Next(pieces - 3);
        return ids;
    }
}
