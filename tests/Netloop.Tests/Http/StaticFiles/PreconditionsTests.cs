using System.Text;
using Netloop.Http.StaticFiles;

namespace Netloop.Tests.Http.StaticFiles;

public class PreconditionsTests
{
    private const string ETag = "\"d-8dc2f5e1a3b4c5d\"";
    private const string Before = "Sat, 05 Nov 1994 08:49:37 GMT";
    private const string Same = "Sun, 06 Nov 1994 08:49:37 GMT";
    private const string After = "Mon, 07 Nov 1994 08:49:37 GMT";

    // Sub-second part: HTTP-dates compare at whole seconds, so "Same" is not older than this.
    private static readonly DateTimeOffset Modified = new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero).AddMilliseconds(600);

    private static ConditionalResult Evaluate(
        string method, string ifNoneMatch = "", string ifModifiedSince = "", string ifMatch = "", string ifUnmodifiedSince = "") =>
        Preconditions.Evaluate(
            Encoding.ASCII.GetBytes(method),
            Encoding.ASCII.GetBytes(ifNoneMatch),
            Encoding.ASCII.GetBytes(ifModifiedSince),
            Encoding.ASCII.GetBytes(ifMatch),
            Encoding.ASCII.GetBytes(ifUnmodifiedSince),
            Encoding.ASCII.GetBytes(ETag),
            Modified);

    [Theory]
    // No conditions.
    [InlineData("GET", "", "", "", "", ConditionalResult.Proceed)]
    [InlineData("POST", "", "", "", "", ConditionalResult.Proceed)]
    // If-None-Match: weak comparison, lists, *, 304 for GET/HEAD and 412 otherwise.
    [InlineData("GET", ETag, "", "", "", ConditionalResult.NotModified)]
    [InlineData("HEAD", ETag, "", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "W/" + ETag, "", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "\"other\", " + ETag, "", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "\"a\",\"b\" ,  W/" + ETag + " ,", "", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "*", "", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "\"other\"", "", "", "", ConditionalResult.Proceed)]
    [InlineData("GET", "\"d-8dc2f5e1a3b4c5\"", "", "", "", ConditionalResult.Proceed)]
    [InlineData("GET", "d-8dc2f5e1a3b4c5d", "", "", "", ConditionalResult.Proceed)]
    [InlineData("GET", "garbage, " + ETag, "", "", "", ConditionalResult.NotModified)]
    [InlineData("PUT", ETag, "", "", "", ConditionalResult.PreconditionFailed)]
    [InlineData("DELETE", "*", "", "", "", ConditionalResult.PreconditionFailed)]
    [InlineData("POST", "\"other\"", "", "", "", ConditionalResult.Proceed)]
    // If-Modified-Since: GET/HEAD only, whole seconds, invalid dates ignored.
    [InlineData("GET", "", Same, "", "", ConditionalResult.NotModified)]
    [InlineData("HEAD", "", After, "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "", Before, "", "", ConditionalResult.Proceed)]
    [InlineData("GET", "", "Sunday, 06-Nov-94 08:49:37 GMT", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "", "Sun Nov  6 08:49:37 1994", "", "", ConditionalResult.NotModified)]
    [InlineData("GET", "", "not a date", "", "", ConditionalResult.Proceed)]
    [InlineData("POST", "", After, "", "", ConditionalResult.Proceed)]
    // If-None-Match takes precedence over If-Modified-Since.
    [InlineData("GET", "\"other\"", After, "", "", ConditionalResult.Proceed)]
    [InlineData("GET", ETag, Before, "", "", ConditionalResult.NotModified)]
    // If-Match: strong comparison, *, lists.
    [InlineData("GET", "", "", ETag, "", ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", "\"x\", " + ETag, "", ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", "*", "", ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", "\"other\"", "", ConditionalResult.PreconditionFailed)]
    [InlineData("GET", "", "", "\"other\"", "", ConditionalResult.PreconditionFailed)]
    [InlineData("PUT", "", "", "W/" + ETag, "", ConditionalResult.PreconditionFailed)]
    [InlineData("PUT", "", "", "garbage", "", ConditionalResult.PreconditionFailed)]
    // If-Unmodified-Since: only without If-Match; invalid dates ignored.
    [InlineData("PUT", "", "", "", Same, ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", "", After, ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", "", Before, ConditionalResult.PreconditionFailed)]
    [InlineData("GET", "", "", "", Before, ConditionalResult.PreconditionFailed)]
    [InlineData("PUT", "", "", "", "yesterday", ConditionalResult.Proceed)]
    [InlineData("PUT", "", "", ETag, Before, ConditionalResult.Proceed)]
    // Step order: If-Match is decided before If-None-Match.
    [InlineData("GET", ETag, "", "\"other\"", "", ConditionalResult.PreconditionFailed)]
    [InlineData("GET", ETag, "", ETag, "", ConditionalResult.NotModified)]
    [InlineData("GET", "", Same, "", Before, ConditionalResult.PreconditionFailed)]
    // Blank values count as absent.
    [InlineData("GET", "  ", " ", "\t", " ", ConditionalResult.Proceed)]
    public void Evaluates_in_rfc_9110_order(string method, string ifNoneMatch, string ifModifiedSince, string ifMatch, string ifUnmodifiedSince, object expectedValue)
    {
        // xunit theories are public: the internal enum arrives boxed.
        var expected = (ConditionalResult)expectedValue;
        Assert.Equal(expected, Evaluate(method, ifNoneMatch, ifModifiedSince, ifMatch, ifUnmodifiedSince));
    }

    [Fact]
    public void Works_with_a_resolved_files_validators()
    {
        string dir = Path.Combine(Path.GetTempPath(), "netloop-cond-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.txt"), "abc");
            StaticFile file = new StaticFileResolver(dir).Resolve("a.txt"u8).File!;
            byte[] lastModified = Encoding.ASCII.GetBytes(HttpDate.Format(file.LastModified));
            Assert.Equal(ConditionalResult.NotModified, Preconditions.Evaluate("GET"u8, file.ETagBytes, default, default, default, file.ETagBytes, file.LastModified));
            Assert.Equal(ConditionalResult.NotModified, Preconditions.Evaluate("GET"u8, default, lastModified, default, default, file.ETagBytes, file.LastModified));
            Assert.Equal(ConditionalResult.Proceed, Preconditions.Evaluate("PUT"u8, default, default, file.ETagBytes, lastModified, file.ETagBytes, file.LastModified));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
