using System.Text;
using Netloop.Cli.Faults;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Echo;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli.Faults;

/// <summary>
/// The test-only defects of <c>netloop serve --fault</c>: each must break exactly what it says, so that the tests of
/// <c>netloop load</c> that rely on them prove detection rather than chance. Driven in memory, plus the CLI's handling
/// of the option.
/// </summary>
public sealed class FaultHookTests(ITestOutputHelper output)
{
    private static ServerFault Fault(string name) => ServerFault.All.Single(f => f.Name == name);

    [Fact]
    public void Corrupt_echo_flips_exactly_the_byte_at_offset_100000_of_all_connections_together()
    {
        var protocol = Fault("corrupt-echo").Apply(EchoProtocol.Instance);
        var connections = new[] { new InMemoryConnection(protocol.Create()), new InMemoryConnection(protocol.Create()), new InMemoryConnection(protocol.Create()) };
        var random = new Random(7);
        var sent = new MemoryStream();
        var echoed = new MemoryStream();
        // Interleave odd-sized chunks across connections, so the corrupted byte lands inside a chunk of one of them.
        while (sent.Length < 300_000)
        {
            var connection = connections[random.Next(connections.Length)];
            var chunk = Clients.RandomBytes(random.Next(1, 9000), random.Next());
            Assert.True(connection.Receive(chunk));
            sent.Write(chunk);
            echoed.Write(connection.TakeOutput());
        }

        byte[] expected = sent.ToArray();
        byte[] actual = echoed.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        var differences = Enumerable.Range(0, expected.Length).Where(i => expected[i] != actual[i]).ToArray();
        Assert.Equal([(int)CorruptEchoProtocol.CorruptedOffset], differences);
        Assert.Equal((byte)(expected[100_000] ^ 0xFF), actual[100_000]);
    }

    [Fact]
    public void Corrupt_echo_flips_the_first_byte_of_a_chunk_that_starts_at_the_offset()
    {
        var protocol = Fault("corrupt-echo").Apply(EchoProtocol.Instance);
        var connection = new InMemoryConnection(protocol.Create());
        var first = Clients.RandomBytes(100_000, 1);
        connection.Receive(first);
        Assert.Equal(first, connection.TakeOutput());

        var second = Clients.RandomBytes(10, 2);
        connection.Receive(second);
        var echoed = connection.TakeOutput();
        Assert.Equal((byte)(second[0] ^ 0xFF), echoed[0]);
        Assert.Equal(second[1..], echoed[1..]);
    }

    [Fact]
    public void Corrupt_echo_with_another_protocol_is_an_argument_error()
    {
        var http = new HttpProtocolFactory(_ => ValueTask.CompletedTask);
        var error = Assert.Throws<ArgumentException>(() => Fault("corrupt-echo").Apply(http));
        Assert.Contains("--protocol echo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leak_retains_one_block_per_http_request_even_when_pipelined()
    {
        var protocol = Fault("leak").Apply(new HttpProtocolFactory(context =>
        {
            context.Response.WriteText("ok");
            return ValueTask.CompletedTask;
        }));
        var connection = new InMemoryConnection(protocol.Create());
        long before = MemoryLeak.RetainedCount;

        var three = string.Concat(Enumerable.Repeat("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n", 3));
        Assert.True(connection.Receive(Encoding.ASCII.GetBytes(three)));
        connection.RunPosted();

        string responses = Encoding.ASCII.GetString(connection.TakeOutput());
        Assert.Equal(3, CountOf(responses, "HTTP/1.1 200"));
        Assert.Equal(3, MemoryLeak.RetainedCount - before);
        Assert.Equal(1024, MemoryLeak.BytesPerRequest);
    }

    [Fact]
    public void Leak_retains_one_block_per_echo_receive_and_still_echoes()
    {
        var protocol = Fault("leak").Apply(EchoProtocol.Instance);
        Assert.Equal("echo", protocol.Name);
        var connection = new InMemoryConnection(protocol.Create());
        long before = MemoryLeak.RetainedCount;

        var data = Clients.RandomBytes(5000, 3);
        for (int i = 0; i < 5; i++) Assert.True(connection.Receive(data.AsSpan(i * 1000, 1000)));

        Assert.Equal(data, connection.TakeOutput());
        Assert.Equal(5, MemoryLeak.RetainedCount - before);
        connection.CompleteInput();
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public async Task Unknown_fault_is_one_line_naming_it_and_exit_code_2()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--port", "0", "--fault", "nonsense");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
        Assert.Contains("'nonsense'", line, StringComparison.Ordinal);
        Assert.Contains("corrupt-echo", line, StringComparison.Ordinal);
        Assert.Empty(result.StdOut.Trim());
    }

    [Fact]
    public async Task Corrupt_echo_with_http_is_one_line_and_exit_code_2()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--port", "0", "--protocol", "http", "--fault", "corrupt-echo");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.Equal("netloop: error: --fault corrupt-echo needs --protocol echo, not http", line);
    }

    [Fact]
    public async Task Fault_option_is_hidden_from_help()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--protocol", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("--fault", result.StdOut, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
