#include "cli/git_revision.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace policy::cli {
namespace {

namespace fs = std::filesystem;

auto Trim(std::string s) -> std::string {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// git's own message, first line, for ours to quote.
auto FirstLine(const std::string& text) -> std::string {
  const std::string t = Trim(text);
  const size_t nl = t.find('\n');
  return nl == std::string::npos ? t : t.substr(0, nl);
}

auto IsShallow() -> bool {
  return Trim(RunGit({"rev-parse", "--is-shallow-repository"}).out) == "true";
}

}  // namespace

auto RunGit(const std::vector<std::string>& args) -> GitOutput {
  GitOutput result;
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) {
    return result;
  }
  // Standard error goes to a file, so that reading one pipe cannot block on the other.
  char err_path[] = "/tmp/policy-git-XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  if (err_fd < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  ::unlink(err_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> argv_text{"git"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_fd);
    result.err = "git is not installed or cannot be run";
    return result;
  }
  char buffer[65536];
  for (ssize_t n; (n = ::read(out_pipe[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    result.out.append(buffer, static_cast<size_t>(n));
  }
  ::close(out_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  ::lseek(err_fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(err_fd, buffer, sizeof buffer)) > 0;) {
    result.err.append(buffer, static_cast<size_t>(n));
  }
  ::close(err_fd);
  return result;
}

auto ResolveCommit(const std::string& rev, std::string* error) -> std::optional<std::string> {
  const GitOutput inside = RunGit({"rev-parse", "--is-inside-work-tree"});
  if (inside.exit_code != 0) {
    *error = inside.exit_code < 0 ? inside.err
                                  : "not inside a git repository (run it in the repository's work tree)";
    return std::nullopt;
  }
  // `--end-of-options` keeps a revision that starts with `-` from being read as an option.
  const GitOutput r = RunGit({"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"});
  if (r.exit_code == 0) {
    return Trim(r.out);
  }
  *error = fmt::format("no commit `{}` in this repository", rev);
  if (IsShallow()) {
    *error +=
        "; this is a shallow clone: fetch the history it needs (`git fetch --unshallow`, or "
        "`fetch-depth: 0` in GitHub Actions, `GIT_DEPTH: 0` in GitLab CI)";
  }
  return std::nullopt;
}

auto MergeBase(const std::string& a, const std::string& b, std::string* error) -> std::optional<std::string> {
  const GitOutput r = RunGit({"merge-base", a, b});
  if (r.exit_code == 0) {
    return Trim(r.out);
  }
  *error = fmt::format("no common ancestor of {} and {}", a.substr(0, 12), b.substr(0, 12));
  if (IsShallow()) {
    *error +=
        "; this is a shallow clone: fetch the history it needs (`git fetch --unshallow`, or "
        "`fetch-depth: 0` in GitHub Actions, `GIT_DEPTH: 0` in GitLab CI)";
  } else if (!r.err.empty()) {
    *error += ": " + FirstLine(r.err);
  }
  return std::nullopt;
}

auto ReadPolicyFilesAt(const std::string& commit, const std::vector<std::string>& paths, std::string* error)
    -> std::optional<std::vector<std::pair<std::string, std::string>>> {
  // Paths in git are relative to the top of the repository; ours to the current directory.
  const GitOutput top = RunGit({"rev-parse", "--show-toplevel"});
  if (top.exit_code != 0) {
    *error = "not inside a git repository (run it in the repository's work tree)";
    return std::nullopt;
  }
  const fs::path toplevel = Trim(top.out);
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& p : paths) {
    const fs::path absolute = fs::path(p).is_absolute() ? fs::path(p) : fs::current_path() / p;
    const fs::path in_repo = absolute.lexically_normal().lexically_relative(toplevel);
    if (in_repo.empty() || *in_repo.begin() == "..") {
      *error = fmt::format("`{}` is outside the git repository at {}", p, toplevel.string());
      return std::nullopt;
    }
    const std::string spec = in_repo == "." ? std::string(".") : in_repo.generic_string();
    const GitOutput listed = RunGit(
        {"-C", toplevel.string(), "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", spec});
    if (listed.exit_code != 0) {
      *error = fmt::format("cannot list `{}` in {}: {}", p, commit.substr(0, 12), FirstLine(listed.err));
      return std::nullopt;
    }
    std::vector<std::string> names;
    std::istringstream in(listed.out);
    for (std::string name; std::getline(in, name, '\0');) {
      if (fs::path(name).extension() == ".policy") {
        names.push_back(name);
      }
    }
    if (names.empty()) {
      *error =
          fmt::format("`{}` {} in revision {}", p,
                      listed.out.empty() ? "does not exist" : "holds no .policy files", commit.substr(0, 12));
      return std::nullopt;
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const GitOutput blob = RunGit({"-C", toplevel.string(), "cat-file", "blob", commit + ":" + name});
      if (blob.exit_code != 0) {
        *error = fmt::format("cannot read `{}` in {}: {}", name, commit.substr(0, 12), FirstLine(blob.err));
        return std::nullopt;
      }
      // Named as Engine::Load names the work tree's file (CollectPolicyFiles: the path given, then
      // the path under it, lexically normal).
      const std::string shown =
          name == spec ? fs::path(p).lexically_normal().string()
                       : (fs::path(p) / fs::path(name).lexically_relative(spec)).lexically_normal().string();
      if (std::none_of(files.begin(), files.end(), [&](const auto& f) { return f.first == shown; })) {
        files.emplace_back(shown, blob.out);
      }
    }
  }
  return files;
}

}  // namespace policy::cli
