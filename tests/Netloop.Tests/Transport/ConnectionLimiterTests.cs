using Netloop.Transport;

namespace Netloop.Tests.Transport;

/// <summary>The process-wide <c>--max-connections</c> count: never above the limit, whatever the threads do.</summary>
public class ConnectionLimiterTests
{
    [Fact]
    public void Places_are_taken_up_to_the_limit_and_refused_beyond_it()
    {
        var limiter = new ConnectionLimiter(3);

        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());

        Assert.Equal(3, limiter.Open); // a refusal leaves no trace in the count
        Assert.Equal(3, limiter.Max);
    }

    [Fact]
    public void A_release_gives_the_place_back()
    {
        var limiter = new ConnectionLimiter(1);
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());

        limiter.Release();

        Assert.Equal(0, limiter.Open);
        Assert.True(limiter.TryAcquire());
    }

    [Fact]
    public void A_limit_of_zero_refuses_everything()
    {
        var limiter = new ConnectionLimiter(0);
        Assert.False(limiter.TryAcquire());
        Assert.Equal(0, limiter.Open);
    }

    [Fact]
    public void Loops_racing_for_the_last_places_never_exceed_the_limit()
    {
        const int Max = 100;
        var limiter = new ConnectionLimiter(Max);
        int granted = 0;
        int highest = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (!limiter.TryAcquire()) continue;
                Interlocked.Increment(ref granted);
                int open = limiter.Open;
                int seen;
                while (open > (seen = Volatile.Read(ref highest)) && Interlocked.CompareExchange(ref highest, open, seen) != seen)
                {
                }
                if (i % 3 != 0) limiter.Release();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.True(highest <= Max, $"{highest} connections open against a limit of {Max}");
        Assert.Equal(Max, limiter.Open); // every thread kept some; the limit filled and stayed full
        Assert.True(granted > Max);
    }
}
