namespace Netloop.Http;

/// <summary>The attributes of a cookie set with <see cref="ResponseCookies.Append(string, string, CookieOptions)"/> (RFC 6265 §4.1).</summary>
public sealed class CookieOptions
{
    /// <summary>The Path attribute; <c>/</c> by default (the whole site). Null writes none. No control characters or <c>;</c>.</summary>
    public string? Path { get; set; } = "/";

    /// <summary>The Domain attribute; null (the default) limits the cookie to the host that set it. No control characters or <c>;</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>The Expires attribute, written as an HTTP date (RFC 9110 §5.6.7, in GMT); null (the default): a session cookie.</summary>
    public DateTimeOffset? Expires { get; set; }

    /// <summary>The Max-Age attribute, in whole seconds (fractions dropped; a negative value is written as 0, expire now); null (the default) writes none.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Writes <c>secure</c>: the cookie travels over HTTPS only. False by default.</summary>
    public bool Secure { get; set; }

    /// <summary>Writes <c>httponly</c>: scripts cannot read the cookie. False by default.</summary>
    public bool HttpOnly { get; set; }

    /// <summary>The SameSite attribute; <see cref="SameSiteMode.Unspecified"/> (the default) writes none.</summary>
    public SameSiteMode SameSite { get; set; } = SameSiteMode.Unspecified;
}
