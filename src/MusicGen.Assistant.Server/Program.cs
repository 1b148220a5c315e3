// The chat service's own executable; `mga serve` runs the same host.
return await MusicGen.Assistant.Server.ChatServer.RunAsync(args);

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
