using Netloop.Http.StaticFiles;

namespace Netloop.Tests.Http.StaticFiles;

public class ContentTypesTests
{
    [Theory]
    [InlineData("html", "text/html; charset=utf-8")]
    [InlineData("htm", "text/html; charset=utf-8")]
    [InlineData("css", "text/css; charset=utf-8")]
    [InlineData("js", "text/javascript; charset=utf-8")]
    [InlineData("mjs", "text/javascript; charset=utf-8")]
    [InlineData("json", "application/json; charset=utf-8")]
    [InlineData("map", "application/json; charset=utf-8")]
    [InlineData("txt", "text/plain; charset=utf-8")]
    [InlineData("xml", "application/xml; charset=utf-8")]
    [InlineData("svg", "image/svg+xml")]
    [InlineData("png", "image/png")]
    [InlineData("jpg", "image/jpeg")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif", "image/gif")]
    [InlineData("webp", "image/webp")]
    [InlineData("ico", "image/x-icon")]
    [InlineData("wasm", "application/wasm")]
    [InlineData("pdf", "application/pdf")]
    [InlineData("woff", "font/woff")]
    [InlineData("woff2", "font/woff2")]
    [InlineData("mp4", "video/mp4")]
    [InlineData("webm", "video/webm")]
    [InlineData("mp3", "audio/mpeg")]
    [InlineData("zip", "application/zip")]
    [InlineData("gz", "application/gzip")]
    public void Common_web_extensions_have_their_types(string extension, string type)
    {
        Assert.Equal(type, ContentTypes.For(extension));
        Assert.Equal(type, ContentTypes.For("." + extension));
        Assert.Equal(type, ContentTypes.For(extension.ToUpperInvariant()));
        Assert.Equal(type, ContentTypes.ForPath("dir.v2/file.min." + extension));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("exe")]
    [InlineData("html5")]
    [InlineData("tar.gz")]
    public void Unknown_extensions_are_octet_stream(string extension)
    {
        Assert.Equal("application/octet-stream", ContentTypes.For(extension));
        Assert.Equal(ContentTypes.Default, ContentTypes.For(extension));
    }

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("/a/b/site.CSS", "text/css; charset=utf-8")]
    [InlineData("archive.tar.gz", "application/gzip")]
    [InlineData("README", "application/octet-stream")]
    [InlineData("html", "application/octet-stream")]
    [InlineData(".bashrc", "application/octet-stream")]
    [InlineData("file.", "application/octet-stream")]
    [InlineData("dir.css/file", "application/octet-stream")]
    [InlineData("", "application/octet-stream")]
    public void Paths_use_the_extension_of_their_last_segment(string path, string type)
    {
        Assert.Equal(type, ContentTypes.ForPath(path));
    }

    [Fact]
    public void Text_types_declare_utf8_and_binary_types_do_not()
    {
        foreach (string ext in new[] { "html", "css", "js", "json", "txt", "csv", "md", "xml" })
        {
            Assert.EndsWith("; charset=utf-8", ContentTypes.For(ext), StringComparison.Ordinal);
        }
        foreach (string ext in new[] { "png", "wasm", "woff2", "mp4", "zip", "pdf" })
        {
            Assert.DoesNotContain("charset", ContentTypes.For(ext), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_lookup_allocates_nothing()
    {
        ContentTypes.ForPath("warm.up.css");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            if (ContentTypes.ForPath("/static/app.min.JS".AsSpan()).Length == 0) throw new InvalidOperationException();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
