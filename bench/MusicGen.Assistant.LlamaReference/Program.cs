using System.Diagnostics;
using System.Runtime.InteropServices;
using LLama;
using LLama.Common;
using LLama.Native;
using MusicGen.Assistant.Benchmarks.Llama;

namespace MusicGen.Assistant.LlamaReference;

/// <summary>
/// llama.cpp (through LLamaSharp 0.30.0 and LLamaSharp.Backend.Cpu) on a GGUF file, measured by the same loop as our
/// side (<see cref="LlamaRunProtocol"/>): <c>dotnet run -c Release --project bench/MusicGen.Assistant.LlamaReference --
/// --model FILE [--threads 1] [--prompt 64] [--tokens 16] [--repeat 3] [--seed 7]</c>. llama.cpp's own defaults
/// otherwise (flash attention "auto", f16 KV cache, memory-mapped weights, repacked weights where its CPU backend
/// repacks them); its log lines about buffers, flash attention and the CPU features go to stderr.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var s = LlamaRunSettings.Parse(args);
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (message.Trim().Trim('.').Length == 0) return; // the loader's progress dots
            if (level >= LLamaLogLevel.Warning || Interesting(message)) Console.Error.Write("llama.cpp: " + message);
        });
        Console.Error.WriteLine("llama.cpp system info: " + Marshal.PtrToStringAnsi(NativeApi.llama_print_system_info()));
        var p = new ModelParams(s.Model)
        {
            ContextSize = (uint)Math.Max(256, s.Prompt + s.Tokens + 8),
            BatchSize = (uint)Math.Max(s.Prompt, 1),
            UBatchSize = (uint)Math.Max(s.Prompt, 1),
            Threads = s.Threads,
            BatchThreads = s.Threads,
            GpuLayerCount = 0,
        };
        var sw = Stopwatch.StartNew();
        using var weights = LLamaWeights.LoadFromFile(p);
        using var context = weights.CreateContext(p);
        var load = sw.Elapsed.TotalSeconds;
        var runner = new Runner(context);
        Console.WriteLine(LlamaRunProtocol.Measure(runner, s, load, "llama.cpp"));
        return 0;
    }

    private static bool Interesting(string m) =>
        m.Contains("buffer size", StringComparison.Ordinal) || m.Contains("flash_attn", StringComparison.Ordinal) ||
        m.Contains("REPACK", StringComparison.Ordinal) || m.Contains("type_k", StringComparison.Ordinal) ||
        m.Contains("file type", StringComparison.Ordinal) || m.Contains("n_threads", StringComparison.Ordinal) ||
        m.Contains("CPU :", StringComparison.Ordinal) || m.Contains("system_info", StringComparison.Ordinal) ||
        m.Contains("load_backend", StringComparison.Ordinal);

    private sealed class Runner(LLamaContext context) : ILlamaRunner
    {
        private readonly LLamaBatch _batch = new();
        private int _position;

        public void Clear()
        {
            context.NativeHandle.MemoryClear(true);
            _position = 0;
        }

        public void Prefill(int[] tokens)
        {
            _batch.Clear();
            for (var i = 0; i < tokens.Length; i++) _batch.Add(tokens[i], _position + i, LLamaSeqId.Zero, i == tokens.Length - 1);
            Decode(tokens.Length);
        }

        public void Step(int token)
        {
            _batch.Clear();
            _batch.Add(token, _position, LLamaSeqId.Zero, true);
            Decode(1);
        }

        private void Decode(int n)
        {
            var result = context.NativeHandle.Decode(_batch);
            if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode returned {result}");
            _position += n;
            // read the logits as our side does (a copy of the vocabulary's row)
            _ = context.NativeHandle.GetLogitsIth(_batch.TokenCount - 1).ToArray();
        }
    }
}
