using System.Text;
using Netloop.Http.Routing;

namespace Netloop.Tests.Http.Routing;

public class RouterTests
{
    private static RouteMatch<string> Match(Router<string> router, string method, string path) =>
        router.Match(Encoding.ASCII.GetBytes(method), Encoding.ASCII.GetBytes(path));

    private static Router<string> Build(params (string Method, string Template)[] routes)
    {
        var router = new Router<string>();
        foreach ((string method, string template) in routes) router.Add(method, template, $"{method} {template}");
        return router;
    }

    [Fact]
    public void A_literal_route_is_found_by_method_and_path()
    {
        var router = Build(("GET", "/plaintext"), ("POST", "/echo"));
        RouteMatch<string> match = Match(router, "GET", "/plaintext");
        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.True(match.IsFound);
        Assert.Equal(200, match.StatusCode);
        Assert.Equal("GET /plaintext", match.Handler);
        Assert.Equal("/plaintext", match.Template);
        Assert.Same(RouteValues.Empty, match.Values);
        Assert.Null(match.Allow);
        Assert.Equal("POST /echo", Match(router, "POST", "/echo").Handler);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/plaintext/more")]
    [InlineData("/plain")]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("plaintext")]
    [InlineData("/")]
    public void An_unknown_path_is_not_found(string path)
    {
        var router = Build(("GET", "/plaintext"));
        RouteMatch<string> match = Match(router, "GET", path);
        Assert.Equal(RouteMatchKind.NotFound, match.Kind);
        Assert.Equal(404, match.StatusCode);
        Assert.Null(match.Handler);
        Assert.Null(match.Allow);
        Assert.True(match.AllowBytes.IsEmpty);
    }

    [Fact]
    public void The_root_template_matches_only_the_root_path()
    {
        var router = Build(("GET", "/"), ("GET", "/a"));
        Assert.Equal("GET /", Match(router, "GET", "/").Handler);
        Assert.Equal("GET /a", Match(router, "GET", "/a").Handler);
        Assert.Equal(RouteMatchKind.NotFound, Match(router, "GET", "//").Kind);
    }

    [Theory]
    [InlineData("/PlainText")]
    [InlineData("/PLAINTEXT")]
    [InlineData("/plaintext/")]
    [InlineData("/plain%74ext")]
    [InlineData("/PLAIN%54EXT")]
    public void Literals_match_ignoring_ascii_case_a_trailing_slash_and_percent_encoding(string path)
    {
        var router = Build(("GET", "/plaintext"));
        Assert.Equal("GET /plaintext", Match(router, "GET", path).Handler);
    }

    [Fact]
    public void Non_ascii_literals_match_their_encoded_utf8_exactly()
    {
        var router = Build(("GET", "/café/Ünïcode"));
        Assert.True(Match(router, "GET", "/caf%C3%A9/%C3%9Cn%C3%AFcode").IsFound);
        Assert.True(Match(router, "GET", "/CAF%c3%a9/%C3%9Cn%C3%AFCODE").IsFound);
        // ü is not Ü: case folding is ASCII only.
        Assert.False(Match(router, "GET", "/caf%C3%A9/%C3%BCn%C3%AFcode").IsFound);
    }

    [Fact]
    public void Literal_segments_beat_parameters_whatever_the_registration_order()
    {
        var router = Build(("GET", "/users/{id}"), ("GET", "/users/me"));
        RouteMatch<string> me = Match(router, "GET", "/users/me");
        Assert.Equal("GET /users/me", me.Handler);
        Assert.Equal(0, me.Values.Count);
        RouteMatch<string> other = Match(router, "GET", "/users/42");
        Assert.Equal("GET /users/{id}", other.Handler);
        Assert.Equal("42", other.Values["id"]);
    }

    [Fact]
    public void A_dead_end_literal_branch_backtracks_to_the_parameter_branch()
    {
        var router = Build(("GET", "/users/me/settings"), ("GET", "/users/{id}/friends"));
        RouteMatch<string> match = Match(router, "GET", "/users/me/friends");
        Assert.Equal("GET /users/{id}/friends", match.Handler);
        Assert.Equal("me", match.Values["id"]);
        Assert.Equal("GET /users/me/settings", Match(router, "GET", "/users/me/settings").Handler);
    }

    [Fact]
    public void A_literal_route_without_the_method_lets_a_parameter_route_with_it_match()
    {
        var router = Build(("GET", "/users/me"), ("DELETE", "/users/{id}"));
        RouteMatch<string> match = Match(router, "DELETE", "/users/me");
        Assert.Equal("DELETE /users/{id}", match.Handler);
        Assert.Equal("me", match.Values["id"]);
    }

