using System.Runtime.CompilerServices;

namespace Netloop.Http.Routing;

/// <summary>
/// Maps (method, path) to a handler: a trie with one level per path segment, matched straight from the request's
/// raw ASCII bytes.
/// </summary>
/// <remarks>
/// <para><b>Templates</b> (see <see cref="Add(IEnumerable{string}, string, THandler)"/>): literal segments,
/// whole-segment parameters <c>{id}</c>, optionally constrained (<c>{id:int}</c>; also <c>long</c>, <c>bool</c>,
/// <c>guid</c>, <c>alpha</c>) or optional in the last segment (<c>{id?}</c>), and a catch-all <c>{*rest}</c> as the
/// last segment, which matches the rest of the path including nothing at all (<c>/static</c>, <c>/static/</c>,
/// <c>/static/a/b.css</c> all match <c>/static/{*path}</c>).</para>
/// <para><b>Matching</b> (like ASP.NET Core): literals compare with the percent-decoded segment ignoring ASCII case
/// (<c>/Plaintext</c> finds <c>/plaintext</c>; non-ASCII letters compare exactly). At each segment the candidates are
/// tried in precedence order, backtracking on failure: literal, constrained parameter, parameter, catch-all; so
/// <c>/users/me</c> beats <c>/users/{id}</c>, and <c>/users/me/friends</c> still reaches <c>/users/{id}/friends</c>.
/// The first route in that order that also accepts the method wins. A single trailing slash is ignored
/// (<c>/plaintext/</c> finds <c>/plaintext</c>); an empty segment elsewhere (<c>/a//b</c>) matches only a catch-all.
/// A path that does not start with <c>/</c> (<c>*</c>, absolute-form) is NotFound.</para>
/// <para><b>Methods</b> are registered upper-cased and compared byte for byte (RFC 9110 §9.1: methods are
/// case-sensitive, so a request for <c>get</c> is not GET). HEAD falls back to the GET route when no HEAD route
/// exists. OPTIONS is only answered if registered. When the path matches but no route takes the method, the result
/// is MethodNotAllowed with a precomputed <c>Allow</c> value.</para>
/// <para><b>Cost</b>: a lookup allocates nothing unless the matched route has parameters and no
/// <see cref="RouteValues"/> instance is passed in (then one is created). Values are decoded lazily.</para>
/// <para><b>Threads</b>: add every route before serving. <see cref="Add(string, string, THandler)"/> must not run
/// concurrently with anything; <c>Match</c> is safe to call from any number of threads at once.</para>
/// </remarks>
/// <typeparam name="THandler">Whatever the application calls for a request, e.g. a delegate taking its context.</typeparam>
internal sealed class Router<THandler>
{
    private const int MaxCachedUnions = 256;

    private readonly RouteNode<THandler> _root = new();
    private readonly List<string> _methods = [];
    private AllowUnion[] _unions = [];

    /// <summary>How many (method, template) pairs have been added; an optional parameter counts once.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a route for one method. See <see cref="Add(IEnumerable{string}, string, THandler)"/>.</summary>
    public void Add(string method, string template, THandler handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        Add([method], template, handler);
    }

    /// <summary>Adds a route for each of <paramref name="methods"/>.</summary>
    /// <param name="methods">HTTP method tokens; upper-cased. At least one, no duplicates.</param>
    /// <param name="template">For example <c>/users/{id:int}</c> or <c>/static/{*path}</c>; a leading and a trailing
    /// <c>/</c> are optional and ignored.</param>
    /// <param name="handler">Returned by <c>Match</c> for this route.</param>
    /// <exception cref="ArgumentException">The template is malformed, a method is not a token, or a method is already
    /// registered for an equivalent template (same literals ignoring case and same parameter positions and
    /// constraints, whatever the parameter names).</exception>
    public void Add(IEnumerable<string> methods, string template, THandler handler)
    {
        ArgumentNullException.ThrowIfNull(methods);
        AddCore(NormalizeMethods(methods), template, handler);
    }

