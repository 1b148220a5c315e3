namespace MusicGen.Assistant.Benchmarks; static class Program { static int Main(string[] a) => 0; }
