namespace MusicGen.Assistant.Models;

/// <summary>A model's configuration is missing, malformed or asks for something this implementation cannot run.</summary>
public sealed class ModelConfigException(string message) : Exception(message);

/// <summary>A model file lacks a tensor, or holds one of the wrong shape or type.</summary>
public sealed class ModelWeightsException(string message) : Exception(message);
