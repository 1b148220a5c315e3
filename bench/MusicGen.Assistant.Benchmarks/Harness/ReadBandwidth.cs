using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>
/// Read bandwidth over a buffer of a given size with N threads, each summing its half with 256-bit loads: the floor
/// for a matrix-vector product that streams the same matrix every step (an LSTM's recurrent weights).
/// </summary>
public static unsafe class ReadBandwidth
{
    public static double GigabytesPerSecond(long bytes, int threads, int passes)
    {
        var floats = bytes / sizeof(float) / (threads * Vector256<float>.Count) * (threads * Vector256<float>.Count);
        var buffer = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        try
        {
            new Span<float>(buffer, (int)floats).Fill(1f);
            var per = floats / threads;
            var sums = new float[threads];
            void Run(int id)
            {
                var p = buffer + id * per;
                Vector256<float> a = default, b = default, c = default, d = default;
                for (var r = 0; r < passes; r++)
                    for (long i = 0; i + 32 <= per; i += 32)
                    {
                        a += Vector256.Load(p + i);
                        b += Vector256.Load(p + i + 8);
                        c += Vector256.Load(p + i + 16);
                        d += Vector256.Load(p + i + 24);
                    }
                sums[id] = Vector256.Sum(a + b + c + d);
            }
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);  // warm the cache
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
            return floats * sizeof(float) * (double)passes / sw.Elapsed.TotalSeconds / 1e9;
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
        }
    }
}
