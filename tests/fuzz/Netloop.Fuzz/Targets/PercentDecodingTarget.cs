using System.Text;
using Netloop.Http;
using Netloop.Http.Routing;

namespace Netloop.Fuzz;

/// <summary>
/// Percent-decoding of paths (<see cref="PercentEncoding"/>) and query strings (<see cref="QueryCollection"/>): any
/// bytes must decode without throwing, never to more bytes than they had, and the strict and lenient decoders must
/// agree wherever the strict one accepts.
/// </summary>
internal sealed class PercentDecodingTarget : FuzzTarget
{
    public override string Name => "percent-decoding";

    public override string Description => "PercentEncoding and QueryCollection: the input is a path or query string";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var strict = new byte[input.Length];
        var lenient = new byte[input.Length];
        int lenientLength = PercentEncoding.DecodeLenient(input, lenient);
        FuzzBugException.Check(lenientLength >= 0 && lenientLength <= input.Length, $"lenient decode wrote {lenientLength} of {input.Length}");
        if (PercentEncoding.TryDecode(input, strict, out int written))
        {
            FuzzBugException.Check(written <= input.Length, $"strict decode wrote {written} of {input.Length}");
            FuzzBugException.Check(strict.AsSpan(0, written).SequenceEqual(lenient.AsSpan(0, lenientLength)), "strict and lenient decodes differ");
        }
        _ = PercentEncoding.DecodeToString(input);

        var query = QueryCollection.Parse(Encoding.Latin1.GetString(input));
        foreach (var (key, value) in query)
        {
            FuzzBugException.Check(query.GetAll(key).Contains(value), $"query '{key}' listed but not found");
        }
    }
}
