// `policy diff OLD NEW`: for every decision, a case that decides differently after the change,
// a proof that none exists, or how many cases were tried without finding one (runtime/analysis/diff.h).
//   policy diff old/policies new/policies
//   policy diff HEAD~1:policies policies        a git revision of a path, against the work tree
// Exit 0 when no decision was found to differ, 1 when one was, 2 on bad input.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "cli/case_files.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/git_revision.h"
#include "cli/population_diff.h"
#include "cli/render_findings.h"
#include "cli/render_review.h"
#include "cli/review.h"
#include "runtime/analysis/diff.h"

namespace policy::cli {
namespace {

namespace fs = std::filesystem;

// A file or directory, or `REV:PATH`: PATH as it is in git revision REV (when no file or
// directory has that name), read from git's objects without a checkout (cli/git_revision.h).
// On an error, the diagnostics or the message are printed and null is returned.
auto LoadSide(Io& io, const std::string& spec, DiagFormat format) -> std::shared_ptr<const Engine> {
  std::error_code ec;
  if (fs::exists(spec, ec)) {
    return LoadOrReport(io, {spec}, format);
  }
  const size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) {
    io.err << fmt::format("error: no such file or directory: `{}`\n", spec);
    return nullptr;
  }
  const std::string path = spec.substr(colon + 1).empty() ? "." : spec.substr(colon + 1);
  std::string error;
  const auto commit = ResolveCommit(spec.substr(0, colon), &error);
  const auto files = commit ? ReadPolicyFilesAt(*commit, {path}, &error) : std::nullopt;
  if (!files) {
    io.err << fmt::format("error: `{}` is neither a path nor `REVISION:PATH` of this git repository ({})\n",
                          spec, error);
    return nullptr;
  }
  LoadResult loaded = Engine::LoadSources(*files);
  if (!loaded.engine) {
    PrintDiagnostics(io, loaded.diagnostics, *loaded.sources, format);
  }
  return loaded.engine;
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
    bool prove_identical = false;
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
  sub->add_option("--cases", options->cases,
                  "Case records (JSON files or directories) to start the search from (default: the "
                  "examples/cases beside or above the policies, else in the working directory)");
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
  sub->add_flag("--prove-identical", options->prove_identical,
                "Ask Z3 about decisions whose definitions are identical too, instead of taking them as the "
                "same (shows how much of each decision the encoding covers)");
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson, DiagFormat::kSarif});
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    auto old_set = LoadSide(io, options->old_side, format);
    auto new_set = old_set ? LoadSide(io, options->new_side, format) : nullptr;
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
      if (format == DiagFormat::kSarif) {
        io.err << "error: --format sarif locates changed rules, and --population counts cases: use "
                  "--format json with --population\n";
        return kExitInputError;
      }
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
    diff.prove_identical = options->prove_identical;
    if (!ReadSeedsOrReport(io.err, options->cases, {options->new_side, options->old_side}, &diff.seed_names,
                           &diff.seeds)) {
      return kExitInputError;
    }
    const std::vector<DecisionDiff> results = DiffPolicySets(*old_set, *new_set, diff);
    if (format == DiagFormat::kSarif) {
      // For code-scanning UIs: one result per decision that changed, on the rule that decides it.
      std::vector<ReviewChange> changes;
      for (const DecisionDiff& r : results) {
        if (r.status != DecisionDiff::Status::kSame) {
          changes.push_back(DescribeChange(*old_set, *new_set, r));
        }
      }
      RenderChangesSarif(io.out, changes, diff.as_of);
    } else {
      RenderDiff(io, results, diff.as_of, format);
    }
    // A removed decision is a change callers see (they get E0906); an added one changes nothing
    // that was decided before.
    const bool different = std::any_of(results.begin(), results.end(), [](const DecisionDiff& r) {
      return r.status == DecisionDiff::Status::kDifferent || r.status == DecisionDiff::Status::kOnlyInOld;
    });
    return different ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
