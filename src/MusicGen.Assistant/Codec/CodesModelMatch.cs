using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Codec;

/// <summary>Refuses to decode codes made by a different EnCodec, naming every setting that differs.</summary>
internal static class CodesModelMatch
{
    public static void Check(AudioCodesHeader codes, EncodecConfig model, string codesPath, string modelPath)
    {
        var f = codes.Format;
        var problems = new List<string>();
        if (f.SampleRate != model.SamplingRate) problems.Add($"sample rate {f.SampleRate} Hz vs the model's {model.SamplingRate} Hz");
        if (f.HopLength != model.HopLength) problems.Add($"hop length {f.HopLength} vs the model's {model.HopLength}");
        if (f.CodebookSize != model.CodebookSize) problems.Add($"codebook size {f.CodebookSize} vs the model's {model.CodebookSize}");
        if (f.Codebooks > model.NumQuantizers) problems.Add($"{f.Codebooks} codebooks per frame, the model has {model.NumQuantizers}");
        if (f.Channels != model.AudioChannels) problems.Add($"{f.Channels} audio channel(s) vs the model's {model.AudioChannels}");
        if (problems.Count > 0)
            throw AssistantException.ModelSet($"codes file '{codesPath}' was not made by the EnCodec in '{modelPath}': {string.Join("; ", problems)}");
        if (codes.FrameCount == 0) throw AssistantException.BadInput($"codes file '{codesPath}' holds no frames: nothing to decode");
    }
}
