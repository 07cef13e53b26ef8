using System.Text;

namespace Netloop.Http;

/// <summary>
/// Sets cookies on the response, one <c>Set-Cookie</c> field each (RFC 6265 §4.1). Names and values are validated,
/// not escaped: a bad one throws <see cref="ArgumentException"/> naming what is wrong, so what the browser stores is
/// exactly what the app wrote.
/// </summary>
public sealed class ResponseCookies
{
    private readonly ResponseHeaders _headers;

    internal ResponseCookies(ResponseHeaders headers) => _headers = headers;

    /// <summary>Sets cookie <paramref name="key"/> with the default options (Path <c>/</c>, a session cookie).</summary>
    /// <exception cref="ArgumentException">The name is not a token, or the value holds a character outside cookie-octet.</exception>
    public void Append(string key, string value) => Append(key, value, s_defaults);

    /// <summary>
    /// Sets cookie <paramref name="key"/> to <paramref name="value"/> with <paramref name="options"/>' attributes.
    /// The name must be a token (RFC 9110 §5.6.2); the value may be empty and holds cookie-octets only (RFC 6265 §4.1.1:
    /// printable ASCII except space, <c>"</c>, <c>,</c>, <c>;</c> and <c>\</c>), optionally inside one pair of double
    /// quotes. Percent-encode anything else before (e.g. <see cref="Uri.EscapeDataString(string)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A bad name, value, Path or Domain; the message says which and why.</exception>
    /// <exception cref="InvalidOperationException">The response has started.</exception>
    public void Append(string key, string value, CookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        ValidateName(key);
        ValidateValue(key, value);
        _headers.Add("Set-Cookie", Format(key, value, options));
    }

    /// <summary>Tells the browser to drop cookie <paramref name="key"/> (an empty value that expired in 1970), at Path <c>/</c>.</summary>
    public void Delete(string key) => Delete(key, s_defaults);

    /// <summary>Tells the browser to drop cookie <paramref name="key"/>; Path and Domain must be those it was set with.</summary>
    public void Delete(string key, CookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Append(key, "", new CookieOptions
        {
            Path = options.Path,
            Domain = options.Domain,
            Expires = DateTimeOffset.UnixEpoch,
            Secure = options.Secure,
            HttpOnly = options.HttpOnly,
            SameSite = options.SameSite,
        });
    }

    private static readonly CookieOptions s_defaults = new();

    private static string Format(string key, string value, CookieOptions options)
    {
        var text = new StringBuilder(key.Length + value.Length + 64).Append(key).Append('=').Append(value);
        if (options.Expires is { } expires) text.Append("; expires=").Append(StaticFiles.HttpDate.Format(expires));
        if (options.MaxAge is { } maxAge) text.Append("; max-age=").Append(Math.Max(0L, (long)maxAge.TotalSeconds));
        if (options.Domain is { } domain) text.Append("; domain=").Append(ValidateAttribute("Domain", domain));
        if (options.Path is { } path) text.Append("; path=").Append(ValidateAttribute("Path", path));
        if (options.Secure) text.Append("; secure");
        if (options.SameSite != SameSiteMode.Unspecified)
        {
            text.Append("; samesite=").Append(options.SameSite switch
            {
                SameSiteMode.None => "none",
                SameSiteMode.Lax => "lax",
                SameSiteMode.Strict => "strict",
                _ => throw new ArgumentException($"SameSite {(int)options.SameSite} is not a SameSiteMode", nameof(options)),
            });
        }
        if (options.HttpOnly) text.Append("; httponly");
        return text.ToString();
    }

    private static void ValidateName(string key)
    {
        if (key.Length == 0) throw new ArgumentException("a cookie name cannot be empty", nameof(key));
        foreach (char c in key)
        {
            if (c > 0x7E || !HttpCharacters.IsToken((byte)c))
            {
                throw new ArgumentException($"cookie name '{key}' has '{Printable(c)}', which a token cannot hold (RFC 9110 §5.6.2)", nameof(key));
            }
        }
    }

    private static void ValidateValue(string key, string value)
    {
        ReadOnlySpan<char> inner = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value.AsSpan(1, value.Length - 2) : value;
        foreach (char c in inner)
        {
            // cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (RFC 6265 §4.1.1)
            bool ok = c is '\x21' or (>= '\x23' and <= '\x2B') or (>= '\x2D' and <= '\x3A') or (>= '\x3C' and <= '\x5B') or (>= '\x5D' and <= '\x7E');
            if (!ok)
            {
                throw new ArgumentException(
                    $"the value of cookie '{key}' has '{Printable(c)}', which is not a cookie-octet (RFC 6265 §4.1.1: no space, '\"', ',', ';', '\\\\' or non-ASCII; percent-encode it)",
                    nameof(value));
            }
        }
    }

    private static string ValidateAttribute(string attribute, string text)
    {
        foreach (char c in text)
        {
            // av-octet: any CHAR except CTLs or ";" (RFC 6265 §4.1.1)
            if (c < 0x20 || c >= 0x7F || c == ';')
            {
                throw new ArgumentException($"cookie {attribute} '{text}' has '{Printable(c)}', which an attribute cannot hold (RFC 6265 §4.1.1)");
            }
        }
        return text;
    }

    private static string Printable(char c) => c is >= ' ' and < '\x7F' ? c.ToString() : $"\\u{(int)c:X4}";
}
