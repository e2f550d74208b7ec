// `policy diff OLD NEW`: for every decision, a case that decides differently after the change,
// a proof that none exists, or how many cases were tried without finding one (runtime/analysis/diff.h).
//   policy diff old/policies new/policies
//   policy diff HEAD~1:policies policies        a git revision of a path, against the work tree
// Exit 0 when no decision was found to differ, 1 when one was, 2 on bad input.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/case_files.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/population_diff.h"
#include "cli/render_findings.h"
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

}  // namespace

auto AddDiffCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::string old_side;
    std::string new_side;
    std::vector<std::string> decisions;
    std::vector<std::string> cases;
    AsOfOption as_of;
    FormatOption format;
    size_t budget = 2000;
    std::string population;
    std::string input_format;
    unsigned threads = 0;
    size_t show = 10;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(app, "diff", "Find cases that a rule change decides differently");
  sub->add_option("old", options->old_side,
                  "The policies before: a file or directory, or REVISION:PATH in git")
      ->required();
  sub->add_option("new", options->new_side,
                  "The policies after: a file or directory, or REVISION:PATH in git")
      ->required();
  sub->add_option("--decision,-d", options->decisions,
                  "Only these decisions or constants (default: every decision, and the constants that "
                  "differ)");
  sub->add_option(
      "--cases", options->cases,
      "Case records (JSON files or directories) to start the search from (default: examples/cases "
      "if it exists)");
  options->as_of.AddTo(sub,
                       "Without it, the two versions are compared on every date from 0001-01-01 to "
                       "9999-12-31");
  AddCountOption(sub, "--budget", options->budget,
                 "Cases to try per decision (default 2000, at most 1000000)", 1000000);
  sub->add_option("--population", options->population,
                  "Instead of searching, evaluate both versions on every case of this JSON Lines or CSV "
                  "file (- for standard input) and count what changes, as of --as-of (default: today)");
  sub->add_option("--input-format", options->input_format,
                  "With --population: jsonl or csv (default: csv for a file ending in .csv)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  sub->add_option("--threads", options->threads, "With --population: worker threads (default: one per core)");
  AddCountOption(sub, "--show", options->show, "With --population: lines listed per change (default 10)",
                 1000000);
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson});
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
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
    // A name in neither version is a mistake (a typo, a module left out), not an added decision.
    for (const std::string& name : options->decisions) {
      const auto names_constant = [&name](const Engine& engine) {
        const auto& globals = engine.program().ir().globals;
        return std::any_of(globals.begin(), globals.end(),
                           [&name](const ir::Global& g) { return g.name == name; });
      };
      if (old_set->FindDecision(name) || new_set->FindDecision(name) || names_constant(*old_set) ||
          names_constant(*new_set)) {
        continue;
      }
      DiagnosticSink diags;
      new_set->ResolveDecision(name, diags);
      PrintDiagnostics(io, diags, new_set->sources(), format);
      return kExitInputError;
    }
    if (!options->population.empty()) {
      const auto as_of = ResolveAsOfOrReport(io, options->as_of, *new_set, format);
      if (!as_of) {
        return kExitInputError;
      }
      PopulationDiffOptions population;
      population.cases = options->population;
      population.input_format = options->input_format;
      population.decisions = options->decisions;
      population.as_of = *as_of;
      population.threads = options->threads;
      population.show = options->show;
      population.format = format;
      return RunPopulationDiff(io, *old_set, *new_set, population);
    }
    DiffOptions diff;
    DiagnosticSink date_diags;
    if (options->as_of.given()) {
      const auto as_of = ResolveAsOfOrReport(io, options->as_of, *new_set, format);
      if (!as_of) {
        return kExitInputError;
      }
      diff.as_of = *as_of;
    }
    diff.today = ResolveAsOf("", io.env, date_diags).value_or(Date::FromDays(0));
    diff.decisions = options->decisions;
    diff.budget = options->budget;
    if (!ReadSeedsOrReport(io.err, options->cases, &diff.seed_names, &diff.seeds)) {
      return kExitInputError;
    }
    const std::vector<DecisionDiff> results = DiffPolicySets(*old_set, *new_set, diff);
    RenderDiff(io, results, diff.as_of, format);
    // A removed decision is a change callers see (they get E0906); an added one changes nothing
    // that was decided before.
    const bool different = std::any_of(results.begin(), results.end(), [](const DecisionDiff& r) {
      return r.status == DecisionDiff::Status::kDifferent || r.status == DecisionDiff::Status::kOnlyInOld;
    });
    return different ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
