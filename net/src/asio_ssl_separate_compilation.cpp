// Boost.Asio's SSL layer compiled once (the rest of Asio and Beast: cmake/asio_beast_separate_compilation.cpp);
// it lives here because only hubspec::net links OpenSSL.
#include <boost/asio/ssl/impl/src.hpp>
