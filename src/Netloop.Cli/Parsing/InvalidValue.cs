using System.CommandLine.Parsing;

namespace Netloop.Cli.Parsing;

/// <summary>Reports an option value the CLI cannot use, in one line that names the option and what it expected.</summary>
internal static class InvalidValue
{
    /// <summary>The single token an option was given, or null when none was (the parser reports that case itself).</summary>
    public static string? Token(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;

    /// <summary>The option's name as typed in help (<c>--port</c>), for messages.</summary>
    public static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;

    /// <summary>Adds <c>invalid value 'x' for --option (expected …)</c> to the parse errors and returns no value.</summary>
    public static T? Report<T>(ArgumentResult result, string expected)
    {
        result.AddError($"invalid value '{Token(result)}' for {OptionName(result)} (expected {expected})");
        return default;
    }
}
