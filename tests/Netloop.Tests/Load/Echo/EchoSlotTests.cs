using Netloop.Load.Echo;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Tests.Load.Echo;

/// <summary>The echo connection slot driven in memory: every byte that comes back is compared with what was sent.</summary>
public sealed class EchoSlotTests
{
    [Fact]
    public void The_payload_is_a_fixed_varied_pattern()
    {
        var a = EchoPayload.Create(4096);
        Assert.Equal(a, EchoPayload.Create(4096));
        Assert.Equal(a[..100], EchoPayload.Create(100));
        Assert.True(a.Distinct().Count() > 200);
    }

    [Fact]
    public void A_message_echoed_in_every_split_is_verified_once()
    {
        const int size = 64;
        var payload = EchoPayload.Create(size);
        for (int cut = 0; cut <= size; cut++)
        {
            var h = new LoadHarness(LoadHarness.Echo(size));
            var connection = h.Connect();
            Assert.Equal(payload, connection.TakeOutput());

            connection.Receive(payload.AsSpan(0, cut));
            connection.Receive(payload.AsSpan(cut));

            Assert.Equal(1, h.Worker.Stats.Requests);
            Assert.Equal(0, h.Worker.Stats.ErrorTotal);
            Assert.Equal(payload, connection.TakeOutput());
        }
    }

    [Fact]
    public void Pipelined_messages_echoed_byte_by_byte_are_verified()
    {
        var h = new LoadHarness(LoadHarness.Echo(4096) with { Pipeline = 3 });
        var connection = h.Connect();
        var sent = connection.TakeOutput();
        Assert.Equal(3 * 4096, sent.Length);

        foreach (byte b in sent) connection.Receive([b]);

        Assert.Equal(3, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.Equal(3 * 4096, h.Worker.Stats.BytesReceived);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(4095)]
    public void One_flipped_byte_makes_its_message_corrupt_and_the_stream_carries_on(int offset)
    {
        var h = new LoadHarness(LoadHarness.Echo(4096));
        var connection = h.Connect();
        var echoed = connection.TakeOutput();
        echoed[offset] ^= 0xFF;

        connection.Receive(echoed.AsSpan(0, 2000));
        connection.Receive(echoed.AsSpan(2000));

        Assert.Equal(0, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Corrupt));
        Assert.False(connection.IsClosed);

        connection.Receive(connection.TakeOutput()); // the next message comes back intact
        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Corrupt));
    }

    [Fact]
    public void Bytes_beyond_what_was_sent_are_corrupt_and_cost_the_connection()
    {
        var h = new LoadHarness(LoadHarness.Echo(16) with { Idle = true });
        var connection = h.Connect();
        var echoed = connection.TakeOutput();

        connection.Receive([.. echoed, 1, 2, 3]);

        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Corrupt));
        Assert.True(connection.WasAborted);
    }

    [Fact]
    public void Churn_closes_after_the_set_number_of_messages()
    {
        var h = new LoadHarness(LoadHarness.Echo(32) with { RequestsPerConnection = 2 });
        var connection = h.Connect();
        connection.Receive(connection.TakeOutput());
        Assert.False(connection.IsClosed);
        connection.Receive(connection.TakeOutput());

        Assert.True(connection.IsClosed);
        Assert.False(connection.WasAborted);
        Assert.Equal(2, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        h.Connector.RunPosted();
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void The_echo_cycle_allocates_nothing()
    {
        var h = new LoadHarness(LoadHarness.Echo(4096));
        h.Worker.Begin();
        IConnectionProtocol slot = h.Connector.Connects[0];
        var connection = new ReusableConnection();
        slot.OnConnected(connection);
        var echoed = connection.WrittenSpan.ToArray();
        for (int i = 0; i < 2_000; i++) // warm-up: JIT tiers, statics
        {
            connection.Reset();
            slot.OnReceived(connection, echoed);
        }

        // Three rounds, the least counts: a per-message allocation shows in every round, while a one-off of the runtime's
        // (a method tiering up mid-round while other tests keep the JIT busy) shows in one at most.
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                connection.Reset();
                slot.OnReceived(connection, echoed.AsSpan(0, 1000));
                slot.OnReceived(connection, echoed.AsSpan(1000));
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.Equal(32_000, h.Worker.Stats.Requests);
    }
}
