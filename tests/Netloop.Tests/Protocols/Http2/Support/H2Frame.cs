using System.Buffers.Binary;
using System.Text;
using Netloop.Protocols.Http2;

namespace Netloop.Tests.Protocols.Http2.Support;

/// <summary>A frame the server wrote, as the client parsed it; a HEADERS frame carries its whole decoded header block.</summary>
internal sealed class H2Frame(Http2FrameType type, byte flags, int streamId, byte[] payload)
{
    public Http2FrameType Type { get; } = type;

    public byte Flags { get; } = flags;

    public int StreamId { get; } = streamId;

    public byte[] Payload { get; } = payload;

    /// <summary>For HEADERS: the fields of the block it starts (CONTINUATION frames joined), decoded with HPACK.</summary>
    public List<(string Name, string Value)>? Fields { get; set; }

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>The error code of a RST_STREAM or GOAWAY.</summary>
    public Http2ErrorCode ErrorCode => Type switch
    {
        Http2FrameType.RstStream => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        Http2FrameType.GoAway => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"a {Type} frame has no error code"),
    };

    /// <summary>The last stream id of a GOAWAY.</summary>
    public int LastStreamId => Type == Http2FrameType.GoAway
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7fff_ffff)
        : throw new InvalidOperationException($"a {Type} frame has no last stream id");

    /// <summary>The settings of a SETTINGS frame, in order.</summary>
    public List<(Http2SettingId Id, uint Value)> Settings()
    {
        var settings = new List<(Http2SettingId, uint)>();
        for (int i = 0; i + 6 <= Payload.Length; i += 6)
        {
            settings.Add(((Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(i)), BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(i + 2))));
        }
        return settings;
    }

    public override string ToString()
    {
        string detail = Type switch
        {
            Http2FrameType.RstStream or Http2FrameType.GoAway => $" {ErrorCode}",
            Http2FrameType.Headers => Fields is null ? "" : " " + string.Join(", ", Fields.Select(f => $"{f.Name}: {f.Value}")),
            _ => "",
        };
        if (Type == Http2FrameType.GoAway && Payload.Length > 8) detail += $" last={LastStreamId} \"{Encoding.ASCII.GetString(Payload, 8, Payload.Length - 8)}\"";
        return $"{Type} stream={StreamId} flags=0x{Flags:x2} length={Payload.Length}{detail}";
    }
}

/// <summary>A response as the client saw it on one stream: HEADERS, DATA, and trailers if any.</summary>
internal sealed record H2Response(List<(string Name, string Value)> Fields, byte[] Body, List<(string Name, string Value)>? Trailers)
{
    public int Status => int.Parse(Header(":status") ?? throw new InvalidOperationException("no :status"), System.Globalization.CultureInfo.InvariantCulture);

    public string BodyText => Encoding.Latin1.GetString(Body);

    public string? Header(string name) => Fields.Where(f => f.Name == name).Select(f => f.Value).FirstOrDefault();
}
