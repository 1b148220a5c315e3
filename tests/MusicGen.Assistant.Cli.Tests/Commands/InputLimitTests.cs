using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>The process environment is shared by every test of the assembly: these run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>MGA_MAX_INPUT_SECONDS sets how long an input may be; a longer one is refused naming the limit, never cut.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class InputLimitTests : IDisposable
{
    private const string Variable = "MGA_MAX_INPUT_SECONDS";
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, null);
        _dir.Dispose();
    }

    [Fact]
    public void An_input_longer_than_the_configured_limit_is_refused_and_a_bad_limit_is_named()
    {
        var wav = TestAudio.Write(_dir.File("half.wav"), 32000, WavSampleFormat.Float32, TestAudio.Tones(32000, 16000)); // 0.5 s
        try
        {
            Environment.SetEnvironmentVariable(Variable, "0.25");
            var refused = Mga.Run("codec", "encode", wav, _dir.File("a.codes"), "--model", ConvertedFixtures.TinyModel);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("over the limit of", refused.Err);
            Assert.Contains("set by MGA_MAX_INPUT_SECONDS", refused.Err);
            Assert.False(File.Exists(_dir.File("a.codes")));

            Environment.SetEnvironmentVariable(Variable, "1");
            Mga.Run("codec", "encode", wav, _dir.File("b.codes"), "--model", ConvertedFixtures.TinyModel).Succeeded();

            Environment.SetEnvironmentVariable(Variable, "forever");
            Mga.Run("codec", "encode", wav, _dir.File("c.codes"), "--model", ConvertedFixtures.TinyModel).FailedWith(2, "MGA_MAX_INPUT_SECONDS='forever'");
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }
}
