namespace MusicGen.Assistant.Text.Segmentation;

/// <summary>A piece of the normalized text: <c>[Start, Start + Length)</c> in UTF-16 units, with its vocabulary id.</summary>
internal readonly record struct Segment(int Start, int Length, int Id);
