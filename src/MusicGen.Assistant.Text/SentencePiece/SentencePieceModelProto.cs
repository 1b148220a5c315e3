using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// The content of a sentencepiece model (<c>ModelProto</c>) that the tokenizer needs, however it was loaded:
/// from a <c>.model</c> file (<see cref="ModelProtoParser"/>) or translated from a Hugging Face <c>tokenizer.json</c>.
/// </summary>
public sealed record SentencePieceModelProto(
    IReadOnlyList<VocabularyPiece> Pieces,
    TrainerSpec TrainerSpec,
    NormalizerSpec NormalizerSpec,
    NormalizerSpec? DenormalizerSpec)
{
    /// <summary>Reads and parses a sentencepiece <c>.model</c> file.</summary>
    public static SentencePieceModelProto ReadFile(string path) => ModelProtoParser.Parse(File.ReadAllBytes(InputFile.RequireRegular(path, "sentencepiece model")), path);
}
