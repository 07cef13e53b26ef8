using System.Text;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// Requests that arrive in pieces, on the in-memory connection: however the bytes are split, and however long the gaps
/// (a fake clock moves on between pieces, short of the timeouts), the answers are the same.
/// </summary>
public class SegmentationTests
{
    private static HttpProtocolFactory App(HttpLimits? limits = null) => new(async ctx =>
    {
        if (ctx.Request.Method == "POST")
        {
            var body = await ctx.Request.Body.ReadAllAsync();
            ctx.Response.Write(body);
            return;
        }
        ctx.Response.WriteText("path " + ctx.Request.Path);
    }, limits);

    private static string Deliver(InMemoryConnection connection, FakeClock clock, params string[] parts)
    {
        var output = new StringBuilder();
        foreach (var part in parts)
        {
            connection.Receive(Encoding.ASCII.GetBytes(part));
            clock.Advance(TimeSpan.FromMilliseconds(500)); // a gap, well short of the request-headers timeout
            connection.RunDueTimer();
            while (connection.RunPosted() > 0)
            {
            }
            output.Append(Encoding.ASCII.GetString(connection.TakeOutput()));
        }
        return output.ToString();
    }

    [Fact]
    public void A_request_split_across_three_segments_with_gaps_is_served()
    {
        var clock = new FakeClock();
        var connection = new InMemoryConnection(App().Create(), clock);

        string response = Deliver(connection, clock, "GET /plain", "text HTTP/1.1\r\nHo", "st: x\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.EndsWith("path /plaintext", response, StringComparison.Ordinal);
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public void A_POST_whose_first_byte_arrives_alone_is_not_mistaken_for_HTTP2()
    {
        var clock = new FakeClock();
        var connection = new InMemoryConnection(App().Create(), clock);

        string response = Deliver(connection, clock, "P", "OST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");

        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.EndsWith("hi", response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_and_a_pipelined_request_split_at_every_byte_get_the_same_two_answers()
    {
        const string Requests = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        for (int split = 1; split < Requests.Length; split++)
        {
            var clock = new FakeClock();
            var connection = new InMemoryConnection(App().Create(), clock);

            string response = Deliver(connection, clock, Requests[..split], Requests[split..]);

            int echoed = response.IndexOf("\r\n\r\nhelloabc", StringComparison.Ordinal);
            Assert.True(echoed > 0, $"split at {split}: no echo in {response}");
            Assert.True(response.IndexOf("path /after", StringComparison.Ordinal) > echoed, $"split at {split}: second answer missing or first");
            Assert.True(connection.IsClosed, $"split at {split}: not closed");
        }
    }

    [Fact]
    public void An_HTTP2_preface_split_across_reads_is_refused_with_GOAWAY_when_only_HTTP1_is_served()
    {
        var clock = new FakeClock();
        var connection = new InMemoryConnection(App(new HttpLimits { Protocols = HttpProtocols.Http1 }).Create(), clock);

        var reply = Encoding.Latin1.GetBytes(Deliver(connection, clock, "PRI * HTTP/2.0\r\n", "\r\nSM\r\n\r\n"));

        // SETTINGS (type 4) then GOAWAY (type 7) with error HTTP_1_1_REQUIRED (0xd).
        Assert.Equal(4, reply[3]);
        Assert.Equal(7, reply[12]);
        Assert.Equal(0xd, reply[^1]);
        Assert.True(connection.IsClosed);
    }
}
