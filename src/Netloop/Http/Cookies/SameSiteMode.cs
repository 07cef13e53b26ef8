namespace Netloop.Http;

/// <summary>The SameSite attribute of a cookie (RFC 6265bis §4.1.2.7).</summary>
public enum SameSiteMode
{
    /// <summary>No SameSite attribute is written; the browser applies its default (Lax in current browsers).</summary>
    Unspecified = -1,

    /// <summary><c>SameSite=None</c>: sent on cross-site requests too; browsers require <see cref="CookieOptions.Secure"/> with it.</summary>
    None = 0,

    /// <summary><c>SameSite=Lax</c>: sent on same-site requests and top-level cross-site navigations.</summary>
    Lax = 1,

    /// <summary><c>SameSite=Strict</c>: sent on same-site requests only.</summary>
    Strict = 2,
}