    [Fact]
    public void Several_parameters_are_captured_in_order()
    {
        var router = Build(("GET", "/orgs/{org}/repos/{repo}/issues/{number:int}"));
        RouteMatch<string> match = Match(router, "GET", "/orgs/dotnet/repos/runtime/issues/123");
        Assert.True(match.IsFound);
        Assert.Equal(3, match.Values.Count);
        Assert.Equal("org", match.Values.GetName(0));
        Assert.Equal("dotnet", match.Values.GetValue(0));
        Assert.Equal("runtime", match.Values["repo"]);
        Assert.Equal("123", match.Values["NUMBER"]); // names ignore case
        Assert.Null(match.Values["missing"]);
        Assert.False(match.Values.TryGetValue("missing", out _));
    }

    [Fact]
    public void A_parameter_does_not_match_an_empty_segment()
    {
        var router = Build(("GET", "/users/{id}"), ("GET", "/a/{x}/b"));
        Assert.Equal(RouteMatchKind.NotFound, Match(router, "GET", "/users/").Kind);
        Assert.Equal(RouteMatchKind.NotFound, Match(router, "GET", "/users//").Kind);
        Assert.Equal(RouteMatchKind.NotFound, Match(router, "GET", "/a//b").Kind);
    }

    [Theory]
    [InlineData("/static", "")]
    [InlineData("/static/", "")]
    [InlineData("/static/site.css", "site.css")]
    [InlineData("/static/css/site.css", "css/site.css")]
    [InlineData("/static/css/", "css/")]
    [InlineData("/static/a//b", "a//b")]
    [InlineData("/STATIC/Mixed/Case.TXT", "Mixed/Case.TXT")]
    public void A_catch_all_takes_the_rest_of_the_path_raw_including_nothing(string path, string rest)
    {
        var router = Build(("GET", "/static/{*path}"));
        RouteMatch<string> match = Match(router, "GET", path);
        Assert.True(match.IsFound);
        Assert.True(match.Values.TryGetRawValue("path", out ReadOnlySpan<byte> raw));
        Assert.Equal(rest, Encoding.ASCII.GetString(raw));
        Assert.Equal(rest, match.Values["path"]);
    }

    [Fact]
    public void A_catch_all_value_decodes_but_its_raw_value_keeps_the_encoding()
    {
        var router = Build(("GET", "/files/{**rest}"));
        RouteMatch<string> match = Match(router, "GET", "/files/a%2Fb/c%20d");
        Assert.Equal("a/b/c d", match.Values["rest"]);
        Assert.True(match.Values.TryGetRawValue("rest", out ReadOnlySpan<byte> raw));
        Assert.Equal("a%2Fb/c%20d", Encoding.ASCII.GetString(raw));
    }

    [Fact]
    public void Parameters_and_literals_beat_a_catch_all_at_the_same_position()
    {
        var router = Build(("GET", "/files/{*rest}"), ("GET", "/files/{name}"), ("GET", "/files/index"));
        Assert.Equal("GET /files/index", Match(router, "GET", "/files/index").Handler);
        Assert.Equal("GET /files/{name}", Match(router, "GET", "/files/a.txt").Handler);
        RouteMatch<string> deep = Match(router, "GET", "/files/a/b.txt");
        Assert.Equal("GET /files/{*rest}", deep.Handler);
        Assert.Equal("a/b.txt", deep.Values["rest"]);
        Assert.Equal("GET /files/{*rest}", Match(router, "GET", "/files").Handler);
    }

    [Fact]
    public void A_root_catch_all_is_the_fallback_for_everything()
    {
        var router = Build(("GET", "/{*path}"), ("GET", "/api/items"));
        Assert.Equal("GET /api/items", Match(router, "GET", "/api/items").Handler);
        Assert.Equal("api/other", Match(router, "GET", "/api/other").Values["path"]);
        Assert.Equal("", Match(router, "GET", "/").Values["path"]);
    }

    [Fact]
    public void Constrained_parameters_are_tried_before_unconstrained_ones()
    {
        var router = Build(("GET", "/items/{slug}"), ("GET", "/items/{id:int}"), ("GET", "/items/{key:guid}"));
        Assert.Equal("GET /items/{id:int}", Match(router, "GET", "/items/42").Handler);
        Assert.Equal("GET /items/{id:int}", Match(router, "GET", "/items/-7").Handler);
        Assert.Equal("GET /items/{key:guid}", Match(router, "GET", "/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301").Handler);
        Assert.Equal("GET /items/{slug}", Match(router, "GET", "/items/hello").Handler);
        Assert.Equal("GET /items/{slug}", Match(router, "GET", "/items/99999999999").Handler); // overflows int
    }

