using System.Text;
using CsCheck;

namespace Netloop.Tests.Properties;

/// <summary>
/// What every property test here shares: its time bound, byte mutations, arrival points and a readable rendering of
/// bytes. CsCheck shrinks a failing sample and puts the smallest counterexample (through the types' ToString) and its
/// seed in the exception message; <c>CsCheck_Seed=...</c> in the environment replays it.
/// </summary>
internal static class PropertyBounds
{
    /// <summary>Seconds each property samples for: about 15 properties keep the whole set well under a minute on 2 cores.</summary>
    public const int Seconds = 2;

    /// <summary>One thread per property: the suite runs test classes in parallel already, on a machine others share.</summary>
    public const int Threads = 1;

    /// <summary>Bytes that steer a parser to its edges: delimiters, whitespace, controls, quotes, obs-text.</summary>
    private static readonly byte[] Interesting = [.. "\r\n :;,=\t\0\u007f\"/?#%*@[]{}-0aFz"u8, 0x80, 0xC3, 0xFF];

    private static readonly Gen<byte> MutationBytes = Gen.Frequency((2, Gen.OneOf(Interesting)), (1, Gen.Byte));

    public static readonly Gen<Mutation> OneMutation =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], MutationBytes, (kind, position, value) => new Mutation(kind, position, value));

    /// <summary>One to six mutations.</summary>
    public static readonly Gen<Mutation[]> Mutations = OneMutation.Array[1, 6];

    /// <summary>Where deliveries end, as raw numbers: <see cref="Arrivals"/> maps them onto an input.</summary>
    public static readonly Gen<int[]> Cuts = Gen.Int[0, int.MaxValue].Array[0, 8];

    /// <summary>The input mutated in order; positions wrap around its current length.</summary>
    public static byte[] Apply(byte[] input, Mutation[] mutations)
    {
        var bytes = new List<byte>(input);
        foreach (var mutation in mutations) mutation.ApplyTo(bytes);
        return [.. bytes];
    }

    /// <summary>Increasing arrival points (bytes available at each delivery), always ending with the whole input.</summary>
    public static int[] Arrivals(int length, int[] cuts)
    {
        var points = new SortedSet<int>(cuts.Select(c => c % (length + 1))) { length };
        return [.. points];
    }

    /// <summary>Consecutive slices of <paramref name="input"/> ending at <see cref="Arrivals"/>.</summary>
    public static IEnumerable<byte[]> Pieces(byte[] input, int[] cuts)
    {
        int at = 0;
        foreach (int end in Arrivals(input.Length, cuts))
        {
            if (end > at) yield return input[at..end];
            at = end;
        }
    }

    /// <summary>Bytes as Latin-1 text with controls and non-ASCII escaped, for counterexamples a reader can see.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'\\' => "\\\\",
                (byte)'"' => "\\\"",
                < 0x20 or >= 0x7F => $"\\x{b:X2}",
                _ => ((char)b).ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}

/// <summary>One edit of an input: flip a bit, overwrite, cut the rest off, delete or insert a byte.</summary>
internal readonly record struct Mutation(int Kind, int Position, byte Value)
{
    public void ApplyTo(List<byte> bytes)
    {
        int at = bytes.Count == 0 ? 0 : Position % bytes.Count;
        switch (Kind)
        {
            case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << (Value & 7)); break;
            case 1 when bytes.Count > 0: bytes[at] = Value; break;
            case 2 when bytes.Count > 0: bytes.RemoveRange(at, bytes.Count - at); break;
            case 3 when bytes.Count > 0: bytes.RemoveAt(at); break;
            default: bytes.Insert(at, Value); break;
        }
    }

    public override string ToString() => Kind switch
    {
        0 => $"flip bit {Value & 7} at {Position}",
        1 => $"set {Position} to 0x{Value:X2}",
        2 => $"cut at {Position}",
        3 => $"delete at {Position}",
        _ => $"insert 0x{Value:X2} at {Position}",
    };
}
