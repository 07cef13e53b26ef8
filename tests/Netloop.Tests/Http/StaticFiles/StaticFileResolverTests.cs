using System.Text;
using Netloop.Http.StaticFiles;

namespace Netloop.Tests.Http.StaticFiles;

public class StaticFileResolverTests(StaticRootFixture tree) : IClassFixture<StaticRootFixture>
{
    private readonly StaticFileResolver _resolver = new(tree.Root);

    private ResolveResult Resolve(string raw) => _resolver.Resolve(Encoding.UTF8.GetBytes(raw));

    private StaticFile Found(string raw)
    {
        ResolveResult result = Resolve(raw);
        Assert.True(result.IsFound, $"'{raw}' was refused: {result.Failure}");
        Assert.Equal(ResolveFailure.None, result.Failure);
        return result.File!;
    }

    private void Refused(string raw, ResolveFailure why)
    {
        ResolveResult result = Resolve(raw);
        Assert.False(result.IsFound, $"'{raw}' was served: {result.File?.FullPath}");
        Assert.Null(result.File);
        Assert.Equal(why, result.Failure);
    }

    [Theory]
    [InlineData("hello.txt")]
    [InlineData("/hello.txt")]
    public void A_file_is_found_with_its_metadata(string raw)
    {
        StaticFile file = Found(raw);
        string expectedPath = Path.Combine(tree.Root, "hello.txt");
        Assert.Equal(expectedPath, file.FullPath);
        Assert.Equal(13, file.Length);
        Assert.Equal("text/plain; charset=utf-8", file.ContentType);
        Assert.False(file.IsDirectoryIndex);

        DateTime mtime = File.GetLastWriteTimeUtc(expectedPath);
        Assert.Equal(TimeSpan.Zero, file.LastModified.Offset);
        Assert.Equal(0, file.LastModified.Ticks % TimeSpan.TicksPerSecond);
        Assert.True(mtime - file.LastModified.UtcDateTime < TimeSpan.FromSeconds(1));
        Assert.Equal($"\"d-{mtime.Ticks:x}\"", file.ETag);
        Assert.Equal(file.ETag, Encoding.ASCII.GetString(file.ETagBytes));
    }

    [Theory]
    [InlineData("css/site.css", "css/site.css", "text/css; charset=utf-8")]
    [InlineData("sub/deeper/page.html", "sub/deeper/page.html", "text/html; charset=utf-8")]
    [InlineData("caf%C3%A9.txt", "café.txt", "text/plain; charset=utf-8")]
    [InlineData("caf\u00e9.txt", "café.txt", "text/plain; charset=utf-8")]
    [InlineData("with%20space.txt", "with space.txt", "text/plain; charset=utf-8")]
    [InlineData("%63ss/%73ite.css", "css/site.css", "text/css; charset=utf-8")]
    [InlineData("docs/readme.md", "docs/readme.md", "text/markdown; charset=utf-8")]
    public void Nested_and_encoded_names_resolve(string raw, string relative, string contentType)
    {
        StaticFile file = Found(raw);
        Assert.Equal(Path.Combine(tree.Root, relative), file.FullPath);
        Assert.Equal(contentType, file.ContentType);
    }

    [Fact]
    public void Names_are_case_sensitive_like_the_file_system()
    {
        Refused("HELLO.txt", ResolveFailure.Missing);
    }

    [Fact]
    public void An_empty_regular_file_is_served()
    {
        StaticFile file = Found("empty.txt");
        Assert.Equal(0, file.Length);
        Assert.StartsWith("\"0-", file.ETag, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "index.html")]
    [InlineData("/", "index.html")]
    [InlineData("sub", "sub/index.html")]
    [InlineData("sub/", "sub/index.html")]
    [InlineData("/sub/", "sub/index.html")]
    public void A_directory_serves_its_index(string raw, string relative)
    {
        StaticFile file = Found(raw);
        Assert.Equal(Path.Combine(tree.Root, relative), file.FullPath);
        Assert.True(file.IsDirectoryIndex);
        Assert.Equal("text/html; charset=utf-8", file.ContentType);
    }

    [Theory]
    [InlineData("docs")]
    [InlineData("docs/")]
    [InlineData("css/")]
    [InlineData("sub/deeper")]
    [InlineData("nested-index")]
    public void A_directory_without_an_index_file_is_not_listed(string raw)
    {
        Refused(raw, ResolveFailure.DirectoryWithoutIndex);
    }

