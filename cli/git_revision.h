// The policies as they are in a git revision, read without touching the work tree or the index
// (`git ls-tree` and `git cat-file`), for `policy review` to compare two revisions of one tree.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace policy::cli {

struct GitOutput {
  int exit_code = -1;  // -1: git could not be run
  std::string out;
  std::string err;
};

// Runs `git ARGS...` in the current directory (no shell: the arguments are passed as they are).
auto RunGit(const std::vector<std::string>& args) -> GitOutput;

// The commit `rev` names, as a full hash; on failure nullopt and a message saying why (not a git
// repository, no such revision, a shallow clone that does not have it).
auto ResolveCommit(const std::string& rev, std::string* error) -> std::optional<std::string>;

// The commit where `a` and `b` diverged: what a merge request of `b` into `a` is reviewed against.
auto MergeBase(const std::string& a, const std::string& b, std::string* error) -> std::optional<std::string>;

// The `.policy` files under `paths` (files or directories, relative to the current directory) as
// they are in `commit`: (path, text) pairs named as Engine::Load would name the same files in the
// work tree, so diagnostics and findings on the two sides can be matched by file. A path absent
// from the commit is an error.
auto ReadPolicyFilesAt(const std::string& commit, const std::vector<std::string>& paths, std::string* error)
    -> std::optional<std::vector<std::pair<std::string, std::string>>>;

}  // namespace policy::cli
