#include "random_bytes.hpp"

#include <stdexcept>
#include <sys/random.h>

namespace hubspec::server::detail {

std::array<std::uint8_t, 16> random_bytes() {
    std::array<std::uint8_t, 16> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) throw std::runtime_error("getrandom failed");
        filled += static_cast<std::size_t>(n);
    }
    return bytes;
}

} // namespace hubspec::server::detail
