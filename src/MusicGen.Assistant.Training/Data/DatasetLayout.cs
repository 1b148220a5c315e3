namespace MusicGen.Assistant.Training.Data;

/// <summary>
/// Where each part of a dataset folder lives, named as M2UGen's Datasets/ folders name them, so our folders and
/// theirs read the same way: captions and instruction lists at the top, media in subfolders, splits in splits/.
/// </summary>
public sealed record DatasetLayout(string Root)
{
    public const string CaptionsFile = "MUCapsCaptions.json";
    public const string EditFile = "MUEditInstructions.json";
    public const string ImageFile = "MUImageInstructions.json";
    public const string VideoFile = "MUVideoInstructions.json";
    public const string MusicQaFileName = "MusicQA.json";
    public const string AlpacaFileName = "alpaca_data.json";
    public const string ItemsFile = "items.json";
    public const string SpecFile = "dataset.json";

    public string Captions => Path.Combine(Root, CaptionsFile);
    public string Edits => Path.Combine(Root, EditFile);
    public string Images => Path.Combine(Root, ImageFile);
    public string Videos => Path.Combine(Root, VideoFile);
    public string MusicQa => Path.Combine(Root, MusicQaFileName);
    public string Alpaca => Path.Combine(Root, AlpacaFileName);
    public string Items => Path.Combine(Root, ItemsFile);
    public string Splits => Path.Combine(Root, "splits");

    /// <summary>Audio at the dataset's first rate.</summary>
    public string AudioFolder => Path.Combine(Root, "audios");

    /// <summary>Audio at another rate (e.g. MERT's 24 kHz beside MusicGen's 32 kHz).</summary>
    public string AudioFolderAt(int rate) => Path.Combine(Root, $"audios-{rate}hz");

    public string ImageFolder => Path.Combine(Root, "images");
    public string VideoFolder => Path.Combine(Root, "videos");

    public string Audio(string file) => Path.Combine(AudioFolder, file);
    public string Image(string file) => Path.Combine(ImageFolder, file);
    public string Video(string file) => Path.Combine(VideoFolder, file);
}
