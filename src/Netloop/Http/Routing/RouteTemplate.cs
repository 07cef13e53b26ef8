using System.Text;

namespace Netloop.Http.Routing;

internal enum SegmentKind
{
    Literal,
    Parameter,
    CatchAll,
}

/// <summary>One <c>/</c>-separated piece of a template: a literal, a whole-segment <c>{name}</c>, or a trailing <c>{*name}</c>.</summary>
internal sealed record TemplateSegment(SegmentKind Kind, string Text, byte[]? LiteralKey, RouteConstraint? Constraint);

/// <summary>
/// A parsed route template. Grammar (a subset of ASP.NET Core's):
/// <code>
/// template  = [ "/" ] [ segment *( "/" segment ) ] [ "/" ]
/// segment   = literal / "{" name *( ":" constraint ) [ "?" ] "}" / "{" ( "*" / "**" ) name "}"
/// </code>
/// A parameter fills its whole segment (no <c>{name}.{ext}</c>); <c>?</c> (optional) and the catch-all are only allowed
/// in the last segment; defaults (<c>{id=1}</c>) are not supported; names are letters, digits, <c>_</c> and <c>-</c>,
/// unique ignoring case; at most <see cref="MaxParameters"/> parameters. Literal text is compared with the
/// percent-decoded request segment, ignoring ASCII case.
/// </summary>
internal sealed class RouteTemplate
{
    public const int MaxParameters = 32;

    private RouteTemplate(TemplateSegment[] segments, bool lastIsOptional)
    {
        Segments = segments;
        LastIsOptional = lastIsOptional;
    }

    public TemplateSegment[] Segments { get; }

    /// <summary>True for <c>/a/{b?}</c>: the route also matches without its last segment.</summary>
    public bool LastIsOptional { get; }

    public static RouteTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        string body = template;
        if (body.StartsWith('/')) body = body[1..];
        if (body.Length > 1 && body.EndsWith('/')) body = body[..^1];
        if (body.Length == 0) return new RouteTemplate([], false);

        string[] parts = body.Split('/');
        var segments = new TemplateSegment[parts.Length];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool lastIsOptional = false;
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            bool isLast = i == parts.Length - 1;
            if (part.Length == 0) throw Malformed(template, "empty segment");
            if (part[0] != '{')
            {
                segments[i] = ParseLiteral(part, template);
                continue;
            }
            if (part[^1] != '}' || part.IndexOfAny(['{', '}'], 1) != part.Length - 1)
            {
                throw Malformed(template, $"'{part}': a parameter must be a whole segment, like {{name}}");
            }
            string inner = part[1..^1];
            if (inner.StartsWith('*'))
            {
                if (!isLast) throw Malformed(template, "a catch-all parameter must be the last segment");
                string name = inner.TrimStart('*');
                if (name.Contains(':') || name.EndsWith('?'))
                {
                    throw Malformed(template, $"'{part}': a catch-all takes no constraint and is always optional");
                }
                if (inner.Length - name.Length > 2) throw Malformed(template, $"'{part}': use {{*name}} or {{**name}}");
                ValidateName(name, template, names);
                segments[i] = new TemplateSegment(SegmentKind.CatchAll, name, null, null);
                continue;
            }
            if (inner.Contains('=')) throw Malformed(template, $"'{part}': default values are not supported");
            if (inner.EndsWith('?'))
            {
                if (!isLast) throw Malformed(template, "only the last segment may be optional");
                lastIsOptional = true;
                inner = inner[..^1];
            }
            int colon = inner.IndexOf(':');
            string paramName = colon < 0 ? inner : inner[..colon];
            ValidateName(paramName, template, names);
            RouteConstraint? constraint = colon < 0 ? null : RouteConstraint.Parse(inner[(colon + 1)..], template);
            segments[i] = new TemplateSegment(SegmentKind.Parameter, paramName, null, constraint);
        }
        if (names.Count > MaxParameters) throw Malformed(template, $"more than {MaxParameters} parameters");
        return new RouteTemplate(segments, lastIsOptional);
    }

    /// <summary>The parameter names in capture order, for the full template or without its optional last segment.</summary>
    public string[] ParameterNames(int segmentCount)
    {
        var names = new List<string>();
        for (int i = 0; i < segmentCount; i++)
        {
            if (Segments[i].Kind != SegmentKind.Literal) names.Add(Segments[i].Text);
        }
        return [.. names];
    }

    private static TemplateSegment ParseLiteral(string part, string template)
    {
        foreach (char c in part)
        {
            if (c is '{' or '}' or '?' or '#' or '\\' || char.IsControl(c))
            {
                throw Malformed(template, $"'{part}': character '{c}' is not allowed in a literal segment");
            }
        }
        byte[] key = Encoding.UTF8.GetBytes(part);
        for (int i = 0; i < key.Length; i++) key[i] = AsciiLower(key[i]);
        return new TemplateSegment(SegmentKind.Literal, part, key, null);
    }

    private static void ValidateName(string name, string template, HashSet<string> names)
    {
        if (name.Length == 0) throw Malformed(template, "a parameter needs a name");
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                throw Malformed(template, $"parameter name '{name}' may only contain letters, digits, '_' and '-'");
            }
        }
        if (!names.Add(name)) throw Malformed(template, $"parameter '{name}' appears twice");
    }

    internal static byte AsciiLower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    private static ArgumentException Malformed(string template, string why) =>
        new($"Route template '{template}' is malformed: {why}.", nameof(template));
}
