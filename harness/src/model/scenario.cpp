#include "hubspec/harness/scenario.hpp"

namespace hubspec::harness {

std::string source_location::to_string() const {
    return line > 0 ? file + ":" + std::to_string(line) : file;
}

} // namespace hubspec::harness
