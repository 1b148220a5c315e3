using System.CommandLine;
using System.Globalization;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// Every number option of every command, found by walking the command tree (a new option is covered without editing
/// this test), fed values that are not numbers, not finite, not whole where a count is meant, overflowing or out of
/// its range: each must end in exit code 2 and one error line naming the option and the value, with no stack trace
/// and no .NET type name.
/// </summary>
public class NumberOptionCorpusTests
{
    private static readonly Type[] NumberTypes = [typeof(int), typeof(long), typeof(uint), typeof(ulong), typeof(double), typeof(float), typeof(decimal), typeof(short)];

    private static Command Root() => MgaCommand.Create(new CliConsole(TextWriter.Null, TextWriter.Null, interactive: false));

    /// <summary>(command path, option) for every command that runs and every option it accepts, inherited ones included.</summary>
    private static IEnumerable<(string[] Path, Command Command, Option Option)> Walk(Command command, string[] path, IReadOnlyList<Option> inherited)
    {
        var options = inherited.Concat(command.Options).ToList();
        var passDown = options.Where(o => o.Recursive).ToList();
        if (command.Subcommands.Count == 0)
            foreach (var o in options) yield return (path, command, o);
        foreach (var sub in command.Subcommands)
            foreach (var found in Walk(sub, [.. path, sub.Name], passDown)) yield return found;
    }

    private static bool IsNumber(Option o) => NumberTypes.Contains(Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType);

    public static TheoryData<string, string> NumberOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (path, _, option) in Walk(Root(), [], []).Where(f => IsNumber(f.Option))) data.Add(string.Join(' ', path), option.Name);
        return data;
    }

    [Fact]
    public void Every_number_option_of_every_command_goes_through_the_validated_parser()
    {
        var numbers = Walk(Root(), [], []).Where(f => IsNumber(f.Option)).ToList();
        Assert.True(numbers.Count >= 15, $"only {numbers.Count} number options found: is the walk broken?");
        foreach (var (path, _, option) in numbers)
            Assert.True(option is INumberOption, $"'mga {string.Join(' ', path)} {option.Name}' is a number option not made with NumberOption<T>");
    }

    [Theory]
    [MemberData(nameof(NumberOptions))]
    public void Bad_values_end_in_one_usage_line_naming_the_option_and_the_value(string commandPath, string optionName)
    {
        var (path, command, option) = Walk(Root(), [], []).Single(f => string.Join(' ', f.Path) == commandPath && f.Option.Name == optionName);
        var range = ((INumberOption)option).Range;
        foreach (var value in Probes(range))
        {
            var result = Mga.Run([.. path, .. RequiredArguments(command, option), option.Name, value]);
            var context = $"mga {commandPath} {optionName} '{value}'\n{result}";
            Assert.True(result.ExitCode == ExitCodes.Usage, context);
            var errors = result.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 1, context);
            Assert.StartsWith($"error: {optionName} must be {range.Description}; got '{value}'", errors[0]);
            Assert.DoesNotContain("   at ", result.Err);
            Assert.DoesNotContain("System.", result.Err);
            Assert.DoesNotContain("Exception", result.Err);
            Assert.Empty(result.Out);
        }
    }

    // Values that are not numbers, not finite, overflowing, not whole, or just outside the range.
    private static IEnumerable<string> Probes(NumberRange range)
    {
        string[] always = ["abc", "", " ", "inf", "-inf", "Infinity", "nan", "NaN", "1e400", "-1e400", "99999999999999999999999999",
            "-99999999999999999999999999", "0x10", "1,5", "1.2.3"];
        foreach (var v in always) yield return v;
        if (range.Integer) { yield return "1.5"; yield return "-0.5"; yield return "1e-3"; }
        yield return Text(range.MinExclusive ? range.Min : range.Min - (range.Integer ? 1 : 0.001m));
        yield return Text(range.Max + (range.Integer ? 1 : 0.001m));
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    // Valid values for the command's required arguments and options, so that the probed option is the only problem.
    private static IEnumerable<string> RequiredArguments(Command command, Option probed)
    {
        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0))
            yield return argument.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).FirstOrDefault()?.Label ?? "x";
        foreach (var option in command.Options.Where(o => o.Required && o != probed))
        {
            yield return option.Name;
            yield return option is INumberOption n ? Text(n.Range.MinExclusive ? n.Range.Max : n.Range.Min) : "x";
        }
    }
}
