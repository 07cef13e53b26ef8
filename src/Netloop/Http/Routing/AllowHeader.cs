using System.Text;

namespace Netloop.Http.Routing;

/// <summary>
/// A precomputed <c>Allow</c> field value (RFC 9110 §10.2.1): the methods in registration order, separated by
/// <c>", "</c>, with <c>HEAD</c> placed right after <c>GET</c> when only GET was registered (GET routes answer HEAD).
/// </summary>
internal sealed class AllowHeader
{
    private AllowHeader(string value)
    {
        Value = value;
        Utf8 = Encoding.ASCII.GetBytes(value);
    }

    public string Value { get; }

    public byte[] Utf8 { get; }

    public static AllowHeader Build(IEnumerable<string> methods)
    {
        var ordered = new List<string>();
        foreach (string method in methods)
        {
            if (!ordered.Contains(method)) ordered.Add(method);
        }
        int get = ordered.IndexOf("GET");
        if (get >= 0 && !ordered.Contains("HEAD")) ordered.Insert(get + 1, "HEAD");
        return new AllowHeader(string.Join(", ", ordered));
    }
}
