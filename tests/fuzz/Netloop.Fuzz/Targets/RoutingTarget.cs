using System.Text;
using Netloop.Http.Routing;

namespace Netloop.Fuzz;

/// <summary>
/// Route templates and matching (<see cref="RouteTemplate"/>, <see cref="Router{THandler}"/>): the input is up to four
/// templates and a request path, separated by NUL bytes. A malformed template must throw <see cref="ArgumentException"/>
/// (the documented rejection) and nothing else; any path must match without throwing, and the two Match overloads
/// must agree.
/// </summary>
internal sealed class RoutingTarget : FuzzTarget
{
    private static readonly string[][] s_methods = [["GET"], ["POST", "PUT"], ["GET", "HEAD"], ["DELETE"]];

    public override string Name => "routing";

    public override string Description => "RouteTemplate parse + Router match: the input is templates and a path, NUL between";

    public override void Run(ReadOnlySpan<byte> input)
    {
        List<byte[]> parts = FuzzInput.SplitOnNul(input, 5);
        byte[] path = parts[^1];
        var router = new Router<int>();
        router.Add("GET", "/fixed/{id:int}", 100);
        router.Add("GET", "/files/{*rest}", 101);
        for (int i = 0; i < parts.Count - 1; i++)
        {
            string template = Encoding.UTF8.GetString(parts[i]);
            try
            {
                if (i == 3) router.AddAnyMethod(template, i);
                else router.Add(s_methods[i], template, i);
            }
            catch (ArgumentException)
            {
                // a malformed template, or one equivalent to a route already there: what Add documents
            }
        }

        foreach (string method in (ReadOnlySpan<string>)["GET", "HEAD", "POST", "PATCH"])
        {
            byte[] methodBytes = Encoding.ASCII.GetBytes(method);
            var values = new RouteValues();
            RouteMatch<int> withValues = router.Match(methodBytes, path, values);
            RouteMatch<int> plain = router.Match(methodBytes, path);
            FuzzBugException.Check(withValues.Kind == plain.Kind && withValues.Handler == plain.Handler,
                $"{method}: Match overloads disagree ({withValues.Kind} {withValues.Handler} vs {plain.Kind} {plain.Handler})");
            FuzzBugException.Check(withValues.Values.Count == plain.Values.Count, $"{method}: {withValues.Values.Count} vs {plain.Values.Count} values");
            if (!withValues.IsFound) FuzzBugException.Check(values.Count == 0, $"{method}: values filled for a {withValues.Kind}");
        }
    }
}
