using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Server;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http;

/// <summary>
/// <c>MapStaticFiles</c> served for real, over raw sockets so the exact request bytes reach the server (a client library
/// would normalise <c>/static/../secret</c> before sending it): a 1 GiB file through sendfile, ranges, conditional
/// requests, index files, and every way out of the root that must stay closed.
/// </summary>
public sealed class StaticFileServingTests(StaticFileServingTests.Site site, ITestOutputHelper output) : IClassFixture<StaticFileServingTests.Site>
{
    private const long OneGiB = 1L << 30;

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task A_1_GiB_sparse_file_arrives_whole_with_its_Content_Length(ServerMode mode)
    {
        using var connection = await site.ConnectAsync(mode);
        await connection.SendAsync("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var head = await connection.ReadHeadAsync(timeout.Token);
        Assert.Equal(200, head.Status);
        Assert.Equal(OneGiB.ToString(CultureInfo.InvariantCulture), head.Header("Content-Length"));
        var (count, firstNonZero) = await connection.CountBodyAsync(OneGiB, timeout.Token);
        output.WriteLine($"received {count} body bytes");
        Assert.Equal(OneGiB, count);
        Assert.Equal(-1, firstNonZero); // a sparse file reads as zeros

        // The connection is still in step after 1 GiB of sendfile: the next request is answered on it.
        await connection.SendAsync("GET /static/small.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        var next = await connection.ReadResponseAsync(headRequest: false);
        Assert.Equal(200, next.Status);
        Assert.Equal(site.SmallText, Encoding.UTF8.GetString(next.Body));
    }

    [Fact]
    public async Task Head_on_a_file_has_its_headers_and_length_and_no_body()
    {
        using var connection = await site.ConnectAsync();
        // Pipelined: a body after the HEAD response would be read as the second response's status line.
        await connection.SendAsync(
            "HEAD /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n" +
            "HEAD /static/data.bin HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /static/small.txt HTTP/1.1\r\nHost: x\r\n\r\n");

        var big = await connection.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, big.Status);
        Assert.Equal(OneGiB.ToString(CultureInfo.InvariantCulture), big.Header("Content-Length"));
        var data = await connection.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, data.Status);
        Assert.Equal("1000", data.Header("Content-Length"));
        Assert.Equal("application/octet-stream", data.Header("Content-Type"));
        Assert.NotNull(data.Header("ETag"));
        Assert.NotNull(data.Header("Last-Modified"));
        Assert.Equal("bytes", data.Header("Accept-Ranges"));
        var small = await connection.ReadResponseAsync(headRequest: false);
        Assert.Equal(200, small.Status);
        Assert.Equal(site.SmallText, Encoding.UTF8.GetString(small.Body));
    }

    [Fact]
    public async Task Get_of_a_small_file_has_type_validators_and_the_content()
    {
        var response = await site.GetAsync("/static/small.txt");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.StartsWith("\"", response.Header("ETag"), StringComparison.Ordinal);
        Assert.NotNull(response.Header("Last-Modified"));
        Assert.Equal(site.SmallText, Encoding.UTF8.GetString(response.Body));
    }

