using Netloop.Transport.PerIp;

namespace Netloop.Transport;

/// <summary>The connection's place in the per-IP limits: its client address's entry, held from accept to close.</summary>
internal sealed partial class Connection
{
    // The entry the per-IP table gave this connection at accept (null without per-IP limits): a request spends from
    // it directly, with no lookup.
    private AddressEntry? _address;
    private int _refusedInRow;

    /// <inheritdoc/>
    public RequestAdmission AdmitRequest() =>
        _address is null ? RequestAdmission.Admitted : _transport.Addresses!.AdmitRequest(_address, _loop.NowMs, ref _refusedInRow);

    /// <summary>Hands the entry back for release when the connection closes (once: the object is reused).</summary>
    internal AddressEntry? TakeAddress()
    {
        var address = _address;
        _address = null;
        return address;
    }
}
