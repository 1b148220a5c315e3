using Spectre.Console;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, errors and plain progress lines to <see cref="Error"/>.
/// <see cref="Interactive"/> is true only on a real terminal; then progress is drawn as a Spectre bar.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool interactive, TextReader? input = null)
{
    /// <summary>What the user types (<c>mga chat</c> reads its messages here; tests redirect it).</summary>
    public TextReader In { get; } = input ?? Console.In;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    public bool Interactive { get; } = interactive;

    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>"  label       value" with the values of a block aligned.</summary>
    public void Field(string label, string value, int indent = 2) => Out.WriteLine($"{new string(' ', indent)}{label,-11} {value}");

    /// <summary>Whether <paramref name="output"/> is this process's own terminal (not a pipe, file or test writer).</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !Console.IsErrorRedirected &&
        AnsiConsole.Profile.Capabilities.Interactive;
}
