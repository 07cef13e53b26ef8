using Netloop.Protocols;
using Netloop.Protocols.Echo;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Echo;

public class EchoProtocolTests
{
    [Fact]
    public void Echoes_every_byte_and_consumes_all()
    {
        var connection = new InMemoryConnection(EchoProtocol.Instance.Create());
        var data = Clients.RandomBytes(100_000, 5);
        Assert.True(connection.Receive(data));
        Assert.Equal(0, connection.UnconsumedBytes);
        Assert.Equal(data, connection.TakeOutput());
    }

    [Fact]
    public void Echoes_the_same_bytes_whatever_the_split()
    {
        var data = Clients.RandomBytes(2000, 6);
        var random = new Random(6);
        var connection = new InMemoryConnection(EchoProtocol.Instance.Create());
        for (int offset = 0; offset < data.Length;)
        {
            int n = Math.Min(random.Next(0, 40), data.Length - offset);
            connection.Receive(data.AsSpan(offset, n));
            offset += n;
        }
        Assert.Equal(data, connection.TakeOutput());
    }

    [Fact]
    public void Closes_when_the_peer_finishes()
    {
        var connection = new InMemoryConnection(EchoProtocol.Instance.Create());
        connection.CompleteInput();
        Assert.True(connection.IsClosed);
        Assert.False(connection.WasAborted);
        Assert.False(connection.Receive("late"u8));
    }
}
