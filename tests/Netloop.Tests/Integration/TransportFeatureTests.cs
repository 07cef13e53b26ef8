using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Integration;

/// <summary>
/// The transport features protocols use for HTTP, in every mode: posted work with suspended input (async handlers
/// behind pipelined requests), files queued between buffered bytes, and the protocol timer.
/// </summary>
public class TransportFeatureTests
{
    public static TheoryData<ServerMode> AllModes => new(ServerModes.All.Where(m => !m.IsAsyncDesign()));


    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Pipelined_lines_answered_by_posted_work_with_input_suspended_come_back_in_order(ServerMode mode)
    {
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new AsyncLineProtocol(probe)));
        var clients = Enumerable.Range(0, 4).Select(async client =>
        {
            using var socket = await Clients.ConnectAsync(server.EndPoint);
            var lines = Enumerable.Range(0, 20).Select(i => $"client{client}-line{i:D2}").ToList();
            // All twenty in one write: the server reads them at once and must hold nineteen while the first is answered.
            await socket.SendAsync(Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\n")))).WaitAsync(Clients.Patience);

            var replies = await ReadLinesAsync(socket, lines.Count);

            Assert.Equal(lines.Select(l => "reply:" + l), replies);
            socket.Shutdown(SocketShutdown.Send);
            Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience), "the server did not close after the client finished");
        });
        await Task.WhenAll(clients);

        await AssertAllClosedAndReleasedAsync(server);
        Assert.Equal(0, probe.Overlaps);
        Assert.Equal(0, probe.OfferedWhileSuspended);
        Assert.Equal(4 * 20, probe.Replies);
        Assert.Empty(server.Logs.Errors);
    }

    /// <summary>An async handler that completed at once: input suspended and resumed inside OnReceived, with the next requests still unconsumed.</summary>
    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Input_resumed_inside_OnReceived_is_offered_again_without_new_bytes(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new MixedLineProtocol(new Probe())));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        await socket.SendAsync("a7\nb7\nc7\n"u8.ToArray()).WaitAsync(Clients.Patience);

        Assert.Equal(["reply:a7", "reply:b7", "reply:c7"], await ReadLinesAsync(socket, 3));
    }

    /// <summary>Answers at once, from posted work at once, from posted work later, and with a resume inside the call, mixed, while bytes arrive in random pieces.</summary>
    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Mixed_immediate_and_posted_answers_under_load_stay_in_order(ServerMode mode)
    {
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new MixedLineProtocol(probe)));
        int clientCount = mode == ServerMode.Serial ? 3 : 20;
        var clients = Enumerable.Range(0, clientCount).Select(async client =>
        {
            using var socket = await Clients.ConnectAsync(server.EndPoint);
            var lines = Enumerable.Range(0, 100).Select(i => $"c{client}-{i:D3}").ToList();
            var payload = Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            var random = new Random(client);
            var sending = Task.Run(async () =>
            {
                for (int offset = 0; offset < payload.Length;)
                {
                    int n = Math.Min(random.Next(1, 300), payload.Length - offset);
                    await socket.SendAsync(payload.AsMemory(offset, n)).AsTask().WaitAsync(Clients.Patience);
                    offset += n;
                }
            });

            var replies = await ReadLinesAsync(socket, lines.Count);

            await sending;
            Assert.Equal(lines.Select(l => "reply:" + l), replies);
            socket.Shutdown(SocketShutdown.Send);
            Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience), "the server did not close after the client finished");
        });
        await Task.WhenAll(clients);

        await AssertAllClosedAndReleasedAsync(server);
        Assert.Equal(0, probe.Overlaps);
        Assert.Empty(server.Logs.Errors);
    }

    /// <summary>
    /// nginx's send_timeout: a client that sends and never reads fills the echo's output until the socket is full; the
    /// connection is then closed by the send timeout (the idle timeout, much longer, plays no part) and counted.
    /// </summary>
    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task A_client_that_never_reads_is_closed_by_the_send_timeout(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o =>
        {
            o.SendTimeout = TimeSpan.FromMilliseconds(300);
            o.IdleTimeout = TimeSpan.FromMinutes(5);
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.EndPoint).WaitAsync(Clients.Patience);
        var chunk = new byte[64 * 1024];
        // Sends until the server stops reading (its output is over the high-water mark) or closes the connection.
        var sending = Task.Run(async () =>
        {
            try
            {
                while (true) await socket.SendAsync(chunk);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by the server (what the test waits for), or by the test after it.
            }
        });

        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().SendTimeouts == 1, Clients.Patience), "no send timeout");
        Assert.Equal(0, server.Server.GetStats().IdleTimeouts);
        socket.Close();
        await sending.WaitAsync(Clients.Patience);
        Assert.Empty(server.Logs.Errors);
    }

    /// <summary>A protocol that suspended input is waiting for its own work (an async handler), which its timer bounds; the idle timeout is for peers that stop talking.</summary>
    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_connection_suspended_for_a_slow_handler_is_not_closed_as_idle(ServerMode mode)
    {
        var probe = new Probe();
        var idle = TimeSpan.FromMilliseconds(300);
        await using var server = TestServer.Start(mode, o => o.IdleTimeout = idle, new Factory(() => new AsyncLineProtocol(probe, delay: 4 * idle)));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        // Both lines in one write: the second waits in the server's buffer through the first's suspension, so no gap on
        // the client's side can look like idleness (that would make the test depend on scheduling).
        await socket.SendAsync("slow0\nslow1\n"u8.ToArray()).WaitAsync(Clients.Patience);
        // Each reply came 4 idle timeouts after its line: the connection was not closed while suspended.
        Assert.Equal(["reply:slow0", "reply:slow1"], await ReadLinesAsync(socket, 2));

        // Once answered and resumed, the connection is idle again and the timeout applies. (Not asserted as 0 before
        // this: from the last resume on, the idle close may come before the client looks.)
        Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience), "the idle connection was not closed");
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().IdleTimeouts == 1, Clients.Patience));
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Files_queued_between_buffered_bytes_arrive_in_order_and_their_handles_are_closed(ServerMode mode)
    {
        var content = Clients.RandomBytes(1024 * 1024, seed: 5);
        using var file = new TempFile(content);
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new FileProtocol(file.Path, probe)));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        // The whole file, an empty range, a range from the middle, and the whole file again: pipelined in one write.
        (long Offset, long Length)[] ranges = [(0, content.Length), (0, 0), (1000, 5000), (0, content.Length)];
        await socket.SendAsync(Encoding.ASCII.GetBytes(string.Concat(ranges.Select(r => $"FILE {r.Offset} {r.Length}\n")))).WaitAsync(Clients.Patience);

        var expected = new MemoryStream();
        foreach (var (offset, length) in ranges)
        {
            expected.Write(FileProtocol.Header);
            expected.Write(content, (int)offset, (int)length);
            expected.Write(FileProtocol.Trailer);
        }
        var received = new byte[expected.Length];
        await Clients.ReadExactlyAsync(socket, received).WaitAsync(Clients.Patience);
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(received), "the response differs from header + file range + trailer, in order");

        socket.Shutdown(SocketShutdown.Send);
        Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience), "the server did not close after the client finished");
        await AssertAllClosedAndReleasedAsync(server);
        Assert.True(await Clients.EventuallyAsync(() => !file.IsOpenInThisProcess(), Clients.Patience), "a handle to the sent file is still open");
        // While queued, a file's bytes count as pending output.
        Assert.Equal(ranges.Select(r => r.Length), probe.PendingGrowthPerSendFile);
        Assert.Equal(expected.Length, server.Server.GetStats().BytesSent);
        Assert.Equal(0, probe.Overlaps);
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_file_shorter_than_promised_fails_the_connection_and_closes_its_handle(ServerMode mode)
    {
        var content = Clients.RandomBytes(256 * 1024, seed: 6);
        using var file = new TempFile(content);
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new FileProtocol(file.Path, new Probe())));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        await socket.SendAsync(Encoding.ASCII.GetBytes($"FILE 0 {2 * content.Length}\n")).WaitAsync(Clients.Patience);

        var received = await ReadToEndAsync(socket);
        Assert.True(received.Length <= FileProtocol.Header.Length + content.Length, $"received {received.Length} bytes: more than the file holds");
        Assert.True(received.AsSpan().StartsWith(FileProtocol.Header));
        Assert.True(content.AsSpan().StartsWith(received.AsSpan(FileProtocol.Header.Length)), "the bytes sent are not the file's");
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Errors == 1, Clients.Patience), "the connection did not close as failed");
        Assert.NotEmpty(server.Logs.Errors);
        await AssertAllClosedAndReleasedAsync(server);
        Assert.True(await Clients.EventuallyAsync(() => !file.IsOpenInThisProcess(), Clients.Patience), "a handle to the short file is still open");
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task The_protocol_timer_fires_once_and_its_output_reaches_the_client(ServerMode mode)
    {
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new TimerProtocol(TimeSpan.FromMilliseconds(200), probe)));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        Assert.Equal("timeout\n", Encoding.ASCII.GetString(await ReadToEndAsync(socket)));

        await AssertAllClosedAndReleasedAsync(server);
        Assert.Equal(1, probe.TimerFired);
        Assert.Equal(0, probe.Overlaps);
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Rearming_the_timer_replaces_its_due_time(ServerMode mode)
    {
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new TimerProtocol(TimeSpan.FromHours(1), probe)));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        await socket.SendAsync("a"u8.ToArray()).WaitAsync(Clients.Patience); // re-arm: 50 ms

        Assert.Equal("armed\ntimeout\n", Encoding.ASCII.GetString(await ReadToEndAsync(socket)));
        await AssertAllClosedAndReleasedAsync(server);
        Assert.Equal(1, probe.TimerFired);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_disarmed_timer_never_fires(ServerMode mode)
    {
        var probe = new Probe();
        var due = TimeSpan.FromMilliseconds(300);
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new TimerProtocol(due, probe)));
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        await socket.SendAsync("d"u8.ToArray()).WaitAsync(Clients.Patience);
        Assert.Equal(["disarmed"], await ReadLinesAsync(socket, 1));
        // Well past the due time the connection still answers, and then the client closes it.
        await Task.Delay(3 * due);
        await socket.SendAsync("p"u8.ToArray()).WaitAsync(Clients.Patience);
        Assert.Equal(["pong"], await ReadLinesAsync(socket, 1));
        socket.Shutdown(SocketShutdown.Send);
        Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience));

        await AssertAllClosedAndReleasedAsync(server);
        // A machine so loaded that the disarm came after the due time proves nothing either way.
        if (probe.DisarmedBeforeDue) Assert.Equal(0, probe.TimerFired);
        Assert.Equal(0, probe.Overlaps);
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Work_posted_after_the_close_still_runs_and_holds_nothing(ServerMode mode)
    {
        var probe = new Probe();
        await using var server = TestServer.Start(mode, protocol: new Factory(() => new PostAfterCloseProtocol(probe)));
        using (var socket = await Clients.ConnectAsync(server.EndPoint))
        {
            await socket.SendAsync("w"u8.ToArray()).WaitAsync(Clients.Patience);
            Assert.Equal(["waiting"], await ReadLinesAsync(socket, 1));
            socket.Shutdown(SocketShutdown.Send);
            Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience));
        }

        await probe.PostedWorkRan.Task.WaitAsync(Clients.Patience);
        await AssertAllClosedAndReleasedAsync(server);
        Assert.Empty(server.Logs.Errors);
    }

    private static async Task AssertAllClosedAndReleasedAsync(TestServer server)
    {
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience), "a connection is still open");
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().BuffersOutstanding == 0, Clients.Patience),
            $"{server.Server.GetStats().BuffersOutstanding} pooled buffers still rented");
    }

    private static async Task<List<string>> ReadLinesAsync(Socket socket, int count)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (text.ToString().Count(c => c == '\n') < count)
        {
            int n = await socket.ReceiveAsync(buffer).WaitAsync(Clients.Patience);
            if (n == 0) throw new EndOfStreamException($"connection closed after {text}");
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return [.. text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Everything the server sends until it closes (a reset ends it too).</summary>
    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer).WaitAsync(Clients.Patience);
                if (n == 0) break;
                all.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
        }
        return all.ToArray();
    }

    /// <summary>What the protocols of one test saw, across connections.</summary>
    private sealed class Probe
    {
        private int _overlaps;
        private int _offeredWhileSuspended;
        private int _replies;
        private int _timerFired;

        public int Overlaps => Volatile.Read(ref _overlaps);

        public int OfferedWhileSuspended => Volatile.Read(ref _offeredWhileSuspended);

        public int Replies => Volatile.Read(ref _replies);

        public int TimerFired => Volatile.Read(ref _timerFired);

        public bool DisarmedBeforeDue { get; set; }

        public List<long> PendingGrowthPerSendFile { get; } = [];

        public TaskCompletionSource PostedWorkRan { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void CountOverlap() => Interlocked.Increment(ref _overlaps);

        public void CountOfferWhileSuspended() => Interlocked.Increment(ref _offeredWhileSuspended);

        public void CountReply() => Interlocked.Increment(ref _replies);

        public void CountTimer() => Interlocked.Increment(ref _timerFired);
    }

    private sealed class Factory(Func<IConnectionProtocol> create) : IConnectionProtocolFactory
    {
        public string Name => "test";

        public IConnectionProtocol Create() => create();
    }

    /// <summary>Counts protocol calls of one connection that overlap: the transport promises there are none.</summary>
    private abstract class GuardedProtocol(Probe probe)
    {
        private int _inside;

        protected Probe Probe => probe;

        protected void Enter()
        {
            if (Interlocked.Increment(ref _inside) != 1) probe.CountOverlap();
        }

        protected void Exit() => Interlocked.Decrement(ref _inside);
    }

    /// <summary>Answers each line from posted work after a short delay on another thread, with input suspended meanwhile, as an async HTTP handler does.</summary>
    private sealed class AsyncLineProtocol(Probe probe, TimeSpan? delay = null) : GuardedProtocol(probe), IConnectionProtocol
    {
        private bool _suspended;

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            Enter();
            try
            {
                if (_suspended) Probe.CountOfferWhileSuspended();
                int end = data.IndexOf((byte)'\n');
                if (end < 0) return 0;
                string line = Encoding.ASCII.GetString(data[..end]);
                _suspended = true;
                connection.SuspendInput();
                _ = ReplyLaterAsync(connection, line);
                // One line per call, the rest left unconsumed: they must be offered again after the resume.
                return end + 1;
            }
            finally
            {
                Exit();
            }
        }

        private async Task ReplyLaterAsync(IConnection connection, string line)
        {
            await Task.Delay(delay ?? TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10))).ConfigureAwait(false);
            connection.Post(_ =>
            {
                Enter();
                try
                {
                    connection.Output.Write(Encoding.ASCII.GetBytes($"reply:{line}\n"));
                    Probe.CountReply();
                    _suspended = false;
                    connection.ResumeInput();
                }
                finally
                {
                    Exit();
                }
            }, null);
        }
    }

    /// <summary>
    /// Answers every line; how depends on its last digit: 0 to 4 at once, 5 from posted work queued in the call, 7 at
    /// once with input suspended and resumed inside the call, others from posted work after a random delay on another
    /// thread. Input stays suspended while an answer is pending, so answers keep the order of the lines.
    /// </summary>
    private sealed class MixedLineProtocol(Probe probe) : GuardedProtocol(probe), IConnectionProtocol
    {
        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            Enter();
            try
            {
                int consumed = 0;
                while (data[consumed..].IndexOf((byte)'\n') is var end and >= 0)
                {
                    string line = Encoding.ASCII.GetString(data.Slice(consumed, end));
                    consumed += end + 1;
                    char kind = line[^1];
                    if (kind < '5')
                    {
                        Reply(connection, line);
                        continue;
                    }
                    connection.SuspendInput();
                    if (kind == '7')
                    {
                        Reply(connection, line);
                        connection.ResumeInput();
                    }
                    else if (kind == '5')
                    {
                        connection.Post(_ => ReplyAndResume(connection, line), null);
                    }
                    else
                    {
                        _ = Task.Run(async () =>
                        {
                            await Task.Delay(Random.Shared.Next(0, 3)).ConfigureAwait(false);
                            connection.Post(_ => ReplyAndResume(connection, line), null);
                        });
                    }
                    return consumed;
                }
                return consumed;
            }
            finally
            {
                Exit();
            }
        }

        private static void Reply(IConnection connection, string line) => connection.Output.Write(Encoding.ASCII.GetBytes($"reply:{line}\n"));

        private void ReplyAndResume(IConnection connection, string line)
        {
            Enter();
            Reply(connection, line);
            connection.ResumeInput();
            Exit();
        }
    }

    /// <summary>Answers <c>FILE offset length</c> with a header, that range of the file (sent with SendFile) and a trailer.</summary>
    private sealed class FileProtocol(string path, Probe probe) : GuardedProtocol(probe), IConnectionProtocol
    {
        public static readonly byte[] Header = "BEGIN\n"u8.ToArray();
        public static readonly byte[] Trailer = "\nEND\n"u8.ToArray();

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            Enter();
            try
            {
                int consumed = 0;
                while (data[consumed..].IndexOf((byte)'\n') is var end and >= 0)
                {
                    string[] request = Encoding.ASCII.GetString(data.Slice(consumed, end)).Split(' ');
                    consumed += end + 1;
                    long offset = long.Parse(request[1], System.Globalization.CultureInfo.InvariantCulture);
                    long length = long.Parse(request[2], System.Globalization.CultureInfo.InvariantCulture);
                    connection.Output.Write(Header);
                    long before = connection.PendingOutputBytes;
                    connection.SendFile(File.OpenHandle(path), offset, length);
                    lock (Probe.PendingGrowthPerSendFile) Probe.PendingGrowthPerSendFile.Add(connection.PendingOutputBytes - before);
                    connection.Output.Write(Trailer);
                }
                return consumed;
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Arms its timer on connect; on the timer writes <c>timeout</c> and closes. <c>d</c> disarms, <c>a</c> re-arms for 50 ms, <c>p</c> answers <c>pong</c>.</summary>
    private sealed class TimerProtocol(TimeSpan initial, Probe probe) : GuardedProtocol(probe), IConnectionProtocol
    {
        private readonly Stopwatch _sinceArmed = new();

        public void OnConnected(IConnection connection)
        {
            Enter();
            _sinceArmed.Start();
            connection.SetTimer(initial);
            Exit();
        }

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            Enter();
            try
            {
                foreach (byte b in data)
                {
                    switch ((char)b)
                    {
                        case 'd':
                            connection.SetTimer(null);
                            Probe.DisarmedBeforeDue = _sinceArmed.Elapsed < initial * 0.8;
                            connection.Output.Write("disarmed\n"u8);
                            break;
                        case 'a':
                            connection.SetTimer(TimeSpan.FromMilliseconds(50));
                            connection.Output.Write("armed\n"u8);
                            break;
                        case 'p':
                            connection.Output.Write("pong\n"u8);
                            break;
                    }
                }
                return data.Length;
            }
            finally
            {
                Exit();
            }
        }

        public void OnTimer(IConnection connection)
        {
            Enter();
            Probe.CountTimer();
            connection.Output.Write("timeout\n"u8);
            connection.Close();
            Exit();
        }
    }

    /// <summary>On <c>w</c>, starts work that waits for the connection to close and then posts to it, as a slow async handler would.</summary>
    private sealed class PostAfterCloseProtocol(Probe probe) : IConnectionProtocol
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            if (data.IndexOf((byte)'w') >= 0)
            {
                _ = PostWhenClosedAsync(connection);
                connection.Output.Write("waiting\n"u8);
            }
            return data.Length;
        }

        public void OnClosed(IConnection connection, CloseReason reason) => _closed.TrySetResult();

        private async Task PostWhenClosedAsync(IConnection connection)
        {
            await _closed.Task.ConfigureAwait(false);
            // The work must not touch the connection any more; it only has to run.
            connection.Post(_ => probe.PostedWorkRan.TrySetResult(), null);
        }
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(byte[] content)
        {
            Path = System.IO.Path.GetFullPath(System.IO.Path.GetTempFileName());
            File.WriteAllBytes(Path, content);
        }

        public string Path { get; }

        /// <summary>True while an fd of this process points at the file.</summary>
        public bool IsOpenInThisProcess()
        {
            foreach (string fd in Directory.GetFiles("/proc/self/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == Path) return true;
                }
                catch (IOException)
                {
                    // Closed since the listing.
                }
            }
            return false;
        }

        public void Dispose() => File.Delete(Path);
    }
}