    [Theory]
    [InlineData("bytes=100-199", 100, 199)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=900-", 900, 999)]
    [InlineData("bytes=-50", 950, 999)]
    [InlineData("bytes=990-5000", 990, 999)]
    public async Task A_satisfiable_range_gets_206_with_exactly_those_bytes(string range, int first, int last)
    {
        var response = await site.GetAsync("/static/data.bin", $"Range: {range}\r\n");

        Assert.Equal(206, response.Status);
        Assert.Equal($"bytes {first}-{last}/1000", response.Header("Content-Range"));
        Assert.Equal((last - first + 1).ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(site.Data.AsSpan(first, last - first + 1).ToArray(), response.Body);
    }

    [Fact]
    public async Task A_range_at_the_end_of_the_1_GiB_file_gets_206_with_the_tail()
    {
        var response = await site.GetAsync("/static/big.bin", "Range: bytes=1073741800-\r\n");

        Assert.Equal(206, response.Status);
        Assert.Equal("bytes 1073741800-1073741823/1073741824", response.Header("Content-Range"));
        Assert.Equal(new byte[24], response.Body);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    public async Task A_range_past_the_end_gets_416_with_the_length(string range)
    {
        var response = await site.GetAsync("/static/data.bin", $"Range: {range}\r\n");

        Assert.Equal(416, response.Status);
        Assert.Equal("bytes */1000", response.Header("Content-Range"));
    }

    [Fact]
    public async Task If_None_Match_with_the_ETag_gets_304_and_another_tag_gets_200()
    {
        var first = await site.GetAsync("/static/data.bin");
        string etag = first.Header("ETag") ?? throw new Xunit.Sdk.XunitException("no ETag");

        using var connection = await site.ConnectAsync();
        await connection.SendAsync(
            $"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n" +
            "GET /static/data.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"not-it\"\r\n\r\n");
        var notModified = await connection.ReadResponseAsync(headRequest: true); // RFC 9110 §15.4.5: a 304 has no content
        var changed = await connection.ReadResponseAsync(headRequest: false);

        Assert.Equal(304, notModified.Status);
        Assert.Equal(etag, notModified.Header("ETag"));
        Assert.Equal(200, changed.Status);
        Assert.Equal(site.Data, changed.Body);
    }

    [Fact]
    public async Task If_Modified_Since_the_Last_Modified_date_gets_304_and_an_older_date_gets_200()
    {
        var first = await site.GetAsync("/static/data.bin");
        string lastModified = first.Header("Last-Modified") ?? throw new Xunit.Sdk.XunitException("no Last-Modified");
        string older = DateTimeOffset.Parse(lastModified, CultureInfo.InvariantCulture).AddDays(-1).ToString("r", CultureInfo.InvariantCulture);

        using var connection = await site.ConnectAsync();
        await connection.SendAsync(
            $"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: {lastModified}\r\n\r\n" +
            $"GET /static/data.bin HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: {older}\r\n\r\n");
        var notModified = await connection.ReadResponseAsync(headRequest: true);
        var modified = await connection.ReadResponseAsync(headRequest: false);

        Assert.Equal(304, notModified.Status);
        Assert.Equal(200, modified.Status);
        Assert.Equal(site.Data, modified.Body);
    }

    [Theory]
    [InlineData("/static/../secret")]
    [InlineData("/static/%2e%2e/secret")]
    [InlineData("/static/%2E%2E/secret")]
    [InlineData("/static/.%2e/secret")]
    [InlineData("/static/..%2fsecret")]
    [InlineData("/static/..%2Fsecret")]
    [InlineData("/static/%2e%2e%2fsecret")]
    [InlineData("/static/..%5csecret")]
    [InlineData("/static/site/../../secret")]
    [InlineData("/static/%2fsecret")]
    [InlineData("/static//secret")]
    [InlineData("/static/escape")]
    [InlineData("/static/escape-dir/secret")]
    public async Task Every_way_out_of_the_root_is_404(string target)
    {
        var response = await site.GetAsync(target);

        Assert.Equal(404, response.Status);
        Assert.DoesNotContain(Site.SecretText, Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_that_stays_inside_the_root_is_served()
    {
        var response = await site.GetAsync("/static/inside-link");

        Assert.Equal(200, response.Status);
        Assert.Equal(site.SmallText, Encoding.UTF8.GetString(response.Body));
    }

    [Theory]
    [InlineData("/static/empty-dir/")]
    [InlineData("/static/empty-dir")]
    public async Task A_directory_without_an_index_is_404(string target)
    {
        var response = await site.GetAsync(target);

        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task A_directory_with_index_html_serves_it()
    {
        var response = await site.GetAsync("/static/site/");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(Site.IndexHtml, Encoding.UTF8.GetString(response.Body));
    }

    /// <summary>
    /// A temporary tree served in-process at <c>/static</c>: <c>base/secret</c> outside the root, and below
    /// <c>base/root</c> a small text file, 1000 random bytes, a sparse 1 GiB file, directories with and without an
    /// index, and symbolic links that lead out of the root and one that stays in. One app per reactor mode.
    /// </summary>
    public sealed class Site : IAsyncLifetime
    {
        public const string SecretText = "TOP SECRET: outside the static root";
        public const string IndexHtml = "<!doctype html><title>site</title><p>index</p>\n";

        private readonly string _base = Path.Combine(Path.GetTempPath(), "netloop-static-" + Guid.NewGuid().ToString("N"));
        private readonly Dictionary<ServerMode, StaticApp> _apps = [];

        public string SmallText { get; } = "hello from the static root\n";

        public byte[] Data { get; } = Clients.RandomBytes(1000, seed: 20);

        public async Task InitializeAsync()
        {
            string root = Path.Combine(_base, "root");
            Directory.CreateDirectory(root);
            await File.WriteAllTextAsync(Path.Combine(_base, "secret"), SecretText);
            await File.WriteAllTextAsync(Path.Combine(root, "small.txt"), SmallText);
            await File.WriteAllBytesAsync(Path.Combine(root, "data.bin"), Data);
            using (var big = File.Create(Path.Combine(root, "big.bin")))
            {
                big.SetLength(OneGiB); // sparse: no disk blocks behind it
            }
            Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
            Directory.CreateDirectory(Path.Combine(root, "site"));
            await File.WriteAllTextAsync(Path.Combine(root, "site", "index.html"), IndexHtml);
            File.CreateSymbolicLink(Path.Combine(root, "escape"), "../secret");
            File.CreateSymbolicLink(Path.Combine(root, "escape-dir"), _base);
            File.CreateSymbolicLink(Path.Combine(root, "inside-link"), "small.txt");

            _apps[ServerMode.Epoll] = StaticApp.Start(root, ServerMode.Epoll);
            _apps[ServerMode.Poll] = StaticApp.Start(root, ServerMode.Poll);
        }

        public async Task DisposeAsync()
        {
            try
            {
                foreach (var app in _apps.Values) await app.DisposeAsync();
            }
            finally
            {
                Directory.Delete(_base, recursive: true);
            }
        }

        internal async Task<RawConnection> ConnectAsync(ServerMode mode = ServerMode.Epoll) => new(await Clients.ConnectAsync(_apps[mode].EndPoint));

        /// <summary>One GET of <paramref name="target"/> exactly as given, with <paramref name="extraHeaders"/> (each ending in CRLF).</summary>
        internal async Task<RawResponse> GetAsync(string target, string extraHeaders = "")
        {
            using var connection = await ConnectAsync();
            await connection.SendAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n{extraHeaders}\r\n");
            return await connection.ReadResponseAsync(headRequest: false);
        }
    }

    /// <summary>An in-process app serving static files only.</summary>
    private sealed class StaticApp : IAsyncDisposable
    {
        private readonly NetloopApp _app;

        private StaticApp(NetloopApp app) => _app = app;

        public IPEndPoint EndPoint => _app.LocalEndPoint;

        public static StaticApp Start(string root, ServerMode mode)
        {
            var builder = NetloopServer.CreateBuilder([]);
            builder.Options.Port = 0;
            builder.UseMode(mode);
            builder.Options.Loops = 2;
            builder.Options.ShutdownTimeout = TimeSpan.FromSeconds(5);
            var app = builder.Build();
            app.MapStaticFiles("/static", root);
            app.Start();
            return new StaticApp(app);
        }

        public async ValueTask DisposeAsync() => await _app.StopAsync().WaitAsync(Clients.Patience);
    }

    internal sealed record RawResponse(int Status, string Head, byte[] Body)
    {
        /// <summary>The first field named <paramref name="name"/> (case-insensitive), or null.</summary>
        public string? Header(string name)
        {
            foreach (string line in Head.Split("\r\n").Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
            }
            return null;
        }
    }

    /// <summary>A client connection that reads responses one at a time, keeping what arrives after each.</summary>
    internal sealed class RawConnection(Socket socket) : IDisposable
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _start;
        private int _end;

        public Task SendAsync(string request) => socket.SendAsync(Encoding.Latin1.GetBytes(request), SocketFlags.None).WaitAsync(Clients.Patience);

        public async Task<RawResponse> ReadResponseAsync(bool headRequest)
        {
            using var timeout = new CancellationTokenSource(Clients.Patience);
            var head = await ReadHeadAsync(timeout.Token);
            if (headRequest || head.Status is 304 or 204 || (head.Status >= 100 && head.Status < 200)) return head;
            string? length = head.Header("Content-Length");
            Assert.True(length is not null, $"a response without Content-Length:\n{head.Head}");
            var body = new byte[int.Parse(length, CultureInfo.InvariantCulture)];
            int filled = 0;
            while (filled < body.Length)
            {
                if (_start == _end) await FillAsync(timeout.Token);
                int n = Math.Min(body.Length - filled, _end - _start);
                _buffer.AsSpan(_start, n).CopyTo(body.AsSpan(filled));
                _start += n;
                filled += n;
            }
            return head with { Body = body };
        }

        /// <summary>Reads a status line and header fields; the body stays unread.</summary>
        public async Task<RawResponse> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    string head = Encoding.Latin1.GetString(_buffer, _start, end);
                    _start += end + 4;
                    Assert.True(head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && head.Length >= 12, $"not a status line:\n{head}");
                    return new RawResponse(int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture), head, []);
                }
                if (_start == 0 && _end == _buffer.Length) Assert.Fail("a response head over 1 MiB");
                await FillAsync(cancellationToken);
            }
        }

        /// <summary>Reads <paramref name="length"/> body bytes without keeping them; returns the count and the offset of the first non-zero byte (-1 if none).</summary>
        public async Task<(long Count, long FirstNonZero)> CountBodyAsync(long length, CancellationToken cancellationToken)
        {
            long count = 0, firstNonZero = -1;
            while (count < length)
            {
                if (_start == _end) await FillAsync(cancellationToken);
                int n = (int)Math.Min(length - count, _end - _start);
                int nonZero = _buffer.AsSpan(_start, n).IndexOfAnyExcept((byte)0);
                if (nonZero >= 0 && firstNonZero < 0) firstNonZero = count + nonZero;
                _start += n;
                count += n;
            }
            return (count, firstNonZero);
        }

        public void Dispose() => socket.Dispose();

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            if (n == 0) throw new EndOfStreamException($"the server closed the connection; unread: {Encoding.Latin1.GetString(_buffer, _start, _end - _start)}");
            _end += n;
        }
    }
}
