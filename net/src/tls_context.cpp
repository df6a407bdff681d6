#include "hubspec/net/http_stream.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace hubspec::net {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> client_tls_context(const std::string& ca_file, bool insecure) {
    // Loading the system's CAs takes milliseconds; a run opens thousands of connections.
    static std::mutex mutex;
    static std::map<std::pair<std::string, bool>, std::shared_ptr<ssl::context>> made;
    std::lock_guard lock(mutex);
    auto& context = made[{ca_file, insecure}];
    if (context) return context;
    auto fresh = std::make_shared<ssl::context>(ssl::context::tls_client);
    fresh->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    if (insecure) {
        fresh->set_verify_mode(ssl::verify_none);
    } else {
        fresh->set_verify_mode(ssl::verify_peer);
        fresh->set_default_verify_paths();
        if (!ca_file.empty()) {
            boost::system::error_code ec;
            fresh->load_verify_file(ca_file, ec);
            if (ec) throw std::runtime_error("cannot read the CA file " + ca_file + ": " + ec.message());
        }
    }
    context = std::move(fresh);
    return context;
}

std::shared_ptr<ssl::context> server_tls_context(const std::string& certificate_file,
                                                 const std::string& private_key_file) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::single_dh_use);
    boost::system::error_code ec;
    context->use_certificate_chain_file(certificate_file, ec);
    if (ec) throw std::runtime_error("cannot use the TLS certificate " + certificate_file + ": " + ec.message());
    context->use_private_key_file(private_key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot use the TLS private key " + private_key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        throw std::runtime_error("the TLS private key " + private_key_file + " does not match the certificate " +
                                 certificate_file);
    return context;
}

void start_client_tls(http_stream& stream, ssl::context& context, const std::string& host, bool insecure) {
    stream.use_tls(context);
    SSL* handle = stream.tls().native_handle();
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(host, not_an_address);
    const bool is_address = !not_an_address;
    if (!is_address) // SNI names hosts, never addresses; the call SSL_set_tlsext_host_name stands for
        SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
    if (insecure) return;
    // OpenSSL's own name check, so that a mismatch is reported as one (X509_V_ERR_*_MISMATCH).
    const int installed = is_address ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), host.c_str())
                                     : SSL_set1_host(handle, host.c_str());
    if (installed != 1) // never connect unchecked because the name could not be set
        throw std::runtime_error("cannot check a certificate for the host '" + host + "'");
}

std::string describe_tls_failure(http_stream& stream, const boost::beast::error_code& ec) {
    if (stream.secure() && (SSL_get_verify_mode(stream.tls().native_handle()) & SSL_VERIFY_PEER)) {
        const long verdict = SSL_get_verify_result(stream.tls().native_handle());
        if (verdict != X509_V_OK)
            return std::string("the server's certificate is not accepted: ") + X509_verify_cert_error_string(verdict) +
                   " (trust its CA with --ca-file FILE, or skip the check with --insecure)";
    }
    if (ec.category() == boost::asio::error::get_ssl_category()) {
        const auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
        if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
            reason == SSL_R_HTTP_REQUEST)
            return "the server does not speak TLS on this port (" + ec.message() + "); is it an http:// endpoint?";
    }
    if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset)
        return "the server ended the connection during the TLS handshake (" + ec.message() +
               "); is it an http:// endpoint, or does it refuse this client's TLS versions?";
    return ec.message();
}

} // namespace hubspec::net
