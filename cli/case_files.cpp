#include "cli/case_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "compiler/base/source.h"
#include "runtime/engine/engine.h"

namespace policy::cli {

namespace fs = std::filesystem;

auto CasePathsOrDefault(const std::vector<std::string>& cases, const std::vector<std::string>& policy_paths)
    -> std::vector<std::string> {
  if (!cases.empty()) {
    return cases;
  }
  // The example cases that belong to the policies: `examples/cases` beside the policy tree or
  // above it (`policy analyze repo/policies` from anywhere finds `repo/examples/cases`), and only
  // then the one under the working directory.
  std::error_code ec;
  for (const std::string& path : policy_paths) {
    fs::path dir = fs::absolute(path, ec);
    if (ec || !fs::exists(dir, ec)) {
      continue;  // a revision's path (`HEAD:policies`) or a typo: nothing to look beside
    }
    if (!fs::is_directory(dir, ec)) {
      dir = dir.parent_path();
    }
    for (fs::path at = dir.lexically_normal(); !at.empty(); at = at.parent_path()) {
      const fs::path candidate = at / "examples" / "cases";
      if (fs::is_directory(candidate, ec)) {
        return {candidate.string()};
      }
      if (at == at.root_path() || at.parent_path() == at) {
        break;
      }
    }
  }
  if (fs::is_directory("examples/cases", ec)) {
    return {"examples/cases"};
  }
  return cases;
}

auto ReadNamedCaseFiles(const std::vector<std::string>& paths, std::string* error)
    -> std::optional<std::vector<std::pair<std::string, std::string>>> {
  std::vector<std::pair<std::string, std::string>> seeds;
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.path().extension() == ".json") {
          files.push_back(e.path());
        }
      }
      if (ec) {
        *error = fmt::format("cannot read the case directory `{}`: {}", p, ec.message());
        return std::nullopt;
      }
    } else if (fs::exists(p, ec)) {
      files.emplace_back(p);
    } else {
      *error = fmt::format("no such case file or directory: `{}`", p);
      return std::nullopt;
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    BoundedRead read = ReadBounded(f.string(), InputLimits{}.max_bytes);
    switch (read.status) {
      case BoundedRead::Status::kOk:
        seeds.emplace_back(f.filename().string(), std::move(read.text));
        break;
      case BoundedRead::Status::kCannotRead:
        *error = fmt::format("cannot read the case file `{}`", f.string());
        return std::nullopt;
      case BoundedRead::Status::kTooLarge:
        *error = fmt::format("the case file `{}` is {} bytes; the limit is {} bytes", f.string(), read.size,
                             InputLimits{}.max_bytes);
        return std::nullopt;
    }
  }
  return seeds;
}

auto ReadSeedsOrReport(std::ostream& err, const std::vector<std::string>& cases,
                       const std::vector<std::string>& policy_paths, std::vector<std::string>* names,
                       std::vector<std::string>* texts) -> bool {
  std::string error;
  const auto files = ReadNamedCaseFiles(CasePathsOrDefault(cases, policy_paths), &error);
  if (!files) {
    err << fmt::format("error[E0100]: {}\n", error);
    return false;
  }
  for (const auto& [name, text] : *files) {
    names->push_back(name);
    texts->push_back(text);
  }
  return true;
}

}  // namespace policy::cli
