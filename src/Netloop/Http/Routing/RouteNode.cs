namespace Netloop.Http.Routing;

/// <summary>
/// A trie node: one level per path segment. Children are kept in the order the matcher tries them: literals, then
/// constrained parameters, then the unconstrained parameter, then the catch-all.
/// </summary>
internal sealed class RouteNode<THandler>
{
    /// <summary>Literal children, keyed by the ASCII-lower-cased UTF-8 text of the segment.</summary>
    public byte[][] LiteralKeys { get; private set; } = [];

    public RouteNode<THandler>[] LiteralChildren { get; private set; } = [];

    public RouteConstraint?[] ParameterConstraints { get; private set; } = [];

    public RouteNode<THandler>[] ParameterChildren { get; private set; } = [];

    /// <summary>The endpoint of a <c>{*rest}</c> in this position: it consumes the rest of the path, even nothing.</summary>
    public RouteEndpoint<THandler>? CatchAll { get; set; }

    /// <summary>The endpoint for a path that ends at this node.</summary>
    public RouteEndpoint<THandler>? Endpoint { get; set; }

    public RouteNode<THandler> GetOrAddLiteral(byte[] key)
    {
        for (int i = 0; i < LiteralKeys.Length; i++)
        {
            if (LiteralKeys[i].AsSpan().SequenceEqual(key)) return LiteralChildren[i];
        }
        var child = new RouteNode<THandler>();
        LiteralKeys = [.. LiteralKeys, key];
        LiteralChildren = [.. LiteralChildren, child];
        return child;
    }

    public RouteNode<THandler> GetOrAddParameter(RouteConstraint? constraint)
    {
        for (int i = 0; i < ParameterConstraints.Length; i++)
        {
            if (ParameterConstraints[i]?.Key == constraint?.Key) return ParameterChildren[i];
        }
        var child = new RouteNode<THandler>();
        // Constrained parameters go before the unconstrained one so that they are tried first.
        int at = constraint is null ? ParameterConstraints.Length : Array.IndexOf(ParameterConstraints, null);
        if (at < 0) at = ParameterConstraints.Length;
        ParameterConstraints = [.. ParameterConstraints[..at], constraint, .. ParameterConstraints[at..]];
        ParameterChildren = [.. ParameterChildren[..at], child, .. ParameterChildren[at..]];
        return child;
    }
}
