using System.Globalization;
using System.Text;
using CsCheck;
using Netloop.Http.Routing;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// Route matching: a path generated from a random template (literals in any case and percent-encoded, parameter
/// values of each constraint, optional and catch-all last segments) matches it with the right values; random
/// templates either parse or are refused with an ArgumentException, and random paths never throw.
/// </summary>
public class RouteMatchingProperties
{
    /// <summary>One template segment, and the path segment(s) generated for it with the value they should give.</summary>
    private sealed record Part(string Template, string Path, string? Name, string? Value)
    {
        public override string ToString() => $"{Template} <- {Path}";
    }

    private sealed record Case(Part[] Parts, bool TrailingSlash)
    {
        public string Template => "/" + string.Join("/", Parts.Select(p => p.Template));

        public string Path
        {
            get
            {
                string segments = string.Join("/", Parts.Select(p => p.Path).Where(p => p.Length > 0));
                return segments.Length == 0 ? "/" : "/" + segments + (TrailingSlash ? "/" : "");
            }
        }

        public override string ToString() => $"{Template} <- {Path}";
    }

    private const string Unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";

    /// <summary>Percent-encodes what must be (and, when <paramref name="escapeAll"/>, everything), as UTF-8.</summary>
    private static string Encode(string text, bool escapeAll)
    {
        var path = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            if (!escapeAll && Unreserved.Contains((char)b, StringComparison.Ordinal)) path.Append((char)b);
            else path.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return path.ToString();
    }

    private static readonly Gen<string> Literals = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-._"].Array[1, 8].Select(c => new string(c));

    private static readonly Gen<Part> LiteralParts = Gen.Select(Literals, Gen.Bool.Array[8], Gen.Int[0, 5], (literal, upper, escape) =>
    {
        var path = new StringBuilder();
        for (int i = 0; i < literal.Length; i++)
        {
            char c = upper[i] ? char.ToUpperInvariant(literal[i]) : literal[i];
            path.Append(escape == 0 ? Encode(c.ToString(), escapeAll: true) : c.ToString());
        }
        return new Part(literal, path.ToString(), null, null);
    });

    private static readonly Gen<string> Texts = Gen.Frequency(
        (4, Gen.Char[Unreserved].Array[1, 12].Select(c => new string(c))),
        (1, Gen.Char[Unreserved + " /?#%+é€\u00FF"].Array[1, 12].Select(c => new string(c))));

    /// <summary>A constraint and a value that satisfies it.</summary>
    private static readonly Gen<(string Constraint, string Value)> Constrained = Gen.OneOf(
        Gen.Int.Select(i => (":int", i.ToString(CultureInfo.InvariantCulture))),
        Gen.Long.Select(l => (":long", l.ToString(CultureInfo.InvariantCulture))),
        Gen.OneOf("true", "false", "True", "FALSE").Select(b => (":bool", b)),
        Gen.Guid.Select(g => (":guid", g.ToString("D"))),
        Gen.Char[Unreserved[..52]].Array[1, 10].Select(c => (":alpha", new string(c))),
        Gen.Int[0, 1000].Select(i => (":int:long", i.ToString(CultureInfo.InvariantCulture))));

    // Parameter names are "@" until the case numbers them: p0, p1, … in template order.
    private static readonly Gen<Part> Parameters = Gen.Select(Gen.Frequency((2, Texts.Select(t => ("", t))), (1, Constrained)), Gen.Int[0, 5], (pair, escape) =>
        new Part($"{{@{pair.Item1}}}", Encode(pair.Item2, escapeAll: escape == 0), "@", pair.Item2));

    private static readonly Gen<Part> Middles = Gen.Frequency((1, LiteralParts), (1, Parameters));

