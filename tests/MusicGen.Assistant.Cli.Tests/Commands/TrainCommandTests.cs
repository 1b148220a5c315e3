using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>`mga dataset build` and `mga train` as a user runs them: a procedural dataset, a short MusicGen fine-tune, clean errors.</summary>
public class TrainCommandTests
{
    private const string Spec = """{ "name": "cli", "seed": 2, "items": 3, "seconds": 0.3, "caption_style": "short", "music_qa": false, "splits": { "train": 1, "valid": 0, "test": 0 } }""";

    [Fact]
    public void Dataset_build_writes_the_spec_s_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("spec.json"), Spec);
        var r = Mga.Run("dataset", "build", "--spec", dir.File("spec.json"), "--out", dir.File("data")).Succeeded();
        Assert.Contains("clips", r.Out);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(dir.File("data"), "audios"), "*.wav").Length);
        Assert.True(File.Exists(Path.Combine(dir.File("data"), "splits", "train.txt")));
    }

    [Fact]
    public void Train_musicgen_runs_from_a_settings_file_and_resumes()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("spec.json"), Spec);
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var config = dir.File("train.json");
        File.WriteAllText(config, $$"""
            { "stage": "musicgen", "model": "{{manifest}}", "dataset": { "spec": "spec.json", "folder": "data" }, "output": "run",
              "steps": 2, "batch_size": 3, "threads": 1, "evaluate_on": "train", "musicgen": { "seconds": 0.3 } }
            """);
        var first = Mga.Run("train", "musicgen", "--config", config).Succeeded();
        Assert.Contains("step 2/2", first.Out);
        Assert.Contains("trained", first.Out);
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "trained", "musicgen.modelset.json")));
        // the same command again finds the finished checkpoint: no step is run twice
        var again = Mga.Run("train", "musicgen", "--config", config).Succeeded();
        Assert.DoesNotContain("step 1/2", again.Out);
    }

    [Fact]
    public void Settings_errors_are_one_line_naming_the_field()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.json"), """{ "stage": "stage1", "model": "m", "dataset": "d", "output": "o", "steps": 0 }""");
        Mga.Run("train", "stage1", "--config", dir.File("bad.json")).FailedWith(2, "field 'steps'");
        Mga.Run("train", "stage2", "--config", dir.File("bad.json")).FailedWith(2, "field 'stage'");
        Mga.Run("train", "stage1", "--config", dir.File("missing.json")).FailedWith(1, "does not exist");
    }
}
