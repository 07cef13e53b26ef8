using System.CommandLine.Parsing;
using Netloop.Server;

namespace Netloop.Cli.Parsing;

/// <summary><c>--rate-limit</c>: <c>100/s</c>, <c>600/m</c>, or plain requests per second; a bad value is a one-line usage error.</summary>
internal static class RequestRateParser
{
    /// <summary>A custom parser giving requests per second.</summary>
    public static double? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        return RequestRateText.TryParse(token, out double rate) ? rate : InvalidValue.Report<double?>(result, RequestRateText.Expected);
    }
}
