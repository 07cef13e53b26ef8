using Netloop.Transport;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// A request's lifetime on the in-memory connection: <see cref="HttpContext.RequestAborted"/>, the synchronization
/// context's tie to its request, and which failures are logged as the client's (one Debug line) or the handler's (an
/// error and a 500).
/// </summary>
public class RequestLifetimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string Text(InMemoryConnection connection) => Encoding.ASCII.GetString(connection.TakeOutput());

    [Theory]
    [InlineData(CloseReason.Reset)]
    [InlineData(CloseReason.PeerClosed)]
    [InlineData(CloseReason.Shutdown)]
    [InlineData(CloseReason.IdleTimeout)]
    public void RequestAborted_is_cancelled_when_the_connection_goes_away_while_the_handler_runs(CloseReason reason)
    {
        var gate = new TaskCompletionSource();
        CancellationToken seen = default;
        bool callbackRan = false;
        var factory = new HttpProtocolFactory(async ctx =>
        {
            seen = ctx.RequestAborted;
            seen.Register(() => callbackRan = true);
            await gate.Task;
        });
        var connection = new InMemoryConnection(factory.Create());
        Assert.True(connection.Receive("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        Assert.False(seen.IsCancellationRequested);

        connection.Drop(reason); // the client reset it, or the server stopped (CloseReason.Shutdown)

        Assert.True(seen.IsCancellationRequested);
        Assert.True(callbackRan);
        gate.SetResult();
    }

    [Fact]
    public async Task A_handler_awaiting_RequestAborted_ends_when_the_client_goes_away_and_it_is_not_an_error()
    {
        var logs = new CapturingLoggerFactory();
        var ended = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new HttpProtocolFactory(async ctx =>
        {
            var never = new TaskCompletionSource();
            try
            {
                await never.Task.WaitAsync(ctx.RequestAborted);
            }
            catch (Exception e)
            {
                ended.SetResult(e);
                throw;
            }
        }, logger: logs.CreateLogger("http"));
        var connection = new InMemoryConnection(factory.Create());
        Assert.True(connection.Receive("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"u8));

        connection.Drop(CloseReason.Reset);
        await WaitForAsync(connection, () => ended.Task.IsCompleted);
        var error = await ended.Task;
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        await WaitForAsync(connection, () => logs.Entries.Any(e => e.Message.Contains("ended by the client", StringComparison.Ordinal)));

        Assert.Empty(logs.Errors);
    }

    [Fact]
    public void RequestAborted_stays_uncancelled_after_a_normal_finish_and_is_reused_for_the_next_request()
    {
        var tokens = new List<CancellationToken>();
        var factory = new HttpProtocolFactory(ctx =>
        {
            tokens.Add(ctx.RequestAborted);
            ctx.Response.WriteText("ok");
            return ValueTask.CompletedTask;
        });
        var connection = new InMemoryConnection(factory.Create());

        Assert.True(connection.Receive("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        connection.Drop(CloseReason.Reset); // after both answers: nothing in progress to abort

        Assert.Equal(2, tokens.Count);
        Assert.All(tokens, t => Assert.False(t.IsCancellationRequested));
        Assert.All(tokens, t => Assert.True(t.CanBeCanceled));
        Assert.Equal(2, CountOf(Text(connection), "200 OK"));
    }

    [Fact]
    public async Task Late_work_of_a_finished_async_request_never_runs_inside_another_clients_request()
    {
        var leftBehind = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateRan = new TaskCompletionSource<(SynchronizationContext? Context, int Thread)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new HttpProtocolFactory(async ctx =>
        {
            if (ctx.Request.Path == "/first")
            {
                _ = LeaveWorkBehind(leftBehind.Task, lateRan);
                await firstGate.Task;
                ctx.Response.WriteText("first");
                return;
            }
            await secondGate.Task;
            ctx.Response.WriteText("second");
        });
        var a = new InMemoryConnection(factory.Create());
        Assert.True(a.Receive("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        var stateMachine = a.Protocol;
        firstGate.SetResult();
        await WaitForAsync(a, () => Text(a).EndsWith("first", StringComparison.Ordinal));
        a.Drop(CloseReason.PeerClosed);

        // Another client's request, most likely on the very same pooled state machine, with its handler in flight.
        var b = new InMemoryConnection(factory.Create());
        Assert.True(b.Receive("GET /second HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        Assert.Same(stateMachine, b.Protocol);

        leftBehind.SetResult(); // the first request's leftover continuation comes due now
        // It runs without the test running b's posted work (were it sent to b, it would wait in b's queue)...
        var (context, _) = await lateRan.Task.WaitAsync(Patience);

        Assert.Equal(0, b.PostedCount); // ...it was not sent to b's connection, and ran outside every connection
        Assert.IsNotType<ConnectionSynchronizationContext>(context);

        secondGate.SetResult();
        await WaitForAsync(b, () => Text(b).EndsWith("second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Late_work_of_a_finished_synchronous_request_runs_outside_the_idle_connection()
    {
        var leftBehind = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateRan = new TaskCompletionSource<(SynchronizationContext? Context, int Thread)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new HttpProtocolFactory(ctx =>
        {
            if (ctx.Request.Path == "/first") _ = LeaveWorkBehind(leftBehind.Task, lateRan);
            ctx.Response.WriteText("done");
            return ValueTask.CompletedTask;
        });
        var a = new InMemoryConnection(factory.Create());
        Assert.True(a.Receive("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        var b = new InMemoryConnection(factory.Create());
        Assert.True(b.Receive("GET /second HTTP/1.1\r\nHost: x\r\n\r\n"u8));

        leftBehind.SetResult();
        var (context, _) = await lateRan.Task.WaitAsync(Patience);

        Assert.Equal(0, a.PostedCount);
        Assert.Equal(0, b.PostedCount);
        Assert.IsNotType<ConnectionSynchronizationContext>(context);
    }

    private static async Task LeaveWorkBehind(Task trigger, TaskCompletionSource<(SynchronizationContext?, int)> ran)
    {
        await trigger; // captures the request's synchronization context
        ran.SetResult((SynchronizationContext.Current, Environment.CurrentManagedThreadId));
    }

    [Fact]
    public async Task A_client_that_half_closes_mid_body_gets_400_and_one_debug_line_not_an_error()
    {
        var logs = new CapturingLoggerFactory();
        var connection = new InMemoryConnection(EchoFactory(logs).Create());
        Assert.True(connection.Receive("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial"u8));

        connection.CompleteInput();
        await WaitForAsync(connection, () => connection.IsClosed);

        Assert.StartsWith("HTTP/1.1 400 ", Text(connection));
        Assert.Empty(logs.Errors);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Debug && e.Exception is null);
    }

    [Fact]
    public async Task A_client_that_resets_mid_body_is_one_debug_line_not_an_error()
    {
        var logs = new CapturingLoggerFactory();
        var connection = new InMemoryConnection(EchoFactory(logs).Create());
        Assert.True(connection.Receive("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial"u8));

        connection.Drop(CloseReason.Reset);
        await WaitForAsync(connection, () => logs.Entries.Any(e => e.Level == LogLevel.Trace));

        Assert.Empty(logs.Errors);
        var entry = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Debug);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Contains("ended by the client", entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "lo\r\nzz\r\n", 400)]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "lo\r\n400\r\n", 413)]
    public async Task A_malformed_or_oversized_body_is_refused_with_one_debug_line_not_an_error(string start, string rest, int status)
    {
        var logs = new CapturingLoggerFactory();
        var connection = new InMemoryConnection(EchoFactory(logs, new HttpLimits { MaxRequestBodySize = 1000 }).Create());
        Assert.True(connection.Receive(Encoding.ASCII.GetBytes(start)));
        connection.RunPosted();

        connection.Receive(Encoding.ASCII.GetBytes(rest));
        await WaitForAsync(connection, () => handlerEnded(logs));

        Assert.True(connection.IsClosed);
        Assert.StartsWith($"HTTP/1.1 {status} ", Text(connection));
        Assert.Empty(logs.Errors);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Debug);

        static bool handlerEnded(CapturingLoggerFactory logs) => logs.Entries.Any(e => e.Message.Contains("handler-ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_bug_is_still_an_error_with_a_500()
    {
        var logs = new CapturingLoggerFactory();
        var factory = new HttpProtocolFactory(async ctx =>
        {
            await ctx.Request.Body.ReadAllAsync();
            throw new InvalidOperationException("a bug");
        }, logger: logs.CreateLogger("http"));
        var connection = new InMemoryConnection(factory.Create());
        connection.Receive("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"u8); // the body is in: the handler fails at once

        await WaitForAsync(connection, () => connection.IsClosed);

        Assert.StartsWith("HTTP/1.1 500 ", Text(connection));
        var error = Assert.Single(logs.Errors);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    /// <summary>An echo whose handler notes (at Trace) when it ended, so a test knows its exception has been handled.</summary>
    private static HttpProtocolFactory EchoFactory(CapturingLoggerFactory logs, HttpLimits? limits = null)
    {
        var trace = logs.CreateLogger("test");
        return new HttpProtocolFactory(async ctx =>
        {
            try
            {
                ctx.Response.Write(await ctx.Request.Body.ReadAllAsync());
            }
            finally
            {
                trace.LogTrace("handler-ended");
            }
        }, limits, logger: logs.CreateLogger("http"));
    }

    /// <summary>Runs the connection's posted work until <paramref name="done"/> holds (continuations may come from other threads).</summary>
    private static async Task WaitForAsync(InMemoryConnection connection, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            connection.RunPosted();
            if (done()) return;
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Yield();
        }
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
