using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Netloop.Http;
using Netloop.Server;
using Netloop.Tests.Integration.Http;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// One app — routes with values, query and headers, a middleware, JSON, body echo, a streamed request body, status
/// codes, static files with HEAD, 304 and Range, trailers — served on a real socket and asked the same things by .NET's
/// HttpClient over HTTP/1.1 and over HTTP/2 (h2c by prior knowledge): every answer must be the same, and come over the
/// protocol that was asked for.
/// </summary>
public sealed class SameAppTests(SameAppTests.Site site) : IClassFixture<SameAppTests.Site>
{
    public static TheoryData<string> Protocols => new() { "1.1", "2.0" };

    private async Task<Answer> SendAsync(string version, HttpMethod method, string path, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        prepare?.Invoke(request);
        // Not disposed: the answer's headers are read after the body (which is read whole here).
        var response = await site.Client.SendAsync(request).WaitAsync(Clients.Patience);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Version.Parse(version), response.Version);
        // The middleware saw every request, whatever answered it.
        Assert.True(response.Headers.TryGetValues("X-Middleware", out var seen) && seen.Single() == "seen",
            $"{method} {path} over HTTP/{version}: {(int)response.StatusCode} without the middleware's header\n{response}");
        return new Answer(response, body);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Route_values_query_and_headers_in_and_out_give_json(string version)
    {
        var answer = await SendAsync(version, HttpMethod.Get, "/users/42?q=hello%20world", r => r.Headers.Add("X-Client", "same-app"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("42", answer.Header("X-User-Id"));
        Assert.Equal("""{"id":42,"q":"hello world","client":"same-app"}""", answer.Text);
        Assert.Equal(version == "2.0" ? "HTTP/2" : "HTTP/1.1", answer.Header("X-Request-Protocol"));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Status_codes_come_from_routing_and_handlers(string version)
    {
        var missing = await SendAsync(version, HttpMethod.Get, "/nope");
        var wrongMethod = await SendAsync(version, HttpMethod.Delete, "/users/1");
        var invalid = await SendAsync(version, HttpMethod.Get, "/users/abc");
        var teapot = await SendAsync(version, HttpMethod.Get, "/status/418");
        var noContent = await SendAsync(version, HttpMethod.Get, "/status/204");

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Not Found\n", missing.Text);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.Status);
        Assert.Contains("GET", wrongMethod.Response.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal("invalid id: abc", invalid.Text);
        Assert.Equal((HttpStatusCode)418, teapot.Status);
        Assert.Equal(HttpStatusCode.NoContent, noContent.Status);
        Assert.Empty(noContent.Body);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Small_and_1_MB_post_bodies_are_echoed(string version)
    {
        foreach (int size in new[] { 11, 1024 * 1024 })
        {
            byte[] payload = Payload(size, seed: size);
            var answer = await SendAsync(version, HttpMethod.Post, "/echo", r =>
            {
                r.Content = new ByteArrayContent(payload);
                r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-test");
            });

            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal("application/x-test", answer.ContentType);
            Assert.Equal(payload, answer.Body);
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_request_body_of_unknown_length_streams_through_the_handler(string version)
    {
        byte[] payload = Payload(3 * 1024 * 1024 + 17, seed: 7);
        var answer = await SendAsync(version, HttpMethod.Post, "/digest", r => r.Content = new PiecewiseContent(payload, 64 * 1024));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal($"{payload.Length} {Convert.ToHexString(SHA256.HashData(payload))}", answer.Text);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_static_file_answers_get_head_if_none_match_and_range(string version)
    {
        var get = await SendAsync(version, HttpMethod.Get, "/static/data.bin");
        var head = await SendAsync(version, HttpMethod.Head, "/static/data.bin");
        string etag = get.Response.Headers.ETag!.ToString();
        var notModified = await SendAsync(version, HttpMethod.Get, "/static/data.bin", r => r.Headers.TryAddWithoutValidation("If-None-Match", etag));
        var range = await SendAsync(version, HttpMethod.Get, "/static/data.bin", r => r.Headers.Range = new RangeHeaderValue(100, 199));

        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(site.StaticFile, get.Body);
        Assert.Equal(site.StaticFile.Length, get.Response.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Equal(site.StaticFile.Length, head.Response.Content.Headers.ContentLength);
        Assert.Equal(etag, head.Response.Headers.ETag!.ToString());
        Assert.Empty(head.Body);
        Assert.Equal(HttpStatusCode.NotModified, notModified.Status);
        Assert.Empty(notModified.Body);
        Assert.Equal(HttpStatusCode.PartialContent, range.Status);
        Assert.Equal($"bytes 100-199/{site.StaticFile.Length}", range.Response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(site.StaticFile.AsSpan(100, 100).ToArray(), range.Body);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Trailers_arrive_after_the_body(string version)
    {
        var answer = await SendAsync(version, HttpMethod.Get, "/grpcish", r => r.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers")));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("hello", answer.Text);
        Assert.Equal("0", answer.Trailer("grpc-status"));
        Assert.Equal("all good", answer.Trailer("grpc-message"));
    }

    /// <summary>Every request above, asked over both protocols, gets answers that agree field for field.</summary>
    [Fact]
    public async Task Every_answer_is_the_same_over_http11_and_http2()
    {
        var requests = new (string Name, HttpMethod Method, string Path, Action<HttpRequestMessage>? Prepare)[]
        {
            ("route", HttpMethod.Get, "/users/7?q=x", r => r.Headers.Add("X-Client", "c")),
            ("404", HttpMethod.Get, "/nope", null),
            ("405", HttpMethod.Put, "/users/7", null),
            ("400", HttpMethod.Get, "/users/seven", null),
            ("418", HttpMethod.Get, "/status/418", null),
            ("echo small", HttpMethod.Post, "/echo", r => r.Content = new StringContent("ping", Encoding.UTF8, "text/plain")),
            ("echo 1 MB", HttpMethod.Post, "/echo", r => r.Content = new ByteArrayContent(Payload(1024 * 1024, 3))),
            ("digest", HttpMethod.Post, "/digest", r => r.Content = new PiecewiseContent(Payload(700_000, 4), 50_000)),
            ("file", HttpMethod.Get, "/static/data.bin", null),
            ("file HEAD", HttpMethod.Head, "/static/data.bin", null),
            ("file range", HttpMethod.Get, "/static/data.bin", r => r.Headers.Range = new RangeHeaderValue(10, 20)),
            ("file missing", HttpMethod.Get, "/static/none.bin", null),
            ("trailers", HttpMethod.Get, "/grpcish", r => r.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"))),
        };
        foreach (var (name, method, path, prepare) in requests)
        {
            var overHttp11 = await SendAsync("1.1", method, path, prepare);
            var overHttp2 = await SendAsync("2.0", method, path, prepare);
            Assert.Equal(name + ": " + overHttp11.Summary(), name + ": " + overHttp2.Summary());
        }
    }

    private static byte[] Payload(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A response read whole.</summary>
    private sealed record Answer(HttpResponseMessage Response, byte[] Body)
    {
        public HttpStatusCode Status => Response.StatusCode;

        public string Text => Encoding.UTF8.GetString(Body);

        public string? ContentType => Response.Content.Headers.ContentType?.ToString();

        public string? Header(string name) => Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

        public string? Trailer(string name) => Response.TrailingHeaders.TryGetValues(name, out var values) ? string.Join(",", values) : null;

        /// <summary>Status, the fields an application sets or the server derives from the resource, trailers and the body's hash.</summary>
        public string Summary()
        {
            var content = Response.Content.Headers;
            var fields = new[]
            {
                $"status={(int)Status}",
                $"content-type={ContentType}",
                $"content-length={content.ContentLength}",
                $"content-range={content.ContentRange}",
                $"allow={string.Join(",", content.Allow)}",
                $"etag={Response.Headers.ETag}",
                $"last-modified={content.LastModified}",
                $"accept-ranges={string.Join(",", Response.Headers.AcceptRanges)}",
                $"x-user-id={Header("X-User-Id")}",
                $"x-middleware={Header("X-Middleware")}",
                $"trailers={string.Join(";", Response.TrailingHeaders.Select(t => t.Key.ToLowerInvariant() + "=" + string.Join(",", t.Value)))}",
                $"body={Body.Length}:{Convert.ToHexString(SHA256.HashData(Body))[..16]}",
            };
            return string.Join(" ", fields);
        }
    }

    /// <summary>A body sent in pieces with no length announced: chunked over HTTP/1.1, DATA frames until END_STREAM over HTTP/2.</summary>
    private sealed class PiecewiseContent(byte[] payload, int piece) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int offset = 0; offset < payload.Length; offset += piece)
            {
                await stream.WriteAsync(payload.AsMemory(offset, Math.Min(piece, payload.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>The app, on 127.0.0.1 and an ephemeral port, and one HttpClient that keeps its connections (one per protocol).</summary>
    public sealed class Site : IAsyncLifetime
    {
        private HttpTestApp? _app;
        private readonly string _root = Path.Combine(Path.GetTempPath(), "netloop-sameapp-" + Guid.NewGuid().ToString("N"));

        public byte[] StaticFile { get; } = Payload(100_000, seed: 42);

        public HttpClient Client { get; private set; } = null!;

        public Uri BaseAddress { get; private set; } = null!;

        public Task InitializeAsync()
        {
            Directory.CreateDirectory(_root);
            File.WriteAllBytes(Path.Combine(_root, "data.bin"), StaticFile);
            _app = HttpTestApp.Start(Map, builder =>
            {
                builder.Json.TypeInfoResolverChain.Insert(0, SameAppJson.Default);
                builder.Json.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            });
            BaseAddress = new Uri($"http://127.0.0.1:{_app.EndPoint.Port}");
            Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = BaseAddress, Timeout = Clients.Patience };
            return Task.CompletedTask;
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            if (_app is not null) await _app.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }

        private void Map(NetloopApp app)
        {
            app.Use((context, next) =>
            {
                context.Response.Headers["X-Middleware"] = "seen";
                return next(context);
            });
            app.MapGet("/users/{id}", context =>
            {
                string id = context.Route["id"]!;
                if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
                {
                    context.Response.StatusCode = 400;
                    context.Response.WriteText("invalid id: " + id);
                    return;
                }
                context.Response.Headers["X-User-Id"] = id;
                context.Response.Headers["X-Request-Protocol"] = context.Request.Protocol;
                context.Response.WriteJson(new SameAppUser(number, context.Request.Query["q"], context.Request.Headers["X-Client"]));
            });
            app.MapGet("/status/{code:int}", context =>
            {
                context.Response.StatusCode = int.Parse(context.Route["code"]!, CultureInfo.InvariantCulture);
            });
            app.MapPost("/echo", async context =>
            {
                context.Response.ContentType = context.Request.Headers["Content-Type"] ?? "application/octet-stream";
                await context.Request.Body.CopyToAsync(context.Response.Body);
            });
            app.MapPost("/digest", async context =>
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[16 * 1024];
                long total = 0;
                int n;
                while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    total += n;
                }
                context.Response.WriteText($"{total} {Convert.ToHexString(hash.GetHashAndReset())}");
            });
            app.MapGet("/grpcish", context =>
            {
                context.Response.ContentType = "text/plain";
                context.Response.WriteText("hello");
                if (!context.Response.SupportsTrailers) return;
                context.Response.AppendTrailer("grpc-status", "0");
                context.Response.AppendTrailer("grpc-message", "all good");
            });
            app.MapStaticFiles("/static", _root);
        }
    }
}

internal sealed record SameAppUser(int Id, string? Q, string? Client);

[JsonSerializable(typeof(SameAppUser))]
internal sealed partial class SameAppJson : JsonSerializerContext;
