using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Samples;

/// <summary>samples/KeyValue run as a process and driven over a socket, as a client of the protocol would.</summary>
public sealed partial class KeyValueSampleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);
    private CliProcess _sample = null!;
    private IPEndPoint _endPoint = null!;

    public async Task InitializeAsync()
    {
        _sample = Sample.Start(output, "KeyValue", "--port", "0", "--loops", "2");
        var match = await _sample.WaitForLineAsync(ListeningOn(), s_patience);
        _endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task Commands_answer_one_line_each()
    {
        using var client = await LineClient.ConnectAsync(_endPoint);
        Assert.Equal("NOT_FOUND", await client.AskAsync("GET colour"));
        Assert.Equal("OK", await client.AskAsync("SET colour dark blue"));
        Assert.Equal("VALUE dark blue", await client.AskAsync("GET colour"));
        Assert.Equal("OK", await client.AskAsync("SET colour red"));
        Assert.Equal("VALUE red", await client.AskAsync("GET colour\r"));
        Assert.Equal("DELETED", await client.AskAsync("DEL colour"));
        Assert.Equal("NOT_FOUND", await client.AskAsync("DEL colour"));
        Assert.Equal("ERR unknown command (SET, GET, DEL)", await client.AskAsync("INCR colour"));
        Assert.Equal("ERR usage: SET key value", await client.AskAsync("SET lonely"));
        Assert.Equal("ERR usage: GET key", await client.AskAsync("GET"));
        Assert.Equal("ERR empty command", await client.AskAsync(""));
        Assert.Equal("VALUE ünïcødé", await AskAfterSetAsync(client, "ключ", "ünïcødé"));
    }

    [Fact]
    public async Task Pipelined_commands_in_one_write_answer_in_order()
    {
        using var client = await LineClient.ConnectAsync(_endPoint);
        await client.SendAsync("SET a 1\nSET b 2\nGET a\nGET b\nDEL a\nGET a\nBAD\n");
        string[] expected = ["OK", "OK", "VALUE 1", "VALUE 2", "DELETED", "NOT_FOUND", "ERR unknown command (SET, GET, DEL)"];
        foreach (string line in expected) Assert.Equal(line, await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_line_split_across_writes_is_one_command()
    {
        using var client = await LineClient.ConnectAsync(_endPoint);
        await client.SendAsync("SE");
        await Task.Delay(50);
        await client.SendAsync("T split va");
        await Task.Delay(50);
        await client.SendAsync("lue\nGET spl");
        await Task.Delay(50);
        await client.SendAsync("it\n");
        Assert.Equal("OK", await client.ReadLineAsync());
        Assert.Equal("VALUE value", await client.ReadLineAsync());
    }

    [Fact]
    public async Task An_over_long_line_gets_ERR_and_the_connection_closes()
    {
        using var client = await LineClient.ConnectAsync(_endPoint);
        Assert.Equal("OK", await client.AskAsync("SET before 1"));
        await client.SendAsync("SET big " + new string('x', 2000));
        Assert.Equal("ERR line too long (max 1024 bytes)", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());

        using var next = await LineClient.ConnectAsync(_endPoint);
        Assert.Equal("VALUE 1", await next.AskAsync("GET before"));
        Assert.Equal("NOT_FOUND", await next.AskAsync("GET big"));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_line_leaves_the_server_serving_the_next()
    {
        using (var quitter = await LineClient.ConnectAsync(_endPoint))
        {
            Assert.Equal("OK", await quitter.AskAsync("SET kept yes"));
            await quitter.SendAsync("SET half-writ");
            quitter.Abort();
        }
        using (var closer = await LineClient.ConnectAsync(_endPoint))
        {
            await closer.SendAsync("GET ke");
            closer.ShutdownSend();
            Assert.Null(await closer.ReadLineAsync());
        }
        using var next = await LineClient.ConnectAsync(_endPoint);
        Assert.Equal("VALUE yes", await next.AskAsync("GET kept"));
        Assert.Equal("NOT_FOUND", await next.AskAsync("GET half-writ"));
    }

    [Fact]
    public async Task SIGTERM_stops_it_gracefully_with_exit_code_0()
    {
        using (var client = await LineClient.ConnectAsync(_endPoint))
        {
            Assert.Equal("OK", await client.AskAsync("SET a 1"));
        }
        _sample.Signal(CliProcess.SIGTERM);
        Assert.True(await _sample.WaitForExitAsync(s_patience), "the sample did not exit after SIGTERM");
        Assert.Equal(0, _sample.ExitCode);
        Assert.Contains("stopping (SIGTERM)", _sample.StdOut, StringComparison.Ordinal);
        Assert.Contains("stopped", _sample.StdOut, StringComparison.Ordinal);
        Assert.Equal("", _sample.StdErr);
    }

    [Fact]
    public async Task A_bad_port_is_one_line_on_stderr_and_exit_code_1()
    {
        await using var bad = Sample.Start(output, "KeyValue", "--port", "70000");
        Assert.True(await bad.WaitForExitAsync(s_patience), "the sample did not exit on a bad port");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("netloop: configuration 'Netloop:Port' must be 0-65535, got 70000" + Environment.NewLine, bad.StdErr);
        Assert.DoesNotContain("listening", bad.StdOut, StringComparison.Ordinal);
    }

    private static async Task<string?> AskAfterSetAsync(LineClient client, string key, string value)
    {
        Assert.Equal("OK", await client.AskAsync($"SET {key} {value}"));
        return await client.AskAsync($"GET {key}");
    }

    [GeneratedRegex(@"listening on tcp://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningOn();

    /// <summary>A line-at-a-time client over a real socket.</summary>
    private sealed class LineClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly StreamReader _reader;

        private LineClient(Socket socket)
        {
            _socket = socket;
            _reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
        }

        public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint) => new(await Clients.ConnectAsync(endPoint));

        public async Task SendAsync(string text) => await _socket.SendAsync(Encoding.UTF8.GetBytes(text));

        public async Task<string?> ReadLineAsync()
        {
            using var timeout = new CancellationTokenSource(s_patience);
            try
            {
                return await _reader.ReadLineAsync(timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }
        }

        public async Task<string?> AskAsync(string line)
        {
            await SendAsync(line + "\n");
            return await ReadLineAsync();
        }

        public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

        public void Abort()
        {
            _socket.LingerState = new LingerOption(true, 0);
            _socket.Close();
        }

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }
    }
}
