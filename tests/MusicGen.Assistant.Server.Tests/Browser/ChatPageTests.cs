using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MusicGen.Assistant.Server.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Server.Tests.Browser;

/// <summary>
/// The web page in Debian's Chromium (driven by Playwright's .NET driver, no browser download) against the real
/// service on loopback: keyboard-only typing and sending, an attachment with its preview, the reply streaming in,
/// the track's audio playing while it is generated and in the finished player, the waveform, an edit of the track.
/// Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class ChatPageTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private AssistantFactory _factory = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumFactAttribute.ExecutablePath)) return;
        _factory = new AssistantFactory(_data.Path, new Dictionary<string, string?> { ["Assistant:Limits:DefaultSeconds"] = "3" });
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        _baseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        _factory?.Dispose();
        _data.Dispose();
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(FixturePaths.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    [ChromiumFact]
    public async Task Keyboard_only_a_message_with_an_attachment_streams_a_reply_plays_its_audio_and_the_track_can_be_edited()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_baseUrl);
        await Assertions.Expect(page.Locator("#model-banner")).ToContainTextAsync("UNTRAINED");

        // reach the message box with Tab alone
        for (var i = 0; i < 15 && await page.EvaluateAsync<string>("document.activeElement?.id ?? ''") != "message"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("message", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("a calm piano piece");

        await page.SetInputFilesAsync("#file", new FilePayload { Name = "tone.wav", MimeType = "audio/wav", Buffer = TestMedia.Wav(0.5) });
        await Assertions.Expect(page.Locator("#preview audio")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("chat-attached.png"), FullPage = true });

        await page.FocusAsync("#message");
        await page.Keyboard.PressAsync("Enter");
        var reply = page.Locator(".bubble.assistant").Last;
        await Assertions.Expect(page.Locator("#turn-status")).ToBeVisibleAsync();
        await Assertions.Expect(reply.Locator(".text")).Not.ToBeEmptyAsync();
        // audio is heard while the track is still being generated
        await page.WaitForFunctionAsync("document.body.dataset.playback === 'playing'", null, new PageWaitForFunctionOptions { Timeout = 120_000 });
        var whilePlaying = await page.EvaluateAsync<int>("window.mgaPlayback.chunks");
        Assert.True(whilePlaying >= 1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("chat-streaming.png"), FullPage = true });

        var track = reply.Locator(".track");
        await Assertions.Expect(track).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 120_000 });
        Assert.True(await page.EvaluateAsync<int>("window.mgaTokens") > 1, "the reply came in one piece");
        // the live region read out every token of the reply as it came (before the track announcement replaced it)
        var spoken = await page.EvaluateAsync<string>("window.mgaLiveReply ?? ''");
        Assert.False(string.IsNullOrWhiteSpace(spoken));
        Assert.Equal(await reply.Locator(".text").TextContentAsync(), spoken);
        Assert.Contains("Track ready", await page.Locator("#live-reply").InnerTextAsync()); // the live region announced it
        Assert.Equal("log", await page.GetAttributeAsync("#messages", "role"));
        Assert.Equal("polite", await page.GetAttributeAsync("#live-reply", "aria-live"));
        await Assertions.Expect(track.Locator("canvas")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(track.Locator("a[download]")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/api/tracks/.+download=true"));

        // the finished player plays: its currentTime moves
        await track.Locator("audio").EvaluateAsync("a => { a.muted = true; return a.play(); }");
        await page.WaitForFunctionAsync("document.querySelector('.track audio').currentTime > 0.2", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("chat-track.png"), FullPage = true });

        // one click sends the track back as the next turn's input
        await track.Locator("button", new LocatorLocatorOptions { HasText = "Edit this track" }).ClickAsync();
        await Assertions.Expect(page.Locator("#input-track")).ToBeVisibleAsync();
        Assert.Equal("message", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("add strings");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".bubble.assistant .track")).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#conversation-list li")).ToHaveCountAsync(1);
        Assert.Empty(errors);
    }
}