    [Theory]
    [InlineData("nope.txt")]
    [InlineData("css/nope.css")]
    [InlineData("nope/deeper.txt")]
    [InlineData("hello.txt/")]
    [InlineData("hello.txt/x")]
    [InlineData("etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("link-dangling")]
    [InlineData("link-loop")]
    public void Missing_files_are_not_found(string raw)
    {
        Refused(raw, ResolveFailure.Missing);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../outside/secret.txt")]
    [InlineData("/../outside/secret.txt")]
    [InlineData("css/../hello.txt")]
    [InlineData("css/../../outside/secret.txt")]
    [InlineData(".")]
    [InlineData("./hello.txt")]
    [InlineData("%2e%2e/outside/secret.txt")]
    [InlineData("%2E%2E/outside/secret.txt")]
    [InlineData(".%2e/outside/secret.txt")]
    [InlineData("css/%2e%2e/hello.txt")]
    [InlineData("%2e")]
    public void Dot_segments_literal_or_encoded_are_refused(string raw)
    {
        Refused(raw, ResolveFailure.Traversal);
    }

    [Theory]
    [InlineData("%2e%2e%2foutside%2fsecret.txt")]
    [InlineData("%2E%2E%2Foutside%2Fsecret.txt")]
    [InlineData("css%2Fsite.css")]
    [InlineData("css%2fsite.css")]
    [InlineData("..%2f..%2fetc%2fpasswd")]
    [InlineData("hello.txt%00")]
    [InlineData("hello.txt%00.html")]
    [InlineData("hello\0.txt")]
    [InlineData("css\\site.css")]
    [InlineData("..\\outside\\secret.txt")]
    [InlineData("css%5Csite.css")]
    [InlineData("%5C..%5Coutside")]
    [InlineData("//etc/passwd")]
    [InlineData("css//site.css")]
    [InlineData("sub//")]
    [InlineData("hello%zz.txt")]
    [InlineData("hello%4")]
    [InlineData("hello%")]
    [InlineData("caf%C3.txt")]
    [InlineData("%C3%28.txt")]
    [InlineData("%C0%AE%C0%AE/outside/secret.txt")]
    [InlineData("line%0Abreak.txt")]
    [InlineData("del%7F.txt")]
    public void Encoded_slashes_nul_backslashes_empty_segments_and_bad_encodings_are_refused(string raw)
    {
        Refused(raw, ResolveFailure.InvalidPath);
    }

    [Theory]
    [InlineData(".secret")]
    [InlineData("%2esecret")]
    [InlineData(".git/config")]
    [InlineData(".git")]
    [InlineData("css/.hidden")]
    [InlineData("css/%2Ehidden")]
    public void Hidden_files_and_directories_are_refused(string raw)
    {
        Refused(raw, ResolveFailure.Hidden);
    }

    [Fact]
    public void A_symlink_inside_the_root_is_followed_to_its_real_path()
    {
        StaticFile file = Found("link-inside");
        Assert.Equal(Path.Combine(tree.Root, "hello.txt"), file.FullPath);
        Assert.Equal(13, file.Length);
        Assert.Equal(ContentTypes.Default, file.ContentType); // the requested name has no extension

        Assert.Equal(Path.Combine(tree.Root, "css", "site.css"), Found("link-dir-inside/site.css").FullPath);
        Assert.Equal(Path.Combine(tree.Root, "hello.txt"), Found("link-roundtrip").FullPath);

        StaticFile latest = Found("latest.js");
        Assert.Equal(Path.Combine(tree.Root, "sub", "deeper", "page.html"), latest.FullPath);
        Assert.Equal("text/javascript; charset=utf-8", latest.ContentType);
    }

    [Theory]
    [InlineData("link-outside")]
    [InlineData("link-outside-dir/secret.txt")]
    [InlineData("link-outside-dir")]
    [InlineData("link-outside-dir/")]
    [InlineData("evil/")]
    [InlineData("evil")]
    public void A_symlink_leading_out_of_the_root_is_refused(string raw)
    {
        Refused(raw, ResolveFailure.OutsideRoot);
    }

    [Fact]
    public void A_fifo_is_refused_without_blocking()
    {
        if (!tree.HasFifo) return; // mkfifo is not available here: nothing to check.
        Refused("fifo", ResolveFailure.NotRegularFile);
    }

    [Fact]
    public void A_unix_socket_is_refused()
    {
        Refused("sock", ResolveFailure.NotRegularFile);
    }

    [Fact]
    public void Overlong_paths_are_refused()
    {
        Refused(string.Concat(Enumerable.Repeat("a/", 2049)), ResolveFailure.InvalidPath);
        Refused(new string('a', 300), ResolveFailure.Missing); // too long a name for the kernel: just missing
    }

    [Fact]
    public void The_root_is_made_canonical_once()
    {
        var viaLink = new StaticFileResolver(tree.RootLink + "/");
        Assert.Equal(tree.Root, viaLink.RootDirectory);
        Assert.Equal(Path.Combine(tree.Root, "hello.txt"), viaLink.Resolve("hello.txt"u8).File!.FullPath);
        Assert.Equal(ResolveFailure.OutsideRoot, viaLink.Resolve("link-outside"u8).Failure);

        var dotted = new StaticFileResolver(Path.Combine(tree.Root, "css", ".."));
        Assert.Equal(tree.Root, dotted.RootDirectory);
        Assert.Equal("index.html", dotted.IndexFileName);
    }

    [Fact]
    public void A_root_that_is_not_a_directory_is_rejected()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new StaticFileResolver(Path.Combine(tree.Base, "missing")));
        Assert.Throws<DirectoryNotFoundException>(() => new StaticFileResolver(Path.Combine(tree.Root, "hello.txt")));
        Assert.Throws<ArgumentException>(() => new StaticFileResolver(""));
        Assert.Throws<ArgumentException>(() => new StaticFileResolver(tree.Root, "../index.html"));
        Assert.Throws<ArgumentException>(() => new StaticFileResolver(tree.Root, ".index"));
    }

    [Fact]
    public void Another_index_file_name_can_be_chosen()
    {
        var resolver = new StaticFileResolver(tree.Root, "readme.md");
        StaticFile file = resolver.Resolve("docs/"u8).File!;
        Assert.Equal(Path.Combine(tree.Root, "docs", "readme.md"), file.FullPath);
        Assert.Equal("text/markdown; charset=utf-8", file.ContentType);
        Assert.Equal(ResolveFailure.DirectoryWithoutIndex, resolver.Resolve("sub"u8).Failure);
    }

    [Fact]
    public void The_kernel_probe_knows_file_types_and_the_managed_fallback_is_conservative()
    {
        string empty = Path.Combine(tree.Root, "empty.txt");
        string hello = Path.Combine(tree.Root, "hello.txt");
        string link = Path.Combine(tree.Root, "link-inside");
        string dir = Path.Combine(tree.Root, "css");
        string sock = Path.Combine(tree.Root, "sock");
        string missing = Path.Combine(tree.Root, "nope");

        Assert.Equal(FileKind.Regular, FileProbe.Lstat(empty).Kind);
        Assert.Equal(FileKind.Regular, FileProbe.Lstat(hello).Kind);
        Assert.Equal(13, FileProbe.Lstat(hello).Length);
        Assert.Equal(FileKind.SymbolicLink, FileProbe.Lstat(link).Kind);
        Assert.Equal(FileKind.Directory, FileProbe.Lstat(dir).Kind);
        Assert.Equal(FileKind.Other, FileProbe.Lstat(sock).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.Lstat(missing).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.Lstat(hello + "/x").Kind);

        Assert.Equal(FileKind.Other, FileProbe.LstatManaged(empty).Kind); // cannot prove it is not a FIFO
        Assert.Equal(FileKind.Regular, FileProbe.LstatManaged(hello).Kind);
        Assert.Equal(FileKind.SymbolicLink, FileProbe.LstatManaged(link).Kind);
        Assert.Equal(FileKind.Directory, FileProbe.LstatManaged(dir).Kind);
        Assert.Equal(FileKind.Other, FileProbe.LstatManaged(sock).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.LstatManaged(missing).Kind);
        Assert.Equal(File.GetLastWriteTimeUtc(hello), FileProbe.Lstat(hello).LastWriteUtc);
        if (tree.HasFifo)
        {
            Assert.Equal(FileKind.Other, FileProbe.Lstat(Path.Combine(tree.Root, "fifo")).Kind);
            Assert.Equal(FileKind.Other, FileProbe.LstatManaged(Path.Combine(tree.Root, "fifo")).Kind);
        }
    }

    [Fact]
    public void Concurrent_resolves_agree()
    {
        Parallel.For(0, 500, i =>
        {
            Assert.Equal(13, _resolver.Resolve("hello.txt"u8).File!.Length);
            Assert.Equal(ResolveFailure.OutsideRoot, _resolver.Resolve("link-outside"u8).Failure);
        });
    }
}
