namespace MusicGen.Assistant.Cli; static class Program { static int Main(string[] a) => 0; }
