namespace Netloop.Bench.Cases;

/// <summary>Whether a case speaks TLS, and with which key the run's self-signed certificate is made (the same for every server).</summary>
internal enum TlsKey
{
    /// <summary>Plaintext.</summary>
    None,

    /// <summary>TLS with an ECDSA P-256 certificate (the certificate for every TLS case).</summary>
    Ecdsa,

    /// <summary>TLS with an RSA-2048 certificate (the handshake row whose cost is the server's RSA signature).</summary>
    Rsa,
}
