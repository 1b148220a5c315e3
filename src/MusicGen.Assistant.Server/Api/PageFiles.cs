using Microsoft.Extensions.FileProviders;
using Microsoft.AspNetCore.StaticFiles;

namespace MusicGen.Assistant.Server.Api;

/// <summary>The web page: plain HTML, CSS and JavaScript embedded in this assembly (no front-end build step), served at /.</summary>
public static class PageFiles
{
    public static void Use(WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(PageFiles).Assembly, "MusicGen.Assistant.Server.Page");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
    }
}
