using System.Text;
using Netloop.Http.StaticFiles;

namespace Netloop.Tests.Http.StaticFiles;

public class HttpDateTests
{
    private static readonly DateTimeOffset Example = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    [Fact]
    public void Formats_the_rfc_example_as_imf_fixdate()
    {
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(Example));
        Span<byte> buffer = stackalloc byte[HttpDate.Length];
        Assert.True(HttpDate.TryFormat(Example, buffer, out int written));
        Assert.Equal(HttpDate.Length, written);
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", Encoding.ASCII.GetString(buffer));
        Assert.False(HttpDate.TryFormat(Example, stackalloc byte[10], out _));
    }

    [Fact]
    public void Formats_in_utc_and_drops_fractions()
    {
        var local = new DateTimeOffset(1994, 11, 6, 10, 49, 37, 999, TimeSpan.FromHours(2));
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(local));
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    [InlineData("  Sun, 06 Nov 1994 08:49:37 GMT\t")]
    [InlineData("sun, 06 nov 1994 08:49:37 gmt")]
    [InlineData("SUNDAY, 06-NOV-94 08:49:37 GMT")]
    public void Parses_all_three_forms_of_the_rfc_example(string text)
    {
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out DateTimeOffset value));
        Assert.Equal(Example, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.True(HttpDate.TryParse(text.AsSpan(), out DateTimeOffset fromChars));
        Assert.Equal(Example, fromChars);
    }

    [Theory]
    [InlineData("Thu Jan 12 23:59:59 2023", 2023, 1, 12, 23, 59, 59)]
    [InlineData("Thu, 29 Feb 2024 00:00:00 GMT", 2024, 2, 29, 0, 0, 0)]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT", 9999, 12, 31, 23, 59, 59)]
    [InlineData("Sat, 31 Dec 2016 23:59:60 GMT", 2016, 12, 31, 23, 59, 59)]
    public void Parses_edge_dates(string text, int y, int mo, int d, int h, int mi, int s)
    {
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out DateTimeOffset value));
        Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero), value);
    }

    [Fact]
    public void A_two_digit_year_more_than_fifty_years_ahead_is_in_the_past_century()
    {
        int yy = (DateTime.UtcNow.Year + 60) % 100;
        string text = $"Monday, 01-Jan-{yy:00} 00:00:00 GMT";
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out DateTimeOffset value));
        Assert.True(value.Year <= DateTime.UtcNow.Year + 50 && value.Year > DateTime.UtcNow.Year - 50);
        Assert.Equal(yy, value.Year % 100);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("Sun, 06 Nov 1994 08:49:37")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT+1")]
    [InlineData("Sun, 6 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Foo 1994 08:49:37 GMT")]
    [InlineData("Xyz, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 31 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 29 Feb 2023 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:60:00 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:49:61 GMT")]
    [InlineData("Sun, 06 Nov 0000 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 08-49-37 GMT")]
    [InlineData("Sun, 0a Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-1994 08:49:37 GMT")]
    [InlineData("Sun Nov 6 08:49:37 1994")]
    [InlineData("Sun Nov  6 08:49:37 94")]
    [InlineData("1994-11-06T08:49:37Z")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Rejects_non_ascii_and_overlong_text()
    {
        Assert.False(HttpDate.TryParse("Sün, 06 Nov 1994 08:49:37 GMT".AsSpan(), out _));
        Assert.False(HttpDate.TryParse(new string(' ', 100).AsSpan(), out _));
    }

    [Fact]
    public void Format_and_parse_round_trip()
    {
        var random = new Random(12345);
        for (int i = 0; i < 2000; i++)
        {
            var value = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.NextInt64(0, 4_102_444_800L));
            string text = HttpDate.Format(value);
            Assert.Equal(HttpDate.Length, text.Length);
            Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out DateTimeOffset parsed), text);
            Assert.Equal(value, parsed);
        }
    }
}