    [Theory]
    [InlineData("int", "12", true)]
    [InlineData("int", "1x", false)]
    [InlineData("int", "%31%32", true)]
    [InlineData("long", "99999999999", true)]
    [InlineData("long", "1.5", false)]
    [InlineData("bool", "TRUE", true)]
    [InlineData("bool", "yes", false)]
    [InlineData("alpha", "abcXYZ", true)]
    [InlineData("alpha", "abc1", false)]
    [InlineData("guid", "not-a-guid", false)]
    [InlineData("alpha:bool", "true", true)]
    [InlineData("alpha:bool", "abc", false)]
    public void Constraints_check_the_decoded_segment(string constraint, string segment, bool matches)
    {
        var router = new Router<string>();
        router.Add("GET", $"/x/{{v:{constraint}}}", "h");
        Assert.Equal(matches, Match(router, "GET", "/x/" + segment).IsFound);
    }

    [Fact]
    public void An_optional_last_parameter_matches_with_and_without_its_segment()
    {
        var router = Build(("GET", "/pages/{page:int?}"));
        RouteMatch<string> without = Match(router, "GET", "/pages");
        Assert.True(without.IsFound);
        Assert.Null(without.Values["page"]);
        RouteMatch<string> with = Match(router, "GET", "/pages/3");
        Assert.Equal("3", with.Values["page"]);
        Assert.Equal("/pages/{page:int?}", with.Template);
        Assert.False(Match(router, "GET", "/pages/three").IsFound);
    }

