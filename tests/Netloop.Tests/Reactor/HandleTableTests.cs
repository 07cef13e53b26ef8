using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

/// <summary>
/// Slot + generation tokens (nginx's "instance" bit, widened): an event queued for a handle that has since closed must
/// never reach the handle that took its slot.
/// </summary>
public class HandleTableTests
{
    [Fact]
    public void A_registered_handle_is_found_by_its_token()
    {
        var table = new HandleTable();
        var a = new TestHandle("a");
        var b = new TestHandle("b");
        table.Add(a);
        table.Add(b);

        Assert.Same(a, table.Find(a.Token));
        Assert.Same(b, table.Find(b.Token));
        Assert.NotEqual(a.Slot, b.Slot);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_token_of_a_removed_handle_finds_nothing()
    {
        var table = new HandleTable();
        var a = new TestHandle();
        table.Add(a);
        ulong token = a.Token;
        table.Remove(a);

        Assert.Null(table.Find(token));
        Assert.Equal(-1, a.Slot);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_stale_token_is_ignored_after_its_slot_is_reused()
    {
        var table = new HandleTable();
        var old = new TestHandle("old");
        table.Add(old);
        ulong staleToken = old.Token;
        int slot = old.Slot;
        table.Remove(old);

        var reuser = new TestHandle("reuser");
        table.Add(reuser);

        Assert.Equal(slot, reuser.Slot); // the free list hands the same slot back
        Assert.NotEqual(staleToken, reuser.Token);
        Assert.Null(table.Find(staleToken)); // the generation differs: the old event is dropped, not misdelivered
        Assert.Same(reuser, table.Find(reuser.Token));
    }

    [Fact]
    public void Every_reuse_of_a_slot_gets_a_new_generation()
    {
        var table = new HandleTable();
        var tokens = new HashSet<ulong>();
        for (int i = 0; i < 1000; i++)
        {
            var handle = new TestHandle();
            table.Add(handle);
            Assert.Equal(0, handle.Slot);
            Assert.True(tokens.Add(handle.Token), $"token {handle.Token:X} issued twice");
            table.Remove(handle);
        }
        foreach (ulong token in tokens) Assert.Null(table.Find(token));
    }

    [Fact]
    public void Freed_slots_are_reused_before_the_table_grows()
    {
        var table = new HandleTable();
        var handles = Enumerable.Range(0, 10).Select(i => new TestHandle($"h{i}")).ToList();
        foreach (var h in handles) table.Add(h);
        int[] freed = [handles[3].Slot, handles[7].Slot];
        table.Remove(handles[3]);
        table.Remove(handles[7]);

        var x = new TestHandle("x");
        var y = new TestHandle("y");
        table.Add(x);
        table.Add(y);
        var z = new TestHandle("z");
        table.Add(z);

        Assert.Equal(freed.Order(), new[] { x.Slot, y.Slot }.Order());
        Assert.Equal(10, z.Slot); // no free slot left: the next fresh one
        Assert.Equal(11, table.Count);
    }

    [Fact]
    public void The_table_grows_past_its_initial_capacity_and_keeps_every_handle()
    {
        var table = new HandleTable();
        var handles = Enumerable.Range(0, 1000).Select(i => new TestHandle($"h{i}")).ToList();
        foreach (var h in handles) table.Add(h);

        Assert.Equal(1000, table.Count);
        Assert.Equal(Enumerable.Range(0, 1000), handles.Select(h => h.Slot));
        foreach (var h in handles) Assert.Same(h, table.Find(h.Token));
        Assert.Equal(1000, table.Snapshot().Count);

        // Remove every other one after growth: the free list (grown with the table) takes 500 slots.
        for (int i = 0; i < 1000; i += 2) table.Remove(handles[i]);
        var again = Enumerable.Range(0, 500).Select(i => new TestHandle($"again{i}")).ToList();
        foreach (var h in again) table.Add(h);
        Assert.All(again, h => Assert.True(h.Slot < 1000 && h.Slot % 2 == 0));
        Assert.Equal(1000, table.Count);
    }

    [Fact]
    public void Tokens_outside_the_table_and_the_zero_token_find_nothing()
    {
        var table = new HandleTable();
        var a = new TestHandle();
        table.Add(a);

        Assert.Null(table.Find(0)); // generation 0 is never issued
        Assert.Null(table.Find(((ulong)a.Generation << 32) | 5000));
        Assert.Null(table.Find(ulong.MaxValue)); // the loop's wake-up token is never a handle
    }

    [Fact]
    public void Removing_twice_or_a_handle_of_another_table_changes_nothing()
    {
        var table = new HandleTable();
        var other = new HandleTable();
        var a = new TestHandle("a");
        var foreign = new TestHandle("foreign");
        table.Add(a);
        other.Add(foreign); // same slot number 0 as a, in another table

        table.Remove(foreign);
        Assert.Same(a, table.Find(a.Token));
        Assert.Equal(1, table.Count);

        table.Remove(a);
        table.Remove(a);
        Assert.Equal(0, table.Count);

        // The double remove must not have put slot 0 on the free list twice.
        var b = new TestHandle("b");
        var c = new TestHandle("c");
        table.Add(b);
        table.Add(c);
        Assert.NotEqual(b.Slot, c.Slot);
    }

    [Fact]
    public void Snapshot_lists_only_live_handles()
    {
        var table = new HandleTable();
        var a = new TestHandle("a");
        var b = new TestHandle("b");
        var c = new TestHandle("c");
        table.Add(a);
        table.Add(b);
        table.Add(c);
        table.Remove(b);

        Assert.Equal([a, c], table.Snapshot());
    }
}