    /// <summary>The last segment: a literal or parameter, an optional parameter given or left out, or a catch-all of any length.</summary>
    private static readonly Gen<Part> Lasts = Gen.Frequency(
        (2, Middles),
        (1, Gen.Select(Parameters, Gen.Bool, (part, given) => given
            ? part with { Template = part.Template[..^1] + "?}" }
            : new Part(part.Template[..^1] + "?}", "", part.Name, null))),
        (1, Gen.Select(Texts.Array[0, 3], Gen.Bool, (segments, twoStars) => new Part(
            twoStars ? "{**@}" : "{*@}",
            string.Join("/", segments.Select(s => Encode(s, escapeAll: false))),
            "@",
            string.Join("/", segments)))));

    private static Case Number(Part[] parts, bool slash)
    {
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Name is not null) parts[i] = parts[i] with { Template = parts[i].Template.Replace("@", $"p{i}", StringComparison.Ordinal), Name = $"p{i}" };
        }
        return new Case(parts, slash && parts.Length > 0 && !parts[^1].Template.StartsWith("{*", StringComparison.Ordinal));
    }

    private static readonly Gen<Case> Cases = Gen.Frequency(
        (1, Gen.Const(() => new Case([], false))),
        (6, Gen.Select(Middles.Array[0, 5], Lasts, Gen.Bool, (middles, last, slash) => Number([.. middles, last], slash))));

    [Fact]
    public void A_path_generated_from_a_template_matches_it_with_the_right_values()
    {
        Cases.Sample(c =>
        {
            var router = new Router<string>();
            router.Add("GET", c.Template, "handler");
            var match = router.Match("GET"u8, Encoding.ASCII.GetBytes(c.Path));
            Assert.Equal(RouteMatchKind.Found, match.Kind);
            Assert.Equal(c.Template, match.Template);
            var expected = c.Parts.Where(p => p.Name is not null && p.Value is not null).Select(p => (p.Name!, p.Value!)).ToList();
            Assert.Equal(expected.Count, match.Values.Count);
            foreach (var (name, value) in expected) Assert.Equal(value, match.Values[name]);
            Assert.Equal(RouteMatchKind.MethodNotAllowed, router.Match("POST"u8, Encoding.ASCII.GetBytes(c.Path)).Kind);
        }, time: Seconds, threads: Threads);
    }

    private static readonly Gen<string> RandomTemplates = Gen.Frequency(
        (1, Gen.Char["ab/{}*?:=-_intlongalpha%"].Array[0, 24].Select(c => new string(c))),
        (2, Cases.Select(c => c.Template)));

    private static readonly Gen<byte[]> RandomPaths = Gen.Frequency(
        (2, Gen.Frequency((1, Gen.Byte), (4, Gen.OneOf("/ab%2F0F1-xy"u8.ToArray()))).Array[0, 40]),
        (1, Cases.Select(c => Encoding.ASCII.GetBytes(c.Path))));

    [Fact]
    public void Random_templates_parse_or_are_refused_and_random_paths_never_throw()
    {
        Gen.Select(RandomTemplates.Array[1, 8], RandomPaths.Array[1, 8]).Sample((templates, paths) =>
        {
            var router = new Router<string>();
            foreach (string template in templates)
            {
                try
                {
                    router.Add(["GET", "PUT"], template, template);
                }
                catch (ArgumentException)
                {
                    // malformed, or equivalent to one added before: refused, and the router is unchanged
                }
            }
            var values = new RouteValues();
            foreach (byte[] path in paths)
            {
                foreach (var method in new[] { "GET"u8.ToArray(), "HEAD"u8.ToArray(), "POST"u8.ToArray() })
                {
                    var match = router.Match(method, path, values);
                    Assert.True(Enum.IsDefined(match.Kind));
                    if (!match.IsFound) continue;
                    Assert.Equal(match.Template, match.Handler);
                    for (int i = 0; i < match.Values.Count; i++)
                    {
                        Assert.NotNull(match.Values.GetValue(i));
                        Assert.True(match.Values.TryGetValue(match.Values.GetName(i), out _));
                    }
                }
            }
        }, time: Seconds, threads: Threads);
    }
}
