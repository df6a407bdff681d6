#include "hubspec/protocol/target_settings.hpp"

namespace hubspec::protocol {

target_settings embedded_target_settings() noexcept {
    target_settings s;
    for (const auto& row : target_setting_table)
        row.set(s, row.embedded);
    return s;
}

} // namespace hubspec::protocol
