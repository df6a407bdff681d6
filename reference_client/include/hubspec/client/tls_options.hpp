#pragma once
// How the server's certificate is checked on https:// and wss:// URLs (issue 12): the
// system's trusted CAs by default, as curl and Microsoft's clients do.

#include <string>

namespace hubspec::client {

struct tls_options {
    std::string ca_file;   // PEM file of CAs trusted besides the system's (a private CA)
    bool insecure = false; // no certificate check at all (self-signed test servers)
};

} // namespace hubspec::client