    /// <summary>
    /// Adds a route that takes any method. On the same template a route for the request's own method (or GET, for
    /// HEAD) wins over it; a path it matches never gets a 405.
    /// </summary>
    /// <exception cref="ArgumentException">The template is malformed, or another any-method route has an equivalent template.</exception>
    public void AddAnyMethod(string template, THandler handler)
    {
        AddCore([null], template, handler);
        HasAnyMethodRoute = true;
    }

    /// <summary>Every method some route was added for (upper-cased, registration order; any-method routes not included).</summary>
    public IReadOnlyList<string> Methods => _methods;

    /// <summary>True once a route for any method was added (<see cref="AddAnyMethod"/>).</summary>
    public bool HasAnyMethodRoute { get; private set; }

    private void AddCore(string?[] verbs, string template, THandler handler)
    {
        ArgumentNullException.ThrowIfNull(template);
        RouteTemplate parsed = RouteTemplate.Parse(template);

        var targets = new List<(RouteEndpoint<THandler> Endpoint, string[] Names)>
        {
            (Locate(parsed, parsed.Segments.Length), parsed.ParameterNames(parsed.Segments.Length)),
        };
        if (parsed.LastIsOptional)
        {
            targets.Add((Locate(parsed, parsed.Segments.Length - 1), parsed.ParameterNames(parsed.Segments.Length - 1)));
        }

        foreach ((RouteEndpoint<THandler> endpoint, _) in targets)
        {
            foreach (string? verb in verbs)
            {
                RouteEntry<THandler>? existing = Array.Find(endpoint.Entries, e => e.Method == verb);
                if (existing is not null)
                {
                    throw new ArgumentException(
                        $"Route '{verb ?? "(any method)"} {template}' conflicts with the existing route '{verb ?? "(any method)"} {existing.Template}'.",
                        nameof(template));
                }
            }
        }

        foreach ((RouteEndpoint<THandler> endpoint, string[] names) in targets)
        {
            foreach (string? verb in verbs) endpoint.Add(new RouteEntry<THandler>(verb, handler, template, names));
        }
        foreach (string? verb in verbs)
        {
            if (verb is not null && !_methods.Contains(verb)) _methods.Add(verb);
        }
        Count += verbs.Length;
        Volatile.Write(ref _unions, []);
    }

    /// <summary>
    /// Finds the route for a request. Allocates only when the matched route has parameters (one
    /// <see cref="RouteValues"/>); use the other overload to reuse one.
    /// </summary>
    /// <param name="method">The request method, as received (e.g. <c>GET</c>).</param>
    /// <param name="path">The raw, percent-encoded path of the request-target, without the query.</param>
    public RouteMatch<THandler> Match(ReadOnlySpan<byte> method, ReadOnlySpan<byte> path) => MatchCore(method, path, null);

