// `policy diff OLD NEW`: for every decision, a case that decides differently after the change,
// a proof that none exists, or how many cases were tried without finding one (runtime/analysis/diff.h).
//   policy diff old/policies new/policies
//   policy diff HEAD~1:policies policies        a git revision of a path, against the work tree
// Exit 0 when no decision was found to differ, 1 when one was, 2 on bad input.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/analysis/diff.h"

namespace policy::cli {
namespace {

namespace fs = std::filesystem;

auto Quote(const std::string& s) -> std::string {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// `REV:PATH` names PATH as it was in git revision REV (when REV is a revision and PATH is not
// an existing file or directory of that name). It is exported into `dir` with `git archive`.
auto ResolveSide(const std::string& spec, const fs::path& dir, std::string* error)
    -> std::optional<std::string> {
  std::error_code ec;
  if (fs::exists(spec, ec)) {
    return spec;
  }
  const size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) {
    *error = fmt::format("no such file or directory: `{}`", spec);
    return std::nullopt;
  }
  const std::string rev = spec.substr(0, colon);
  const std::string path = spec.substr(colon + 1).empty() ? "." : spec.substr(colon + 1);
  fs::create_directories(dir, ec);
  const std::string cmd =
      fmt::format("git archive --format=tar {} -- {} 2>/dev/null | tar -x -C {} 2>/dev/null", Quote(rev),
                  Quote(path), Quote(dir.string()));
  if (std::system(cmd.c_str()) != 0 || !fs::exists(dir / path, ec)) {
    *error = fmt::format("`{}` is neither a path nor `REVISION:PATH` of this git repository", spec);
    return std::nullopt;
  }
  return (dir / path).string();
}

auto Join(const std::vector<std::string>& parts) -> std::string {
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

}  // namespace

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

auto AddDiffCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::string old_side;
    std::string new_side;
    std::vector<std::string> decisions;
    std::vector<std::string> cases;
    std::string as_of;
    std::string format = "human";
    size_t budget = 2000;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("diff", "Find cases that a rule change decides differently");
  sub->set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  sub->add_option("old", options->old_side,
                  "The policies before: a file or directory, or REVISION:PATH in git")
      ->required();
  sub->add_option("new", options->new_side,
                  "The policies after: a file or directory, or REVISION:PATH in git")
      ->required();
  sub->add_option("--decision,-d", options->decisions, "Only these decisions (default: every decision)");
  sub->add_option(
      "--cases", options->cases,
      "Case records (JSON files or directories) to start the search from (default: examples/cases "
      "if it exists)");
  sub->add_option("--as-of", options->as_of, "Evaluation date (YYYY-MM-DD; default: today, or POLICY_TODAY)");
  sub->add_option("--budget", options->budget, "Cases to try per decision (default 2000)");
  sub->add_option("--format", options->format, "Output as `human` (default) or `json`")
      ->check(CLI::IsMember({"human", "json"}));
  return Runner([options, &io]() {
    const DiagFormat format = ParseFormat(options->format);
    const fs::path tmp = fs::temp_directory_path() / fmt::format("policy-diff-{}", ::getpid());
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } cleanup{tmp};
    std::string error;
    const auto old_path = ResolveSide(options->old_side, tmp / "old", &error);
    const auto new_path = old_path ? ResolveSide(options->new_side, tmp / "new", &error) : std::nullopt;
    if (!old_path || !new_path) {
      io.err << "error: " << error << "\n";
      return kExitInputError;
    }
    auto old_set = LoadOrReport(io, {*old_path}, format);
    auto new_set = old_set ? LoadOrReport(io, {*new_path}, format) : nullptr;
    if (!old_set || !new_set) {
      return kExitInputError;
    }
    DiagnosticSink diags;
    const auto as_of = ResolveAsOf(options->as_of, io.env, diags);
    if (!as_of) {
      PrintDiagnostics(io, diags, new_set->sources(), format);
      return kExitInputError;
    }
    DiffOptions diff;
    diff.as_of = *as_of;
    diff.decisions = options->decisions;
    diff.budget = options->budget;
    std::vector<std::string> case_paths = options->cases;
    std::error_code ec;
    if (case_paths.empty() && fs::is_directory("examples/cases", ec)) {
      case_paths.push_back("examples/cases");
    }
    diff.seeds = ReadCaseFiles(case_paths);
    const std::vector<DecisionDiff> results = DiffPolicySets(*old_set, *new_set, diff);
    size_t different = 0;
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const DecisionDiff& r : results) {
      different += r.status == DecisionDiff::Status::kDifferent ? 1 : 0;
      if (format == DiagFormat::kJson) {
        nlohmann::ordered_json j;
        j["decision"] = r.decision;
        static constexpr const char* kStatus[] = {"no_difference_found", "different", "only_in_old",
                                                  "only_in_new", "not_comparable"};
        j["status"] = r.status == DecisionDiff::Status::kSame && r.proven
                          ? "same"
                          : kStatus[static_cast<int>(r.status)];
        j["proven"] = r.proven;
        if (!r.method.empty()) {
          j["method"] = r.method;
        }
        j["cases_tried"] = r.cases_tried;
        if (!r.proven && !r.approximations.empty()) {
          j["approximations"] = r.approximations;
        }
        if (r.status == DecisionDiff::Status::kDifferent) {
          j["witness"] = nlohmann::ordered_json::parse(r.witness);
          j["old"] = {{"result", r.old_side.outcome}, {"by", r.old_side.rules}};
          j["new"] = {{"result", r.new_side.outcome}, {"by", r.new_side.rules}};
        }
        if (!r.reason.empty()) {
          j["reason"] = r.reason;
        }
        out.push_back(j);
        continue;
      }
      switch (r.status) {
        case DecisionDiff::Status::kSame:
          if (r.proven) {
            io.out << fmt::format("{}: no case decides differently (proven)\n", r.decision);
            break;
          }
          io.out << fmt::format("{}: no case found that decides differently ({} cases tried; not proven{})\n",
                                r.decision, r.cases_tried,
                                r.approximations.empty()
                                    ? std::string()
                                    : ": the encoding approximates " + Join(r.approximations));
          break;
        case DecisionDiff::Status::kOnlyInOld:
          io.out << fmt::format("{}: removed\n", r.decision);
          break;
        case DecisionDiff::Status::kOnlyInNew:
          io.out << fmt::format("{}: added\n", r.decision);
          break;
        case DecisionDiff::Status::kNotComparable:
          io.out << fmt::format("{}: not compared: {}\n", r.decision, r.reason);
          break;
        case DecisionDiff::Status::kDifferent: {
          auto by = [](const std::vector<std::string>& rules) {
            std::string s;
            for (const std::string& x : rules) {
              s += (s.empty() ? "" : ", ") + x;
            }
            return s;
          };
          io.out << (r.method == "smt"
                         ? fmt::format(
                               "{}: DECIDES DIFFERENTLY (a Z3 model, confirmed by both interpreters)\n",
                               r.decision)
                         : fmt::format("{}: DECIDES DIFFERENTLY (found after {} cases)\n", r.decision,
                                       r.cases_tried));
          io.out << fmt::format("  old: {}   by {}\n", r.old_side.outcome, by(r.old_side.rules));
          io.out << fmt::format("  new: {}   by {}\n", r.new_side.outcome, by(r.new_side.rules));
          io.out << "  for this case (as of " << as_of->ToString() << "):\n";
          std::istringstream lines(r.witness);
          for (std::string line; std::getline(lines, line);) {
            io.out << "    " << line << "\n";
          }
          break;
        }
      }
    }
    if (format == DiagFormat::kJson) {
      io.out << out.dump(2) << "\n";
    } else {
      io.err << fmt::format("{} of {} decisions decide differently for some case\n", different,
                            results.size());
    }
    return different > 0 ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
