using System.Text;
using CsCheck;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>A generated request with its body, framed by Content-Length or chunked.</summary>
internal sealed record GeneratedRequest(GeneratedHead Head, string Body, bool Chunked, string Text)
{
    public override string ToString() => Show(Encoding.Latin1.GetBytes(Text));
}

/// <summary>
/// The whole HTTP/1.1 connection on the in-memory connection with a driven clock: pipelined valid requests split
/// anywhere are each answered with their own body; mutated byte streams never throw out of the protocol, and once the
/// client has sent everything and half-closed, the connection always ends (closed, with responses or nothing) as
/// the clock runs on, never hangs.
/// </summary>
public class Http1ConnectionProperties
{
    private static readonly Gen<GeneratedRequest> Requests = Gen.Select(
        RequestHeadParserProperties.Heads, Gen.Char[' ', '~'].Array[0, 200], Gen.Bool, Gen.Int[1, 64],
        (head, body, chunked, chunkSize) =>
        {
            string bodyText = new(body);
            string framing = chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {bodyText.Length}\r\n";
            var text = new StringBuilder(head.Text[..^2]).Append(framing).Append("\r\n");
            if (!chunked)
            {
                text.Append(bodyText);
            }
            else
            {
                for (int at = 0; at < bodyText.Length; at += chunkSize)
                {
                    string chunk = bodyText.Substring(at, Math.Min(chunkSize, bodyText.Length - at));
                    text.Append(chunk.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append(chunk).Append("\r\n");
                }
                text.Append("0\r\n\r\n");
            }
            return new GeneratedRequest(head, bodyText, chunked, text.ToString());
        });

    private static async ValueTask Echo(HttpContext context)
    {
        byte[] body = await context.Request.Body.ReadAllAsync();
        if (body.Length % 3 == 0) await Task.Yield(); // some answers come back through the connection's posted work
        context.Response.Write(body);
    }

    private static InMemoryConnection Connect(FakeClock clock) => new(new HttpProtocolFactory(Echo, new HttpLimits()).Create(), clock);

    /// <summary>Delivers the pieces as a transport would, running posted work (handler continuations) after each.</summary>
    private static void Deliver(InMemoryConnection connection, byte[] bytes, int[] cuts)
    {
        foreach (byte[] piece in Pieces(bytes, cuts))
        {
            if (!connection.Receive(piece)) return;
            connection.RunPosted();
        }
    }

    /// <summary>As a loop would: the clock moves on a second at a time, due timers fire and posted work runs, up to two minutes.</summary>
    private static void RunClock(InMemoryConnection connection, FakeClock clock)
    {
        for (int second = 0; second < 120 && !connection.IsClosed; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            connection.RunDueTimer();
            connection.RunPosted();
        }
    }

    [Fact]
    public void Pipelined_valid_requests_split_anywhere_are_each_answered_with_their_body()
    {
        Gen.Select(Requests.Array[1, 4], Cuts).Sample((requests, cuts) =>
        {
            var clock = new FakeClock();
            var connection = Connect(clock);
            byte[] bytes = Encoding.Latin1.GetBytes(string.Concat(requests.Select(r => r.Text)));
            Deliver(connection, bytes, cuts);
            connection.RunPosted();

            string output = Encoding.Latin1.GetString(connection.TakeOutput());
            Assert.False(connection.IsClosed);
            string[] responses = output.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(requests.Length, responses.Length);
            for (int i = 0; i < requests.Length; i++)
            {
                bool isHead = requests[i].Head.Method == "HEAD";
                Assert.StartsWith("200 ", responses[i]);
                Assert.Contains($"Content-Length: {requests[i].Body.Length}\r\n", responses[i], StringComparison.Ordinal);
                Assert.EndsWith("\r\n\r\n" + (isHead ? "" : requests[i].Body), responses[i]);
            }
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Mutated_streams_never_throw_and_always_end_in_responses_or_a_clean_close()
    {
        Gen.Select(Requests.Array[1, 3], Mutations, Cuts).Sample((requests, mutations, cuts) =>
        {
            var clock = new FakeClock();
            var connection = Connect(clock);
            byte[] bytes = Apply(Encoding.Latin1.GetBytes(string.Concat(requests.Select(r => r.Text))), mutations);
            Deliver(connection, bytes, cuts);
            connection.CompleteInput(); // the client sent everything and half-closed
            connection.RunPosted();
            RunClock(connection, clock);

            Assert.True(connection.IsClosed, "the connection is still open two minutes after the client's FIN");
            string output = Encoding.Latin1.GetString(connection.TakeOutput());
            if (output.Length > 0) Assert.StartsWith("HTTP/1.1 ", output);
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Mutated_streams_from_a_client_that_stays_connected_end_or_stay_answerable()
    {
        Gen.Select(Requests.Array[1, 3], Mutations, Cuts).Sample((requests, mutations, cuts) =>
        {
            var clock = new FakeClock();
            var connection = Connect(clock);
            byte[] bytes = Apply(Encoding.Latin1.GetBytes(string.Concat(requests.Select(r => r.Text))), mutations);
            Deliver(connection, bytes, cuts);
            RunClock(connection, clock);

            // Without a FIN, the timeouts (request headers, body data rate) end what is unfinished; a connection
            // still open after two minutes must be idle between requests, and then it answers a new one.
            string output = Encoding.Latin1.GetString(connection.TakeOutput());
            if (output.Length > 0) Assert.StartsWith("HTTP/1.1 ", output);
            if (connection.IsClosed) return;
            Assert.True(connection.UnconsumedBytes == 0, $"{connection.UnconsumedBytes} bytes left unconsumed, no timer {connection.TimerDueMs}; sent {Show(bytes.AsSpan(Math.Max(0, bytes.Length - 120)))}; answered {Show(Encoding.Latin1.GetBytes(output[Math.Max(0, output.Length - 300)..]))}");
            Assert.True(connection.Receive("GET /again HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"u8));
            connection.RunPosted();
            Assert.EndsWith("\r\n\r\nok", Encoding.Latin1.GetString(connection.TakeOutput()));
        }, time: Seconds, threads: Threads);
    }
}
