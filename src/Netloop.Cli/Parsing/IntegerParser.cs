using System.CommandLine.Parsing;
using System.Globalization;

namespace Netloop.Cli.Parsing;

/// <summary>Whole-number options with a range, checked while parsing so a bad value is a usage error (exit 2), not a crash.</summary>
internal static class IntegerParser
{
    /// <summary>A custom parser accepting whole numbers from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int?> InRange(int min, int max)
    {
        string expected = max == int.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";
        return result =>
        {
            string? token = InvalidValue.Token(result);
            if (token is null) return null;
            if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
            {
                return value;
            }
            return InvalidValue.Report<int?>(result, expected);
        };
    }
}
