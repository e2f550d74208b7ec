// Case records (JSON) that `analyze` and `diff` start from: the files named by `--cases`, or
// the files of the directories it names, else examples/cases when it exists.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace policy::cli {

// `--cases` as given, or {"examples/cases"} when it is empty and that directory exists.
auto CasePathsOrDefault(const std::vector<std::string>& cases) -> std::vector<std::string>;
// The text of the JSON case files among `paths` (files, or directories of *.json), in path
// order. A file that cannot be read, or is larger than InputLimits::max_bytes, is left out.
auto ReadCaseFiles(const std::vector<std::string>& paths) -> std::vector<std::string>;
// The same, with each file's name (without its directory).
auto ReadNamedCaseFiles(const std::vector<std::string>& paths)
    -> std::vector<std::pair<std::string, std::string>>;

}  // namespace policy::cli
