namespace Netloop.Fuzz;

/// <summary>
/// One fuzz entry. <see cref="Run"/> returns normally for every input the code under test handles as designed (accepted,
/// or rejected the documented way: a rejection status, the parser's own exception type) and throws only on a real bug:
/// an unexpected exception from the code, or a <see cref="FuzzBugException"/> for a broken invariant. AFL records
/// whatever escapes as a crash; FuzzCorpusTests replays the committed inputs through the same code.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The name run.sh and the corpus folder use.</summary>
    public abstract string Name { get; }

    /// <summary>What the target drives, and how its input is laid out when it is more than plain bytes.</summary>
    public abstract string Description { get; }

    public abstract void Run(ReadOnlySpan<byte> input);
}

/// <summary>An invariant the code under test broke: never thrown by Netloop itself, so never caught by a target.</summary>
internal sealed class FuzzBugException(string message) : Exception(message)
{
    public static void Check(bool condition, string what)
    {
        if (!condition) throw new FuzzBugException(what);
    }
}
