using Netloop.Http;

namespace Netloop.Fuzz;

/// <summary>
/// The Cookie header parser (<see cref="Netloop.Http.Cookies.RequestCookieCollection"/>): the input is one or more
/// Cookie field values between NUL bytes, loaded into a request as separate fields. Any bytes must parse without
/// throwing, names come out non-empty and trimmed, and the first occurrence of a name wins.
/// </summary>
internal sealed class CookiesTarget : FuzzTarget
{
    public override string Name => "cookies";

    public override string Description => "Cookie header parsing: the input is Cookie field values separated by NUL bytes";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var head = new RequestHead();
        head.Clear();
        foreach (byte[] value in FuzzInput.SplitOnNul(input, 8))
        {
            int name = head.Append("cookie"u8);
            int start = head.Append(value);
            head.AddHeader(name, 6, start, value.Length);
        }
        var request = new HttpRequest(head);
        var cookies = request.Cookies;
        foreach (var (key, _) in cookies)
        {
            FuzzBugException.Check(key.Length > 0 && key.Trim(' ', '\t') == key, $"cookie name '{key}'");
            FuzzBugException.Check(cookies[key] is not null && cookies.ContainsKey(key), $"cookie '{key}' listed but not found");
        }
    }
}
