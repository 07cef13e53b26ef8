using System.Net;
using Netloop.Native;

namespace Netloop.Tests.Native;

public class SocketAddressBufferTests
{
    [Theory]
    [InlineData("127.0.0.1", 7000)]
    [InlineData("0.0.0.0", 0)]
    [InlineData("::1", 65535)]
    [InlineData("fe80::1", 8080)]
    public void Round_trips_through_sockaddr(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var buffer = SocketAddressBuffer.From(endPoint);
        Assert.Equal(endPoint, buffer.ToEndPoint());
    }

    [Fact]
    public void Epoll_event_layout_matches_the_architecture()
    {
        bool x64 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;
        Assert.Equal(x64 ? 12 : 16, EpollEventLayout.Size);
        Assert.Equal(x64 ? 4 : 8, EpollEventLayout.DataOffset);
    }
}
