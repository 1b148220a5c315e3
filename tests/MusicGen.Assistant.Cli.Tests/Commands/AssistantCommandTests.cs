using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Demo;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary><c>mga chat</c> through redirected standard input and <c>mga ask</c>, on the embedded demo assistant.</summary>
public class AssistantCommandTests
{
    private static readonly string Reply = string.Join(' ', DemoReply.Words);

    [Fact]
    public void Chat_streams_replies_writes_each_track_and_takes_its_commands()
    {
        using var dir = new TempDirectory();
        var tone = TestAudio.Write(dir.File("tone.wav"), 24000, WavSampleFormat.Float32, TestAudio.Tones(24000, 12000));
        var input = $"A calm piano piece\n/use-last-track\nslower please\n/new\n/use-last-track\n/attach {dir.File("missing.wav")}\n/attach {tone}\nlike this\n/help\n/quit\nnever read\n";
        var tracks = Path.Combine(dir.Path, "tracks");
        var result = Mga.RunWithInput(input, "chat", "--duration", "0.3", "--seed", "4", "--out-dir", tracks).Succeeded();

        Assert.Contains("UNTRAINED DEMO ASSISTANT", result.Out);
        Assert.Equal(3, result.Out.Split('\n').Count(l => l.StartsWith($"assistant (UNTRAINED)> {Reply}")));
        Assert.Contains("(the last track is the next message's audio)", result.Out);
        Assert.Contains("(new conversation)", result.Out);
        Assert.Contains("error: there is no track yet in this conversation", result.Err); // /new forgot the track
        Assert.Contains("missing.wav' does not exist", result.Err);
        Assert.Contains($"(attached audio 'tone.wav' to the next message)", result.Out);
        Assert.Contains(ChatCommandHelp, result.Out);
        Assert.Contains("encode audio", result.Err); // the two turns with audio ran the music encoder
        var files = Directory.GetFiles(tracks);
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.Contains("UNTRAINED", Path.GetFileName(f)));
        foreach (var f in files)
        {
            Assert.Contains($"track       {f} (UNTRAINED DEMO output)", result.Out);
            var audio = TestAudio.Read(f);
            Assert.Equal(0.3, audio.FrameCount / (double)audio.SampleRate, 2);
            Assert.True(audio.Channels[0].Max(Math.Abs) < 1f);
        }
    }

    [Fact]
    public void Ask_with_an_audio_file_writes_the_track_where_asked()
    {
        using var dir = new TempDirectory();
        var tone = TestAudio.Write(dir.File("song.wav"), 44100, WavSampleFormat.Pcm16, TestAudio.Tones(44100, 44100));
        var result = Mga.Run("ask", "Compose something like this", "--audio", tone, "--out", dir.File("out/track.wav"), "--duration", "0.4", "--seed", "1").Succeeded();

        Assert.Contains($"assistant (UNTRAINED)> {Reply}", result.Out);
        Assert.Contains($"track       {dir.File("out/track.wav")} (UNTRAINED DEMO output)", result.Out);
        Assert.Equal(0.4, TestAudio.Read(dir.File("out/track.wav")).Duration.TotalSeconds, 2);
        Assert.Contains("encode audio", result.Err);
    }

    [Fact]
    public void Ask_words_only_answers_about_the_audio_and_writes_no_track()
    {
        using var dir = new TempDirectory();
        var tone = TestAudio.Write(dir.File("song.wav"), 44100, WavSampleFormat.Pcm16, TestAudio.Tones(44100, 44100));
        var result = Mga.Run("ask", "What instruments play here?", "--audio", tone, "--words-only", "--out", dir.File("out/track.wav"), "--seed", "1").Succeeded();

        Assert.Contains($"assistant (UNTRAINED)> {Reply}", result.Out);
        Assert.Contains("track       none (the reply held no [AUD0..7])", result.Out);
        Assert.False(File.Exists(dir.File("out/track.wav")));
        Assert.Contains("encode audio", result.Err);
    }

    [Fact]
    public void Ask_refuses_what_it_cannot_do_with_one_clear_line()
    {
        using var dir = new TempDirectory();
        Mga.Run("ask", "x", "--audio", dir.File("none.mp3")).FailedWith(1, "none.mp3", "does not exist");
        Mga.Run("ask", "x", "--out", dir.File("track.mp3"), "--duration", "0.2").FailedWith(2, "name the file *.wav");
        Mga.Run("ask", "x", "--duration", "0").FailedWith(2, "--duration");
        Mga.Run("ask", "x", "--music-path", "midi").FailedWith(2, "midi");
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        Mga.Run("ask", "x", "--model", manifest).FailedWith(1, "without the assistant's parts");
    }

    private const string ChatCommandHelp = "Commands: /attach FILE";
}
