using System.Buffers.Text;

namespace Netloop.Http.Routing;

/// <summary>
/// The inline constraints a parameter may carry, as in <c>{id:int}</c>. A constrained parameter is tried before an
/// unconstrained one at the same position, so <c>/items/{id:int}</c> and <c>/items/{slug}</c> can live side by side.
/// Supported: <c>int</c>, <c>long</c>, <c>bool</c>, <c>guid</c>, <c>alpha</c>; several may be chained
/// (<c>{id:int:long}</c>) and all must hold. Anything else is rejected when the route is added.
/// </summary>
internal sealed class RouteConstraint
{
    private static readonly string[] Known = ["int", "long", "bool", "guid", "alpha"];

    private readonly string[] _names;

    private RouteConstraint(string[] names, string key)
    {
        _names = names;
        Key = key;
    }

    /// <summary>The normalized constraint list (<c>int</c>, <c>alpha:int</c>): parameters with equal keys share a trie node.</summary>
    public string Key { get; }

    public static RouteConstraint Parse(string text, string template)
    {
        string[] names = text.Split(':');
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i].ToLowerInvariant();
            if (Array.IndexOf(Known, name) < 0)
            {
                throw new ArgumentException(
                    $"Route template '{template}': unknown constraint '{names[i]}' (supported: {string.Join(", ", Known)}).",
                    nameof(template));
            }
            names[i] = name;
        }
        return new RouteConstraint(names, string.Join(':', names));
    }

    /// <summary>Checks a percent-decoded segment.</summary>
    public bool Accepts(ReadOnlySpan<byte> value)
    {
        foreach (string name in _names)
        {
            bool ok = name switch
            {
                "int" => Utf8Parser.TryParse(value, out int _, out int used) && used == value.Length,
                "long" => Utf8Parser.TryParse(value, out long _, out int used) && used == value.Length,
                "bool" => IsBool(value),
                "guid" => Utf8Parser.TryParse(value, out Guid _, out int used) && used == value.Length,
                "alpha" => IsAlpha(value),
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool IsBool(ReadOnlySpan<byte> value) =>
        System.Text.Ascii.EqualsIgnoreCase(value, "true"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "false"u8);

    private static bool IsAlpha(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return false;
        foreach (byte b in value)
        {
            if ((uint)((b | 0x20) - 'a') > 'z' - 'a') return false;
        }
        return true;
    }
}
