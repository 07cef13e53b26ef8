using System.Text;
using Netloop.Transport;

namespace KeyValue;

/// <summary>
/// The protocol: one command per line (LF or CRLF), one answer line per command, in order.
/// <code>
/// SET key value   -> OK            (the value is the rest of the line, spaces included)
/// GET key         -> VALUE value | NOT_FOUND
/// DEL key         -> DELETED | NOT_FOUND
/// anything else   -> ERR ...       (the connection stays open)
/// </code>
/// A line longer than <see cref="MaxLineLength"/> bytes gets <c>ERR line too long</c> and the connection is closed:
/// the server never buffers more than that for a client.
/// </summary>
/// <remarks>
/// Stateless per connection, so one instance serves them all: the reactor offers the bytes a call left unconsumed again,
/// with more after them, on the next call. A line split across reads is simply not consumed until its end arrives.
/// </remarks>
internal sealed class KeyValueProtocol(KeyValueStore store) : IConnectionProtocol, IConnectionProtocolFactory
{
    /// <summary>Longest command line in bytes, its line ending included.</summary>
    public const int MaxLineLength = 1024;

    public string Name => "keyvalue";

    public IConnectionProtocol Create() => this;

    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        int consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            int end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                if (rest.Length < MaxLineLength) return consumed;
                TooLong(connection);
                return data.Length;
            }
            if (end + 1 > MaxLineLength)
            {
                TooLong(connection);
                return data.Length;
            }
            var line = rest[..end];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            Execute(connection, line);
            consumed += end + 1;
        }
    }

    private void Execute(IConnection connection, ReadOnlySpan<byte> line)
    {
        string text;
        try
        {
            text = s_utf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            Reply(connection, "ERR not UTF-8 text");
            return;
        }
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        string command = space < 0 ? text : text[..space];
        string arguments = space < 0 ? "" : text[(space + 1)..];
        switch (command)
        {
            case "SET":
                int split = arguments.IndexOf(' ', StringComparison.Ordinal);
                if (split <= 0) Reply(connection, "ERR usage: SET key value");
                else
                {
                    store.Set(arguments[..split], arguments[(split + 1)..]);
                    Reply(connection, "OK");
                }
                break;
            case "GET":
                if (!IsKey(arguments)) Reply(connection, "ERR usage: GET key");
                else Reply(connection, store.TryGet(arguments, out string? value) ? "VALUE " + value : "NOT_FOUND");
                break;
            case "DEL":
                if (!IsKey(arguments)) Reply(connection, "ERR usage: DEL key");
                else Reply(connection, store.Delete(arguments) ? "DELETED" : "NOT_FOUND");
                break;
            case "":
                Reply(connection, "ERR empty command");
                break;
            default:
                Reply(connection, "ERR unknown command (SET, GET, DEL)");
                break;
        }
    }

    private static void TooLong(IConnection connection)
    {
        Reply(connection, $"ERR line too long (max {MaxLineLength} bytes)");
        // Close sends what Output holds first; the reactor stops reading, so the rest of the line is never buffered.
        connection.Close();
    }

    private static bool IsKey(string text) => text.Length > 0 && !text.Contains(' ', StringComparison.Ordinal);

    private static void Reply(IConnection connection, string line)
    {
        var output = connection.Output;
        int length = Encoding.UTF8.GetByteCount(line) + 1;
        var span = output.GetSpan(length);
        int written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\n';
        output.Advance(written + 1);
    }

    // Throws on invalid bytes instead of replacing them: a key must round-trip exactly.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
