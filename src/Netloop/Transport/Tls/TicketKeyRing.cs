using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>
/// The keys that seal session tickets (TLS 1.3 resumption tickets, TLS 1.2 session tickets), replaced every
/// <see cref="RotationMs"/>: new tickets are sealed with the newest key, and the two before it still open older
/// tickets, which are then renewed. OpenSSL's own keys would live as long as the process, so a stolen key would open
/// every recorded session since start (RFC 8446 §C.4 asks for rotation). One ring per process: the key list is
/// swapped whole, so the loops' handshakes read it without a lock. The keys never leave memory.
/// </summary>
internal static unsafe class TicketKeyRing
{
    private const int NameLength = 16;
    private const int SecretLength = 32;
    private const int KeptKeys = 3;

    private static Key[] s_keys = [];
    private static long s_rotationMs = 3_600_000;

    /// <summary>How long a key seals new tickets; the shortest any listener asked for wins.</summary>
    public static long RotationMs => Volatile.Read(ref s_rotationMs);

    public static void RequestRotation(TimeSpan interval)
    {
        long ms = Math.Max(1000, (long)interval.TotalMilliseconds);
        long current;
        do
        {
            current = Volatile.Read(ref s_rotationMs);
            if (ms >= current) return;
        } while (Interlocked.CompareExchange(ref s_rotationMs, ms, current) != current);
    }

    /// <summary>The callback given to <c>SSL_CTX_set_tlsext_ticket_key_evp_cb</c>.</summary>
    public static delegate* unmanaged<nint, byte*, byte*, nint, nint, int, int> Callback => &OnTicketKey;

    /// <summary>How many keys were made so far (for tests of the rotation).</summary>
    internal static int Generation => Volatile.Read(ref s_keys).Length == 0 ? 0 : Volatile.Read(ref s_keys)[0].Generation;

    [UnmanagedCallersOnly]
    private static int OnTicketKey(nint ssl, byte* keyName, byte* iv, nint cipherContext, nint macContext, int encrypt)
    {
        try
        {
            var keys = Current(Environment.TickCount64);
            if (encrypt == 1)
            {
                var key = keys[0];
                new ReadOnlySpan<byte>(key.Name).CopyTo(new Span<byte>(keyName, NameLength));
                if (OpenSsl.RAND_bytes(iv, 16) != 1) return -1;
                return Initialise(key, iv, cipherContext, macContext, encrypt: true) ? 1 : -1;
            }
            var name = new ReadOnlySpan<byte>(keyName, NameLength);
            for (int i = 0; i < keys.Length; i++)
            {
                if (!name.SequenceEqual(keys[i].Name)) continue;
                if (!Initialise(keys[i], iv, cipherContext, macContext, encrypt: false)) return -1;
                // 2: the ticket opens, and OpenSSL issues a fresh one (sealed with the newest key). Always, not only for
                // older keys: a TLS 1.3 client uses a ticket once (RFC 8446 §C.4), and on 1 OpenSSL sends none after a
                // resumption, so every other connection of a browser would pay a full handshake.
                return 2;
            }
            return 0; // an unknown key (older than the ring, or another server's): a full handshake
        }
        catch
        {
            return -1;
        }
    }

    private static bool Initialise(Key key, byte* iv, nint cipherContext, nint macContext, bool encrypt)
    {
        fixed (byte* aes = key.AesKey)
        fixed (byte* hmac = key.HmacKey)
        fixed (byte* keyParam = "key"u8)
        fixed (byte* digestParam = "digest"u8)
        fixed (byte* sha256 = "SHA256"u8)
        {
            var parameters = stackalloc OsslParam[3];
            parameters[0] = new OsslParam { Key = keyParam, DataType = OsslParam.OctetString, Data = hmac, DataSize = SecretLength, ReturnSize = nuint.MaxValue };
            parameters[1] = new OsslParam { Key = digestParam, DataType = OsslParam.Utf8String, Data = sha256, DataSize = 6, ReturnSize = nuint.MaxValue };
            parameters[2] = default;
            if (OpenSsl.EVP_MAC_CTX_set_params(macContext, parameters) != 1) return false;
            var cipher = OpenSsl.EVP_aes_256_cbc();
            return encrypt
                ? OpenSsl.EVP_EncryptInit_ex(cipherContext, cipher, 0, aes, iv) == 1
                : OpenSsl.EVP_DecryptInit_ex(cipherContext, cipher, 0, aes, iv) == 1;
        }
    }

    /// <summary>The ring as of <paramref name="nowMs"/>, newest first, rotated first if the newest key is old enough.</summary>
    internal static Key[] Current(long nowMs)
    {
        var keys = Volatile.Read(ref s_keys);
        if (keys.Length > 0 && nowMs - keys[0].CreatedMs < RotationMs) return keys;
        var rotated = new Key[Math.Min(KeptKeys, keys.Length + 1)];
        rotated[0] = Key.Create(nowMs, keys.Length == 0 ? 1 : keys[0].Generation + 1);
        Array.Copy(keys, 0, rotated, 1, rotated.Length - 1);
        // Two loops may rotate at once: one ring wins and both use it (a ticket sealed by the loser's key still opens
        // nowhere, which costs that client one full handshake).
        var won = Interlocked.CompareExchange(ref s_keys, rotated, keys);
        return ReferenceEquals(won, keys) ? rotated : won;
    }

    internal sealed class Key
    {
        public required byte[] Name { get; init; }
        public required byte[] AesKey { get; init; }
        public required byte[] HmacKey { get; init; }
        public long CreatedMs { get; init; }
        public int Generation { get; init; }

        public static Key Create(long nowMs, int generation) => new()
        {
            Name = RandomNumberGenerator.GetBytes(NameLength),
            AesKey = RandomNumberGenerator.GetBytes(SecretLength),
            HmacKey = RandomNumberGenerator.GetBytes(SecretLength),
            CreatedMs = nowMs,
            Generation = generation,
        };
    }
}