    /// <summary>
    /// Finds the route for a request and fills <paramref name="values"/> (cleared first, whatever the outcome) with
    /// its parameters, so that a connection can reuse one instance and a match allocates nothing.
    /// </summary>
    /// <param name="method">The request method, as received (e.g. <c>GET</c>).</param>
    /// <param name="path">The raw, percent-encoded path of the request-target, without the query.</param>
    /// <param name="values">Receives the route values; must not be <see cref="RouteValues.Empty"/>.</param>
    public RouteMatch<THandler> Match(ReadOnlySpan<byte> method, ReadOnlySpan<byte> path, RouteValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.IsReadOnly) throw new ArgumentException("RouteValues.Empty cannot receive values.", nameof(values));
        return MatchCore(method, path, values);
    }

    private RouteMatch<THandler> MatchCore(ReadOnlySpan<byte> method, ReadOnlySpan<byte> path, RouteValues? values)
    {
        values?.Clear();
        if (path.IsEmpty || path[0] != (byte)'/') return new RouteMatch<THandler>(RouteMatchKind.NotFound, default, values ?? RouteValues.Empty, null, null);

        var state = new MatchState
        {
            Path = path,
            End = path[^1] == (byte)'/' ? path.Length - 1 : path.Length,
            Method = method,
            IsHead = method.SequenceEqual("HEAD"u8),
            Captures = stackalloc int[2 * RouteTemplate.MaxParameters],
        };

        if (Visit(_root, 0, ref state))
        {
            RouteEntry<THandler> entry = state.Found!;
            RouteValues result = values ?? RouteValues.Empty;
            if (entry.ParameterNames.Length > 0)
            {
                result = values ?? new RouteValues();
                result.Set(path, state.Captures[..(2 * state.CaptureCount)], entry.ParameterNames);
            }
            return new RouteMatch<THandler>(RouteMatchKind.Found, entry.Handler, result, entry.Template, null);
        }
        if (state.MismatchCount == 0) return new RouteMatch<THandler>(RouteMatchKind.NotFound, default, values ?? RouteValues.Empty, null, null);
        return new RouteMatch<THandler>(RouteMatchKind.MethodNotAllowed, default, values ?? RouteValues.Empty, null, AllowFor(ref state));
    }

    private static bool Visit(RouteNode<THandler> node, int pos, ref MatchState s)
    {
        if (pos < s.End)
        {
            int start = pos + 1;
            int slash = s.Path[start..s.End].IndexOf((byte)'/');
            int end = slash < 0 ? s.End : start + slash;
            ReadOnlySpan<byte> segment = s.Path[start..end];
            if (segment.Length > 0 && (node.LiteralKeys.Length | node.ParameterChildren.Length) != 0)
            {
                if (segment.IndexOf((byte)'%') < 0)
                {
                    if (VisitChildren(node, start, end, segment, ref s)) return true;
                }
                else
                {
                    Span<byte> decoded = segment.Length <= 256 ? stackalloc byte[segment.Length] : new byte[segment.Length];
                    int length = PercentEncoding.DecodeLenient(segment, decoded);
                    if (VisitChildren(node, start, end, decoded[..length], ref s)) return true;
                }
            }
        }
        else if (node.Endpoint is { } endpoint && s.Accept(endpoint))
        {
            return true;
        }

        if (node.CatchAll is { } catchAll)
        {
            int start = Math.Min(pos + 1, s.Path.Length);
            s.Push(start, s.Path.Length - start);
            if (s.Accept(catchAll)) return true;
            s.Pop();
        }
        return false;
    }

    // text is the percent-decoded segment: literals compare with it and constraints check it.
    private static bool VisitChildren(RouteNode<THandler> node, int start, int end, scoped ReadOnlySpan<byte> text, ref MatchState s)
    {
        byte[][] keys = node.LiteralKeys;
        for (int i = 0; i < keys.Length; i++)
        {
            if (EqualsIgnoreAsciiCase(text, keys[i]) && Visit(node.LiteralChildren[i], end, ref s)) return true;
        }
        RouteConstraint?[] constraints = node.ParameterConstraints;
        for (int i = 0; i < constraints.Length; i++)
        {
            if (constraints[i] is { } constraint && !constraint.Accepts(text)) continue;
            s.Push(start, end - start);
            if (Visit(node.ParameterChildren[i], end, ref s)) return true;
            s.Pop();
        }
        return false;
    }

    private static bool EqualsIgnoreAsciiCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerKey)
    {
        if (text.Length != lowerKey.Length) return false;
        for (int i = 0; i < text.Length; i++)
        {
            if (RouteTemplate.AsciiLower(text[i]) != lowerKey[i]) return false;
        }
        return true;
    }

    /// <summary>
    /// The Allow value for a 405. One endpoint has it precomputed; several (say <c>/users/me</c> and <c>/users/{id}</c>
    /// both matching <c>/users/me</c>) get their union, built once per distinct set and cached.
    /// </summary>
    private AllowHeader AllowFor(ref MatchState s)
    {
        if (s.MismatchCount == 1) return s.Mismatches[0]!.Allow;
        AllowUnion[] unions = Volatile.Read(ref _unions);
        foreach (AllowUnion union in unions)
        {
            if (union.Matches(ref s)) return union.Allow;
        }

        var members = new RouteEndpoint<THandler>[s.MismatchCount];
        for (int i = 0; i < members.Length; i++) members[i] = s.MismatchAt(i);
        var created = new AllowUnion(members, AllowHeader.Build(members.SelectMany(m => m.Entries.Where(e => e.Method is not null).Select(e => e.Method!))));
        while (unions.Length < MaxCachedUnions)
        {
            AllowUnion[] seen = Interlocked.CompareExchange(ref _unions, [.. unions, created], unions);
            if (ReferenceEquals(seen, unions)) break;
            unions = seen;
        }
        return created.Allow;
    }

    private RouteEndpoint<THandler> Locate(RouteTemplate template, int segmentCount)
    {
        RouteNode<THandler> node = _root;
        for (int i = 0; i < segmentCount; i++)
        {
            TemplateSegment segment = template.Segments[i];
            switch (segment.Kind)
            {
                case SegmentKind.Literal:
                    node = node.GetOrAddLiteral(segment.LiteralKey!);
                    break;
                case SegmentKind.Parameter:
                    node = node.GetOrAddParameter(segment.Constraint);
                    break;
                default:
                    return node.CatchAll ??= new RouteEndpoint<THandler>();
            }
        }
        return node.Endpoint ??= new RouteEndpoint<THandler>();
    }

    private static string[] NormalizeMethods(IEnumerable<string> methods)
    {
        var result = new List<string>();
        foreach (string method in methods)
        {
            if (!HttpCharacters.IsToken(method))
            {
                throw new ArgumentException($"'{method}' is not an HTTP method token (RFC 9110 §9.1).", nameof(methods));
            }
            string upper = method.ToUpperInvariant();
            if (result.Contains(upper)) throw new ArgumentException($"Method '{upper}' is listed twice.", nameof(methods));
            result.Add(upper);
        }
        if (result.Count == 0) throw new ArgumentException("At least one method is required.", nameof(methods));
        return [.. result];
    }

    private sealed class AllowUnion(RouteEndpoint<THandler>[] members, AllowHeader allow)
    {
        public AllowHeader Allow { get; } = allow;

        public bool Matches(ref MatchState s)
        {
            if (members.Length != s.MismatchCount) return false;
            for (int i = 0; i < members.Length; i++)
            {
                if (!ReferenceEquals(members[i], s.MismatchAt(i))) return false;
            }
            return true;
        }
    }

    [InlineArray(8)]
    private struct EndpointBuffer
    {
        private RouteEndpoint<THandler>? _element;
    }

    /// <summary>The walk's state: the request, the captures on the current trie path, and what matched.</summary>
    private ref struct MatchState
    {
        public ReadOnlySpan<byte> Path;

        /// <summary>Where segments end: the path length minus one trailing slash.</summary>
        public int End;

        public ReadOnlySpan<byte> Method;
        public bool IsHead;

        /// <summary>(start, length) pairs into <see cref="Path"/>, one per parameter on the current trie path.</summary>
        public Span<int> Captures;

        public int CaptureCount;
        public RouteEntry<THandler>? Found;

        /// <summary>Endpoints that matched the path but not the method, in precedence order (for Allow).</summary>
        public EndpointBuffer Mismatches;

        public int MismatchCount;
        public List<RouteEndpoint<THandler>>? MoreMismatches;

        public void Push(int start, int length)
        {
            Captures[2 * CaptureCount] = start;
            Captures[(2 * CaptureCount) + 1] = length;
            CaptureCount++;
        }

        public void Pop() => CaptureCount--;

        public bool Accept(RouteEndpoint<THandler> endpoint)
        {
            if (endpoint.Entries.Length == 0) return false;
            RouteEntry<THandler>? entry = endpoint.Find(Method, IsHead);
            if (entry is not null)
            {
                Found = entry;
                return true;
            }
            if (MismatchCount < 8) Mismatches[MismatchCount] = endpoint;
            else (MoreMismatches ??= []).Add(endpoint);
            MismatchCount++;
            return false;
        }

        public readonly RouteEndpoint<THandler> MismatchAt(int index) =>
            index < 8 ? Mismatches[index]! : MoreMismatches![index - 8];
    }
}
