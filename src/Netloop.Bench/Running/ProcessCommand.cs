namespace Netloop.Bench.Running;

/// <summary>A program and its arguments, as handed to <see cref="System.Diagnostics.ProcessStartInfo"/> (no shell in between).</summary>
internal sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Environment variables set for the child on top of this process's own (null: none).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>This command with more arguments after the existing ones.</summary>
    public ProcessCommand With(IEnumerable<string> more) => this with { Arguments = [.. Arguments, .. more] };

    /// <summary>The command as a person would type it, for logs and the report.</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
