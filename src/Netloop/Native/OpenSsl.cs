using System.Runtime.InteropServices;

namespace Netloop.Native;

/// <summary>
/// The OpenSSL 3 entry points TLS uses (libssl and libcrypto, the copies .NET itself loads on Linux), bound with
/// source-generated <see cref="LibraryImportAttribute"/> and blittable arguments only. OpenSSL's macros
/// (<c>SSL_CTX_set_min_proto_version</c>, <c>SSL_CTX_set_mode</c>, the SNI callback…) are <c>SSL_CTX_ctrl</c> calls with
/// the command numbers below. Pointers are <see cref="nint"/>; callers in <c>Transport/Tls</c> own their lifetimes.
/// </summary>
internal static unsafe partial class OpenSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    // ssl.h
    public const int SSL_ERROR_NONE = 0;
    public const int SSL_ERROR_SSL = 1;
    public const int SSL_ERROR_WANT_READ = 2;
    public const int SSL_ERROR_WANT_WRITE = 3;
    public const int SSL_ERROR_SYSCALL = 5;
    public const int SSL_ERROR_ZERO_RETURN = 6;

    public const int SSL_CTRL_MODE = 33;
    public const int SSL_CTRL_SET_READ_AHEAD = 41;
    public const int SSL_CTRL_SET_SESS_CACHE_SIZE = 42;
    public const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    public const int SSL_CTRL_SET_TLSEXT_SERVERNAME_CB = 53;
    public const int SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG = 54;
    public const int SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
    public const int SSL_CTRL_CHAIN_CERT = 89;
    public const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    public const int SSL_CTRL_SET_MAX_PROTO_VERSION = 124;

    public const long SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
    public const long SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
    public const long SSL_MODE_RELEASE_BUFFERS = 0x10;

    public const ulong SSL_OP_IGNORE_UNEXPECTED_EOF = 1UL << 7;
    public const ulong SSL_OP_NO_COMPRESSION = 1UL << 17;
    public const ulong SSL_OP_CIPHER_SERVER_PREFERENCE = 1UL << 22;
    public const ulong SSL_OP_NO_RENEGOTIATION = 1UL << 30;

    public const long SSL_SESS_CACHE_CLIENT = 0x1;
    public const long SSL_SESS_CACHE_SERVER = 0x2;
    public const long SSL_SESS_CACHE_NO_INTERNAL_STORE = 0x200;

    public const int SSL_VERIFY_NONE = 0;
    public const int SSL_VERIFY_PEER = 1;
    public const int SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;

    public const int TLS1_2_VERSION = 0x0303;
    public const int TLS1_3_VERSION = 0x0304;
    public const int TLSEXT_NAMETYPE_host_name = 0;
    public const int SSL_TLSEXT_ERR_OK = 0;
    public const int SSL_TLSEXT_ERR_NOACK = 3;
    public const int OPENSSL_NPN_NEGOTIATED = 1;

    [LibraryImport(Ssl)] internal static partial nint TLS_server_method();
    [LibraryImport(Ssl)] internal static partial nint TLS_client_method();
    [LibraryImport(Ssl)] internal static partial nint SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] internal static partial nint SSL_CTX_ctrl(nint ctx, int cmd, nint larg, nint parg);
    [LibraryImport(Ssl)] internal static partial nint SSL_CTX_callback_ctrl(nint ctx, int cmd, nint callback);
    [LibraryImport(Ssl)] internal static partial ulong SSL_CTX_set_options(nint ctx, ulong options);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_cipher_list(nint ctx, byte* ciphers);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_ciphersuites(nint ctx, byte* suites);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_use_certificate(nint ctx, nint x509);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_use_PrivateKey(nint ctx, nint pkey);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_check_private_key(nint ctx);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_set_alpn_select_cb(nint ctx, delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int> callback, nint arg);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_set_verify(nint ctx, int mode, nint callback);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_load_verify_locations(nint ctx, byte* caFile, byte* caPath);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_set_client_CA_list(nint ctx, nint names);
    [LibraryImport(Ssl)] internal static partial nint SSL_load_client_CA_file(byte* file);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_session_id_context(nint ctx, byte* context, uint length);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_tlsext_ticket_key_evp_cb(nint ctx, delegate* unmanaged<nint, byte*, byte*, nint, nint, int, int> callback);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_ex_data(nint ctx, int index, nint data);
    [LibraryImport(Ssl)] internal static partial nint SSL_CTX_get_ex_data(nint ctx, int index);
    [LibraryImport(Ssl)] internal static partial long SSL_CTX_set_timeout(nint ctx, long seconds);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_num_tickets(nint ctx, nuint count);

    [LibraryImport(Ssl)] internal static partial nint SSL_new(nint ctx);
    [LibraryImport(Ssl)] internal static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_set_fd(nint ssl, int fd);
    [LibraryImport(Ssl)] internal static partial void SSL_set_accept_state(nint ssl);
    [LibraryImport(Ssl)] internal static partial void SSL_set_connect_state(nint ssl);
    [LibraryImport(Ssl, SetLastError = true)] internal static partial int SSL_do_handshake(nint ssl);
    [LibraryImport(Ssl, SetLastError = true)] internal static partial int SSL_read(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl, SetLastError = true)] internal static partial int SSL_write(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] internal static partial int SSL_get_error(nint ssl, int result);
    [LibraryImport(Ssl, SetLastError = true)] internal static partial int SSL_shutdown(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_has_pending(nint ssl);
    [LibraryImport(Ssl)] internal static partial nint SSL_ctrl(nint ssl, int cmd, nint larg, nint parg);
    [LibraryImport(Ssl)] internal static partial void SSL_get0_alpn_selected(nint ssl, byte** data, uint* length);
    [LibraryImport(Ssl)] internal static partial int SSL_set_alpn_protos(nint ssl, byte* protos, uint length);
    [LibraryImport(Ssl)] internal static partial int SSL_select_next_proto(byte** output, byte* outputLength, byte* server, uint serverLength, byte* client, uint clientLength);
    [LibraryImport(Ssl)] internal static partial nint SSL_get_servername(nint ssl, int type);
    [LibraryImport(Ssl)] internal static partial nint SSL_set_SSL_CTX(nint ssl, nint ctx);
    [LibraryImport(Ssl)] internal static partial nint SSL_get_SSL_CTX(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_session_reused(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_version(nint ssl);
    [LibraryImport(Ssl)] internal static partial nint SSL_get_current_cipher(nint ssl);
    [LibraryImport(Ssl)] internal static partial nint SSL_CIPHER_get_name(nint cipher);
    [LibraryImport(Ssl)] internal static partial nint SSL_get1_peer_certificate(nint ssl);
    [LibraryImport(Ssl)] internal static partial long SSL_get_verify_result(nint ssl);
    [LibraryImport(Ssl)] internal static partial nint SSL_get1_session(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_set_session(nint ssl, nint session);
    [LibraryImport(Ssl)] internal static partial void SSL_SESSION_free(nint session);
    [LibraryImport(Ssl)] internal static partial void SSL_set_verify(nint ssl, int mode, nint callback);

    // The client side (netloop load): verification, ALPN offer, SNI, and the sessions it resumes.
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_default_verify_paths(nint ctx);
    [LibraryImport(Ssl)] internal static partial int SSL_CTX_set_alpn_protos(nint ctx, byte* protos, uint length);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_sess_set_new_cb(nint ctx, delegate* unmanaged<nint, nint, int> callback);
    [LibraryImport(Ssl)] internal static partial int SSL_set_ex_data(nint ssl, int index, nint data);
    [LibraryImport(Ssl)] internal static partial nint SSL_get_ex_data(nint ssl, int index);
    [LibraryImport(Ssl)] internal static partial int SSL_set1_host(nint ssl, byte* hostname);
    [LibraryImport(Ssl)] internal static partial nint SSL_get0_param(nint ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_SESSION_is_resumable(nint session);
    [LibraryImport(Ssl)] internal static partial nint SSL_SESSION_dup(nint session);

    // libcrypto
    [LibraryImport(Crypto)] internal static partial nint d2i_X509(nint* existing, byte** input, nint length);
    [LibraryImport(Crypto)] internal static partial int i2d_X509(nint x509, byte** output);
    [LibraryImport(Crypto)] internal static partial void X509_free(nint x509);
    [LibraryImport(Crypto)] internal static partial nint d2i_AutoPrivateKey(nint* existing, byte** input, nint length);
    [LibraryImport(Crypto)] internal static partial void EVP_PKEY_free(nint key);
    [LibraryImport(Crypto)] internal static partial ulong ERR_get_error();
    [LibraryImport(Crypto)] internal static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);
    [LibraryImport(Crypto)] internal static partial void ERR_clear_error();
    [LibraryImport(Crypto)] internal static partial int RAND_bytes(byte* buffer, int length);
    [LibraryImport(Crypto)] internal static partial nint EVP_aes_256_cbc();
    [LibraryImport(Crypto)] internal static partial int EVP_EncryptInit_ex(nint context, nint cipher, nint engine, byte* key, byte* iv);
    [LibraryImport(Crypto)] internal static partial int EVP_DecryptInit_ex(nint context, nint cipher, nint engine, byte* key, byte* iv);
    [LibraryImport(Crypto)] internal static partial int EVP_MAC_CTX_set_params(nint context, OsslParam* parameters);
    [LibraryImport(Crypto)] internal static partial int X509_VERIFY_PARAM_set1_ip_asc(nint param, byte* ip);
    [LibraryImport(Crypto)] internal static partial nint X509_verify_cert_error_string(nint error);

    /// <summary>Sets a context's protocol range (the <c>SSL_CTX_set_min/max_proto_version</c> macros).</summary>
    public static bool SetProtocolRange(nint ctx, int min, int max) =>
        SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, min, 0) == 1 && SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, max, 0) == 1;

    /// <summary>The oldest error on this thread's OpenSSL queue as text (the queue is then cleared), or null.</summary>
    public static string? TakeError()
    {
        ulong code = ERR_get_error();
        if (code == 0) return null;
        byte* text = stackalloc byte[256];
        ERR_error_string_n(code, text, 256);
        ERR_clear_error();
        return Marshal.PtrToStringUTF8((nint)text);
    }
}

/// <summary>OpenSSL 3's <c>OSSL_PARAM</c>: how an HMAC is given its key and digest in the ticket-key callback.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OsslParam
{
    public const uint Utf8String = 4;
    public const uint OctetString = 5;

    public byte* Key;
    public uint DataType;
    public void* Data;
    public nuint DataSize;
    public nuint ReturnSize;
}
