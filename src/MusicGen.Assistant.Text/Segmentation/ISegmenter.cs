namespace MusicGen.Assistant.Text.Segmentation;

/// <summary>Splits normalized text (spaces already escaped as U+2581) into vocabulary pieces.</summary>
internal interface ISegmenter
{
    /// <summary>Appends the segments of <paramref name="normalized"/> in order; unknown text gets the unk id.</summary>
    void Segment(string normalized, List<Segment> output);
}
