using System.Globalization;
using Netloop.Server;
using Netloop.Tests.Integration.Http;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// One connection, many streams, one of them huge (100 MiB from a reused 1 MiB buffer) or stalled by its reader:
/// per-stream flow control (RFC 9113 §5.2) must keep the other streams moving. Driven by <c>scripts/h2download.py</c>.
/// </summary>
public sealed class Http2DownloadTests(ITestOutputHelper output)
{
    private const int Chunk = 1 << 20;
    private const long BigSize = 100L * Chunk;

    /// <summary>Byte i of the big body is (i % 1 MiB) % 251: the script checks every byte.</summary>
    private static readonly byte[] s_chunk = Enumerable.Range(0, Chunk).Select(i => (byte)(i % 251)).ToArray();

    [Fact]
    public async Task Small_requests_complete_beside_a_100_MB_download_and_beside_a_stream_its_reader_stopped_reading()
    {
        await using var app = HttpTestApp.Start(map =>
        {
            map.MapGet("/plaintext", context => context.Response.WriteText("Hello, World!"));
            map.MapGet("/big", async context =>
            {
                context.Response.ContentType = "application/octet-stream";
                for (int i = 0; i < BigSize / Chunk && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(s_chunk, context.RequestAborted);
                }
            });
        });

        var run = await Http2Tools.PythonAsync(output, "h2download.py",
            [app.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "/big", BigSize.ToString(CultureInfo.InvariantCulture), "/plaintext", "Hello, World!"],
            TimeSpan.FromSeconds(300));
        var report = run.Json();
        output.WriteLine(report.ToString());

        var concurrent = report.GetProperty("concurrent");
        var big = concurrent.GetProperty("big");
        Assert.True(big.GetProperty("status").GetString() == "200" && big.GetProperty("done").GetBoolean(), $"{concurrent}");
        Assert.Equal(BigSize, big.GetProperty("bytes").GetInt64());
        Assert.True(big.GetProperty("intact").GetBoolean(), $"the 100 MiB body differs from what was sent: {concurrent}");
        Assert.Equal(25, concurrent.GetProperty("small_sent").GetInt32());
        Assert.True(concurrent.GetProperty("small_ok").GetInt32() == 25, $"{concurrent}");

        // The big stream's window is never reopened: the server may send 64 KiB of it and no more, and 50 small requests
        // on the same connection still complete; after the stalled stream is cancelled the connection goes on.
        var stalled = report.GetProperty("stalled");
        Assert.True(stalled.GetProperty("small_ok").GetInt32() == 50, $"{stalled}");
        Assert.Equal("200", stalled.GetProperty("big_status").GetString());
        Assert.True(stalled.GetProperty("big_bytes_while_stalled").GetInt64() <= 65536, $"sent past the stream window: {stalled}");
        Assert.False(stalled.GetProperty("big_done").GetBoolean());
        Assert.True(stalled.GetProperty("after_cancel_ok").GetBoolean(), $"{stalled}");
        Assert.True(stalled.GetProperty("goaway").ValueKind == System.Text.Json.JsonValueKind.Null, $"{stalled}");
        Assert.Empty(app.Logs.Errors);
    }
}
