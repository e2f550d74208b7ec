#include "cli/case_files.h"

#include <algorithm>
#include <filesystem>

#include "compiler/base/source.h"
#include "runtime/engine/engine.h"

namespace policy::cli {

namespace fs = std::filesystem;

auto CasePathsOrDefault(const std::vector<std::string>& cases) -> std::vector<std::string> {
  std::error_code ec;
  if (cases.empty() && fs::is_directory("examples/cases", ec)) {
    return {"examples/cases"};
  }
  return cases;
}

auto ReadCaseFiles(const std::vector<std::string>& paths) -> std::vector<std::string> {
  std::vector<std::string> seeds;
  for (auto& named : ReadNamedCaseFiles(paths)) {
    seeds.push_back(std::move(named.second));
  }
  return seeds;
}

auto ReadNamedCaseFiles(const std::vector<std::string>& paths)
    -> std::vector<std::pair<std::string, std::string>> {
  std::vector<std::pair<std::string, std::string>> seeds;
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.path().extension() == ".json") {
          files.push_back(e.path());
        }
      }
    } else {
      files.emplace_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    BoundedRead read = ReadBounded(f.string(), InputLimits{}.max_bytes);
    if (read.status == BoundedRead::Status::kOk) {
      seeds.emplace_back(f.filename().string(), std::move(read.text));
    }
  }
  return seeds;
}

}  // namespace policy::cli
