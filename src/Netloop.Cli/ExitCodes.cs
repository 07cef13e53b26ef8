namespace Netloop.Cli;

/// <summary>What the <c>netloop</c> process returns, so scripts can tell a typo from a server that failed.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command was well-formed but failed: the address was taken, a syscall failed, a buffer leaked.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong (unknown option, value out of range); nothing was started.</summary>
    public const int UsageError = 2;

    /// <summary><c>netloop load</c> ran to the end but counted errors (refused connects, resets, timeouts, bad or corrupt responses).</summary>
    public const int CompletedWithErrors = 3;
}
