using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Server;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga serve [--urls URL] [--data DIR] [--model SET] [--api-key KEY] [--role all|web|worker]</c>: runs the chat service (web page, HTTP
/// API, OpenAI-compatible chat completions, MCP) until Ctrl+C. Thin: the options become the service's settings and
/// the Server project's host runs; everything else comes from appsettings.json and Assistant__* environment variables.
/// </summary>
internal static class ServeCommand
{
    public static bool HandlesInterrupt(ParseResult parsed) => parsed.CommandResult.Command.Name == "serve";

    public static Command Create(CommandHost host)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (default: loopback only).", DefaultValueFactory = _ => ChatServer.DefaultUrl, HelpName = "URL" };
        var data = new Option<string?>("--data") { Description = "Folder for conversations (SQLite) and files (default: ~/.local/share/musicgen-assistant).", HelpName = "DIR" };
        var model = new Option<string?>("--model") { Description = "Assistant set: an m2ugen manifest or its folder (default: the embedded UNTRAINED demo assistant).", HelpName = "SET" };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this key on every route but the page's own files (default: $Assistant__ApiKey, else none).", HelpName = "KEY" };
        var role = new Option<string?>("--role") { Description = "all (default): web and workers in one process; web: HTTP only, jobs go to Redis; worker: jobs from Redis, no HTTP (needs Assistant:Queue=redis and Assistant:Store=postgres; README, Scale-out).", HelpName = "ROLE" };
        role.AcceptOnlyFromAmong("all", "web", "worker");
        var command = new Command("serve", "Run the chat service: a web page and an HTTP API (OpenAPI, server-sent events, OpenAI-compatible /v1/chat/completions, MCP at /mcp).")
        {
            urls, data, model, apiKey, role,
        };
        host.Bind(command, (parsed, session) =>
        {
            var args = new List<string> { "--urls", parsed.GetValue(urls)! };
            void Set(string key, string? value)
            {
                if (!string.IsNullOrWhiteSpace(value)) args.Add($"--Assistant:{key}={value}");
            }
            Set("DataDirectory", parsed.GetValue(data) is { } d ? Path.GetFullPath(d) : null);
            Set("ModelSet", parsed.GetValue(model));
            Set("ApiKey", parsed.GetValue(apiKey));
            Set("Role", parsed.GetValue(role));
            // the service computes on the CPU unless --device (or Assistant:Backend) says otherwise
            if (parsed.Tokens.Any(t => t.Value == "--device")) Set("Backend", session.Device.ToString().ToLowerInvariant());
            Set("Threads", session.Threads.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (parsed.Tokens.Any(t => t.Value == "--kv-cache")) Set("KvCache", session.Compute.KvCache == Native.GgmlType.F16 ? "f16" : "f32");
            return ChatServer.RunAsync([.. args], session.Console.Out).GetAwaiter().GetResult();
        });
        return command;
    }
}
