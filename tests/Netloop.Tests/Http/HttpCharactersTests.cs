using System.Globalization;
using Netloop.Http;

namespace Netloop.Tests.Http;

/// <summary>
/// The one token table and the one hex decoder, checked for every byte against the RFCs' own wording rather than
/// against a copy of the table: tchar from its ABNF (RFC 9110 §5.6.2) and, independently, as "visible ASCII except
/// the delimiters"; HEXDIG from RFC 5234 B.1 and from the BCL's hex parser.
/// </summary>
public class HttpCharactersTests
{
    // RFC 9110 §5.6.2 tchar, spelled as the ABNF's code points: the specials, DIGIT (%x30-39), ALPHA (%x41-5A / %x61-7A).
    private static bool IsTcharByAbnf(int b) =>
        b is 0x21 or 0x23 or 0x24 or 0x25 or 0x26 or 0x27 or 0x2A or 0x2B or 0x2D or 0x2E or 0x5E or 0x5F or 0x60 or 0x7C or 0x7E
        || b is >= 0x30 and <= 0x39
        || b is >= 0x41 and <= 0x5A
        || b is >= 0x61 and <= 0x7A;

    // RFC 9110 §5.6.2: "Delimiters are chosen from the set of US-ASCII visual characters not allowed in a token
    // (DQUOTE and "(),/:;<=>?@[\]{}")": so a token character is a VCHAR (%x21-7E, RFC 5234) that is no delimiter.
    private static bool IsTcharByDelimiters(int b) => b is >= 0x21 and <= 0x7E && !"\"(),/:;<=>?@[\\]{}".Contains((char)b);

    [Fact]
    public void Both_readings_of_the_rfc_agree_so_the_oracle_itself_is_right()
    {
        for (int b = 0; b < 256; b++) Assert.Equal(IsTcharByAbnf(b), IsTcharByDelimiters(b));
        Assert.Equal(77, Enumerable.Range(0, 256).Count(IsTcharByAbnf)); // 62 alphanumerics + 15 specials
    }

    [Fact]
    public void Every_byte_is_a_token_byte_exactly_when_the_rfc_says_so()
    {
        for (int b = 0; b < 256; b++)
        {
            bool expected = IsTcharByAbnf(b);
            Assert.True(expected == HttpCharacters.IsToken((byte)b), $"byte 0x{b:X2}");
            Assert.True(expected == HttpCharacters.Token.Contains((byte)b), $"byte 0x{b:X2} (SearchValues)");
            Assert.True(expected == HttpCharacters.IsToken([(byte)b]), $"byte 0x{b:X2} (span)");
        }
    }

    [Fact]
    public void Every_char_up_to_latin_extended_is_a_token_char_exactly_when_the_rfc_says_so()
    {
        // Beyond ASCII nothing is a tchar, including letters char.IsLetter accepts and the Kelvin sign (U+212A) that
        // case-folds to 'k'.
        for (int c = 0; c < 0x250; c++)
        {
            bool expected = c < 0x80 && IsTcharByAbnf(c);
            Assert.True(expected == HttpCharacters.IsToken([(char)c]), $"char U+{c:X4}");
        }
        Assert.False(HttpCharacters.IsToken("\u212A"));
        Assert.False(HttpCharacters.IsToken("X-\u00E9t\u00E9"));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("X-Custom_Header.v1", true)]
    [InlineData("!#$%&'*+-.^_`|~", true)]
    [InlineData("", false)]
    [InlineData("Content Type", false)]
    [InlineData("Name:", false)]
    [InlineData("a\u0000b", false)]
    [InlineData("\"quoted\"", false)]
    public void A_token_is_one_or_more_tchar(string text, bool expected)
    {
        Assert.Equal(expected, HttpCharacters.IsToken(text.AsSpan()));
        Assert.Equal(expected, HttpCharacters.IsToken(System.Text.Encoding.Latin1.GetBytes(text).AsSpan()));
    }

    [Fact]
    public void Every_byte_decodes_as_a_hex_digit_exactly_when_rfc_5234_says_so()
    {
        for (int b = 0; b < 256; b++)
        {
            // HEXDIG = DIGIT / "A" / "B" / "C" / "D" / "E" / "F", and ABNF strings are case-insensitive (RFC 5234 §2.3).
            int expected = b switch
            {
                >= 0x30 and <= 0x39 => b - 0x30,
                >= 0x41 and <= 0x46 => b - 0x41 + 10,
                >= 0x61 and <= 0x66 => b - 0x61 + 10,
                _ => -1,
            };
            Assert.True(expected == HttpCharacters.HexValue((byte)b), $"byte 0x{b:X2}");
        }
    }

    [Fact]
    public void The_hex_decoder_agrees_with_the_bcl_for_every_byte()
    {
        for (int b = 0; b < 256; b++)
        {
            string text = ((char)b).ToString();
            int expected = int.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value) ? value : -1;
            Assert.True(expected == HttpCharacters.HexValue((byte)b), $"byte 0x{b:X2}");
        }
    }
}
