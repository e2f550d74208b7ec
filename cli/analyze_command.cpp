// `policy analyze PATHS`: conflicts, dead rules and gaps, each with a witness case re-evaluated
// by the interpreter or a proof that none exists (runtime/analysis/analyze.h).
// Exit 0 when nothing was found, 1 when a conflict, dead rule or gap was (or, with --strict,
// when a question was left unproven), 2 on bad input.
#include "cli/case_files.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "runtime/analysis/analyze.h"

namespace policy::cli {

auto AddAnalyzeCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> decisions;
    std::vector<std::string> cases;
    AsOfOption as_of;
    FormatOption format;
    unsigned timeout_ms = 10000;
    size_t budget = 300;
    size_t time_limit_s = 300;
    bool strict = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(
      app, "analyze", "Find conflicting rules, dead rules and gaps with Z3, with a witness case or a proof");
  AddPathsOption(sub, options->paths);
  sub->add_option("--decision,-d", options->decisions, "Only these decisions (default: every decision)");
  sub->add_option(
      "--cases", options->cases,
      "Case records (JSON files or directories) that witnesses are built on and the bounded search "
      "starts from (default: the examples/cases beside or above the policies, else in the working "
      "directory)");
  options->as_of.AddTo(sub, "Without it, every date from 0001-01-01 to 9999-12-31 is analysed");
  sub->add_option("--timeout", options->timeout_ms,
                  "Z3 time limit per question, in milliseconds (default 10000)");
  AddCountOption(
      sub, "--budget", options->budget,
      "Cases the bounded search tries per question Z3 could not settle (default 300, at most 1000000)",
      1000000);
  AddCountOption(sub, "--time-limit", options->time_limit_s,
                 "Seconds for the whole analysis (default 300); the questions left then are reported as not "
                 "proven (W0204)",
                 86400);
  sub->add_flag("--strict", options->strict, "Exit 1 also when a question is left unproven");
  options->format.AddTo(sub, "Findings");
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    auto engine = LoadOrReport(io, options->paths, format);
    if (!engine) {
      return kExitInputError;
    }
    DiagnosticSink date_diags;
    AnalyzeOptions analyze;
    if (options->as_of.given()) {
      const auto as_of = options->as_of.Resolve(io.env, date_diags);
      if (!as_of) {
        PrintDiagnostics(io, date_diags, engine->sources(), format);
        return kExitInputError;
      }
      analyze.as_of = *as_of;
    }
    const auto today = ResolveAsOf("", io.env, date_diags);
    analyze.search_as_of = today.value_or(Date::FromDays(0));
    analyze.decisions = options->decisions;
    for (const std::string& name : options->decisions) {
      DiagnosticSink diags;
      if (!engine->ResolveDecision(name, diags)) {
        PrintDiagnostics(io, diags, engine->sources(), format);
        return kExitInputError;
      }
    }
    analyze.timeout_ms = options->timeout_ms;
    analyze.search_budget = options->budget;
    analyze.total_ms = static_cast<unsigned>(options->time_limit_s * 1000);
    if (!ReadSeedsOrReport(io.err, options->cases, options->paths, &analyze.seed_names, &analyze.seeds)) {
      return kExitInputError;
    }
    const std::vector<DecisionAnalysis> results = AnalyzePolicies(*engine, analyze);
    RenderAnalysis(io, *engine, results, analyze.as_of, format);
    const AnalysisTally tally = TallyAnalysis(results);
    return tally.found > 0 || (options->strict && tally.unproven > 0) ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