    [Fact]
    public void A_known_path_with_another_method_is_405_with_the_allow_list()
    {
        var router = Build(("GET", "/items"), ("POST", "/items"), ("DELETE", "/items/{id}"));
        RouteMatch<string> match = Match(router, "PUT", "/items");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, match.Kind);
        Assert.Equal(405, match.StatusCode);
        Assert.Null(match.Handler);
        Assert.Equal("GET, HEAD, POST", match.Allow);
        Assert.Equal("GET, HEAD, POST", Encoding.ASCII.GetString(match.AllowBytes));
        Assert.Equal("DELETE", Match(router, "GET", "/items/1").Allow);
    }

    [Fact]
    public void Allow_lists_options_and_an_explicit_head_only_when_registered()
    {
        var router = new Router<string>();
        router.Add(["POST", "OPTIONS"], "/a", "a");
        router.Add(["HEAD", "PUT", "GET"], "/b", "b");
        Assert.Equal("POST, OPTIONS", Match(router, "GET", "/a").Allow);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, Match(router, "HEAD", "/a").Kind);
        Assert.Equal("HEAD, PUT, GET", Match(router, "DELETE", "/b").Allow);
        Assert.Equal("a", Match(router, "OPTIONS", "/a").Handler);
    }

    [Fact]
    public void Allow_is_the_union_over_every_route_that_matches_the_path()
    {
        var router = Build(("GET", "/users/me"), ("DELETE", "/users/{id}"), ("PATCH", "/users/{id:int}"), ("PUT", "/users/{*rest}"));
        RouteMatch<string> me = Match(router, "POST", "/users/me");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, me.Kind);
        Assert.Equal("GET, HEAD, DELETE, PUT", me.Allow);
        Assert.Equal("PATCH, DELETE, PUT", Match(router, "POST", "/users/5").Allow);
        // Cached union: the same set answers with the same instance.
        Assert.Same(me.Allow, Match(router, "POST", "/users/me").Allow);
    }

    [Fact]
    public void Head_falls_back_to_the_get_route_unless_it_has_its_own()
    {
        var router = Build(("GET", "/a"), ("GET", "/b"), ("HEAD", "/b"), ("POST", "/c"));
        Assert.Equal("GET /a", Match(router, "HEAD", "/a").Handler);
        Assert.Equal("HEAD /b", Match(router, "HEAD", "/b").Handler);
        RouteMatch<string> c = Match(router, "HEAD", "/c");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, c.Kind);
        Assert.Equal("POST", c.Allow);
    }

    [Fact]
    public void Methods_are_case_sensitive_on_requests_and_upper_cased_at_registration()
    {
        var router = new Router<string>();
        router.Add("get", "/a", "a");
        Assert.True(Match(router, "GET", "/a").IsFound);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, Match(router, "get", "/a").Kind);
        router.Add("PURGE", "/a", "purge");
        Assert.Equal("purge", Match(router, "PURGE", "/a").Handler);
        Assert.Equal(2, router.Count);
    }

    [Fact]
    public void One_registration_may_cover_several_methods()
    {
        var router = new Router<string>();
        router.Add(["GET", "POST"], "/form", "form");
        Assert.Equal("form", Match(router, "GET", "/form").Handler);
        Assert.Equal("form", Match(router, "POST", "/form").Handler);
        Assert.Equal(2, router.Count);
    }

    [Theory]
    [InlineData("/users/%C3%A9t%C3%A9", "été")]
    [InlineData("/users/%E2%82%AC%20100", "€ 100")]
    [InlineData("/users/%F0%9F%98%80", "😀")]
    [InlineData("/users/a+b", "a+b")]
    [InlineData("/users/100%25", "100%")]
    [InlineData("/users/bad%zzescape", "bad%zzescape")]
    [InlineData("/users/trunc%4", "trunc%4")]
    [InlineData("/users/%FF", "\uFFFD")]
    [InlineData("/users/%2F", "/")]
    public void Values_are_percent_decoded_utf8(string path, string expected)
    {
        var router = Build(("GET", "/users/{id}"));
        Assert.Equal(expected, Match(router, "GET", path).Values["id"]);
    }

    [Fact]
    public void Values_are_decoded_once_and_cached()
    {
        var router = Build(("GET", "/users/{id}"));
        RouteValues values = Match(router, "GET", "/users/%41bc").Values;
        string first = values["id"]!;
        Assert.Equal("Abc", first);
        Assert.Same(first, values["id"]);
    }

    [Fact]
    public void Values_outlive_the_request_bytes()
    {
        var router = Build(("GET", "/users/{id}"));
        byte[] path = Encoding.ASCII.GetBytes("/users/alice");
        RouteMatch<string> match = router.Match("GET"u8, path);
        Array.Fill(path, (byte)'x');
        Assert.Equal("alice", match.Values["id"]);
    }

    [Fact]
    public void A_reused_values_instance_is_refilled_and_cleared_by_each_match()
    {
        var router = Build(("GET", "/users/{id}"), ("GET", "/posts/{a}/{b}"), ("GET", "/plain"));
        var values = new RouteValues();
        RouteMatch<string> first = router.Match("GET"u8, "/users/alice"u8, values);
        Assert.Same(values, first.Values);
        Assert.Equal("alice", values["id"]);

        router.Match("GET"u8, "/posts/x/y"u8, values);
        Assert.Equal(2, values.Count);
        Assert.Null(values["id"]);
        Assert.Equal("y", values["b"]);

        RouteMatch<string> plain = router.Match("GET"u8, "/plain"u8, values);
        Assert.Same(values, plain.Values);
        Assert.Equal(0, values.Count);

        router.Match("GET"u8, "/missing"u8, values);
        Assert.Equal(0, values.Count);
    }

    [Fact]
    public void The_shared_empty_values_cannot_be_filled()
    {
        var router = Build(("GET", "/users/{id}"));
        Assert.Throws<ArgumentException>(() => router.Match("GET"u8, "/users/1"u8, RouteValues.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteValues.Empty.GetValue(0));
    }

    [Fact]
    public void Long_percent_encoded_segments_are_decoded_off_the_stack()
    {
        string big = string.Concat(Enumerable.Repeat("%41", 200)); // 600 raw bytes
        var router = Build(("GET", "/" + new string('a', 200)), ("GET", "/p/{v}"));
        Assert.True(Match(router, "GET", "/" + big).IsFound);
        Assert.Equal(new string('A', 200), Match(router, "GET", "/p/" + big).Values["v"]);
    }

    [Fact]
    public void Many_routes_sharing_a_path_still_produce_a_complete_allow_list()
    {
        var router = new Router<string>();
        router.Add("L", "/x/abc", "h");
        for (int i = 1; i <= 8; i++) router.Add($"C{i}", "/x/{a:" + string.Join(':', Enumerable.Repeat("alpha", i)) + "}", "h");
        router.Add("P", "/x/{a}", "h");
        router.Add("Z", "/x/{*rest}", "h");
        RouteMatch<string> match = Match(router, "GET", "/x/abc");
        Assert.Equal("L, C1, C2, C3, C4, C5, C6, C7, C8, P, Z", match.Allow);
        Assert.Equal("C1, C2, C3, C4, C5, C6, C7, C8, P, Z", Match(router, "GET", "/x/abd").Allow);
    }

    [Fact]
    public void Concurrent_lookups_agree()
    {
        var router = Build(("GET", "/users/{id}"), ("GET", "/users/me"), ("POST", "/users/me/x"));
        Parallel.For(0, 2000, i =>
        {
            var values = new RouteValues();
            RouteMatch<string> m = router.Match("GET"u8, Encoding.ASCII.GetBytes($"/users/{i}"), values);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Values["id"]);
            Assert.Equal("POST", router.Match("GET"u8, "/users/me/x"u8).Allow);
        });
    }
}
