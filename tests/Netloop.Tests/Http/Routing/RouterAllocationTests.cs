using Netloop.Http.Routing;

namespace Netloop.Tests.Http.Routing;

/// <summary>Allocation is measured per thread in bytes, so these are deterministic, not timing-based.</summary>
public class RouterAllocationTests
{
    private const int Lookups = 10_000;

    private static Router<Action> BuildAppLikeRouter()
    {
        var router = new Router<Action>();
        router.Add("GET", "/plaintext", () => { });
        router.Add("GET", "/json", () => { });
        router.Add("GET", "/users/me", () => { });
        router.Add("GET", "/users/{id:int}", () => { });
        router.Add(["GET", "DELETE"], "/users/{id}", () => { });
        router.Add("POST", "/echo", () => { });
        router.Add("GET", "/static/{*path}", () => { });
        return router;
    }

    private static long AllocatedDuring(Action lookups)
    {
        lookups(); // warm-up: JIT, tiering, static initialisers, the Allow union cache
        lookups();
        long before = GC.GetAllocatedBytesForCurrentThread();
        lookups();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_plaintext_lookup_allocates_nothing()
    {
        Router<Action> router = BuildAppLikeRouter();
        long allocated = AllocatedDuring(() =>
        {
            for (int i = 0; i < Lookups; i++)
            {
                RouteMatch<Action> match = router.Match("GET"u8, "/plaintext"u8);
                if (!match.IsFound) throw new InvalidOperationException();
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Not_found_head_fallback_and_405_lookups_allocate_nothing()
    {
        Router<Action> router = BuildAppLikeRouter();
        long allocated = AllocatedDuring(() =>
        {
            for (int i = 0; i < Lookups; i++)
            {
                if (router.Match("GET"u8, "/nothing/here"u8).Kind != RouteMatchKind.NotFound) throw new InvalidOperationException();
                if (!router.Match("HEAD"u8, "/PlainText/"u8).IsFound) throw new InvalidOperationException();
                if (router.Match("PUT"u8, "/plaintext"u8).AllowBytes.Length == 0) throw new InvalidOperationException();
                if (router.Match("PUT"u8, "/users/me"u8).AllowBytes.Length == 0) throw new InvalidOperationException(); // a union
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_parameter_lookup_into_a_reused_values_instance_allocates_nothing()
    {
        Router<Action> router = BuildAppLikeRouter();
        var values = new RouteValues();
        long allocated = AllocatedDuring(() =>
        {
            for (int i = 0; i < Lookups; i++)
            {
                if (!router.Match("GET"u8, "/users/12345"u8, values).IsFound) throw new InvalidOperationException();
                if (!values.TryGetRawValue("id", out ReadOnlySpan<byte> raw) || raw.Length != 5) throw new InvalidOperationException();
                if (!router.Match("GET"u8, "/static/css/site%20v2.css"u8, values).IsFound) throw new InvalidOperationException();
            }
        });
        Assert.Equal(0, allocated);
    }
}
