// The four reports into one directory (design §8).

#include "hubspec/reports/writers.hpp"

#include <fstream>
#include <functional>
#include <stdexcept>
#include <system_error>

namespace hubspec::harness {

void write_reports(const run_result& run, const std::filesystem::path& directory) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    const auto write = [&](const char* name, const std::function<void(const run_result&, std::ostream&)>& writer) {
        const auto path = directory / name;
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        if (!file) throw std::runtime_error("cannot write " + path.string());
        writer(run, file);
        file.flush();
        if (!file) throw std::runtime_error("cannot write " + path.string());
    };
    write("results.json", write_results_json);
    write("junit.xml", write_junit_xml);
    write("summary.md", write_summary_markdown);
    write("index.html", write_index_html);
}

} // namespace hubspec::harness
