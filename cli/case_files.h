// Case records (JSON) that `analyze` and `diff` start from: the files named by `--cases`, or
// the files of the directories it names, else the policies' examples/cases when there is one.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace policy::cli {

// `--cases` as given; when it is empty, the `examples/cases` directory beside or above the first of
// `policy_paths` that has one, else the one under the working directory if it exists.
auto CasePathsOrDefault(const std::vector<std::string>& cases, const std::vector<std::string>& policy_paths)
    -> std::vector<std::string>;
// The JSON case files among `paths` (files, or directories of *.json), in path order, each with
// its name (without its directory). A path that does not exist, or a file that cannot be read or
// is larger than InputLimits::max_bytes, is an error: nullopt, with `*error` saying which and why
// (a user who names a case file means it to be used).
auto ReadNamedCaseFiles(const std::vector<std::string>& paths, std::string* error)
    -> std::optional<std::vector<std::pair<std::string, std::string>>>;

// For `analyze` and `diff`: the case files `cases` names (or examples/cases) as the seeds'
// names and texts. On an error, prints it (E0100) to `err` and returns false, for the command to
// exit with kExitInputError.
auto ReadSeedsOrReport(std::ostream& err, const std::vector<std::string>& cases,
                       const std::vector<std::string>& policy_paths, std::vector<std::string>* names,
                       std::vector<std::string>* texts) -> bool;

}  // namespace policy::cli
