// `policy analyze PATHS`: conflicts, dead rules and gaps, each with a witness case re-evaluated
// by the interpreter or a proof that none exists (runtime/analysis/analyze.h).
// Exit 0 when nothing was found, 1 when a conflict, dead rule or gap was (or, with --strict,
// when a question was left unproven), 2 on bad input.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/analysis/analyze.h"

namespace policy::cli {
namespace {

using ojson = nlohmann::ordered_json;

auto RuleName(const ir::Decision& d, uint32_t i) -> std::string {
  return fmt::format("{} `{}`", d.rules[i].is_exception ? "exception" : "rule", d.rules[i].name);
}

auto Question(const ir::Decision& d, const Finding& f) -> std::string {
  switch (f.kind) {
    case Finding::Kind::kConflict:
      return fmt::format("whether {} and {} of `{}` can apply to one case with different results",
                         RuleName(d, f.rules[0]), RuleName(d, f.rules[1]), d.name);
    case Finding::Kind::kDeadRule:
      return fmt::format("whether {} of `{}` can apply to any case", RuleName(d, f.rules[0]), d.name);
    case Finding::Kind::kGap:
      return fmt::format("whether `{}` can be left without a result", d.name);
  }
  return "";
}

// The witness as the example it was built on and what changed, so a reader sees at once what
// makes the case special; `--format json` has the whole record.
auto WitnessNote(const Finding& f) -> std::string {
  std::string out = fmt::format(
      "witness ({}), as of {}: {}",
      f.method == "smt" ? "from a Z3 model" : fmt::format("found after {} cases", f.cases_tried), f.as_of,
      f.base.empty() ? "a case with every field at its plain value" : fmt::format("`{}`", f.base));
  if (f.changes.empty()) {
    out += " as it is";
  } else {
    out += " with";
    for (const std::string& c : f.changes) {
      out += "\n    " + c;
    }
  }
  return out + fmt::format("\n  the interpreter gives: {}", f.outcome);
}

// Findings worth a diagnostic: what was found, and (as notes) what could not be decided.
auto ToDiagnostics(const Engine& engine, const std::vector<DecisionAnalysis>& results) -> DiagnosticSink {
  DiagnosticSink diags;
  const ir::Program& ir = engine.program().ir();
  for (const DecisionAnalysis& a : results) {
    const ir::Decision& d = ir.decisions[a.index];
    for (const Finding& f : a.findings) {
      if (f.status == Finding::Status::kNone) {
        continue;
      }
      if (f.status == Finding::Status::kNotProven) {
        Diagnostic& diag =
            diags.Report(DiagCode::kNotProven, f.span, fmt::format("not proven: {}", Question(d, f)));
        std::string why;
        for (const std::string& r : a.approximations) {
          why += (why.empty() ? "" : "; ") + r;
        }
        diag.notes.push_back(fmt::format(
            "Z3 found a case only in the approximate encoding ({}), and {} cases from the examples did not "
            "reproduce it",
            why.empty() ? "no approximation recorded" : why, f.cases_tried));
        continue;
      }
      switch (f.kind) {
        case Finding::Kind::kConflict: {
          Diagnostic& diag =
              diags.Report(DiagCode::kRuleConflict, d.rules[f.rules[1]].span,
                           fmt::format("{} and {} of `{}` can both apply with different results",
                                       RuleName(d, f.rules[0]), RuleName(d, f.rules[1]), d.name),
                           "applies with a different result");
          diag.labels.push_back({d.rules[f.rules[0]].span, false, "applies to the same case"});
          diag.notes.push_back(WitnessNote(f));
          diag.help.push_back(
              fmt::format("add `exception {} to {}` (or the reverse) to say which one wins, or make "
                          "their conditions exclusive",
                          d.rules[f.rules[1]].name, d.rules[f.rules[0]].name));
          break;
        }
        case Finding::Kind::kDeadRule: {
          Diagnostic& diag =
              diags.Report(DiagCode::kDeadRule, f.span,
                           fmt::format("{} of `{}` applies to no case", RuleName(d, f.rules[0]), d.name),
                           "can never apply");
          diag.notes.push_back(
              a.approximations.empty()
                  ? std::string("proven by Z3: its conditions, effective period and the exceptions to it "
                                "exclude every case")
                  : std::string(
                        "proven by Z3: its conditions, effective period and the exceptions to it "
                        "exclude every case, even with the parts the encoding approximates left free"));
          break;
        }
        case Finding::Kind::kGap: {
          Diagnostic& diag =
              diags.Report(DiagCode::kDecisionGap, f.span,
                           fmt::format("`{}` has no default and no rule applies to some cases", d.name),
                           "no result for the case below");
          diag.notes.push_back(WitnessNote(f));
          diag.help.push_back("add a `default`, or a rule for these cases");
          break;
        }
      }
    }
  }
  return diags;
}

auto FindingJson(const ir::Decision& d, const Finding& f) -> ojson {
  ojson j;
  if (!f.rules.empty()) {
    ojson rules = ojson::array();
    for (const uint32_t r : f.rules) {
      rules.push_back(d.rules[r].name);
    }
    j["rules"] = rules;
  }
  j["status"] = FindingStatusName(f.status);
  j["method"] = f.method;
  if (f.kind == Finding::Kind::kDeadRule) {
    // For a dead rule the witness question is inverted: a case shows it alive.
    j["dead"] = f.status == Finding::Status::kFound;
  }
  if (!f.witness.empty()) {
    j["witness"] = ojson::parse(f.witness);
    j["as_of"] = f.as_of;
    j["based_on"] = f.base;
    j["changes"] = f.changes;
    j["interpreter"] = f.outcome;
  }
  if (f.method == "search") {
    j["cases_tried"] = f.cases_tried;
  }
  return j;
}

auto ResultsJson(const Engine& engine, const std::vector<DecisionAnalysis>& results, bool symbolic_date)
    -> ojson {
  const ir::Program& ir = engine.program().ir();
  ojson out;
  out["dates"] = symbolic_date ? "every date from 0001-01-01 to 9999-12-31" : "the --as-of date";
  ojson decisions = ojson::array();
  for (const DecisionAnalysis& a : results) {
    const ir::Decision& d = ir.decisions[a.index];
    ojson j;
    j["decision"] = a.decision;
    j["analysed"] = a.analysed;
    if (!a.analysed) {
      j["skipped"] = a.skipped;
      decisions.push_back(j);
      continue;
    }
    j["encoding"] = a.approximations.empty() ? "exact" : "partial";
    j["approximations"] = a.approximations;
    ojson conflicts = ojson::array();
    ojson dead = ojson::array();
    ojson gap;
    for (const Finding& f : a.findings) {
      switch (f.kind) {
        case Finding::Kind::kConflict:
          conflicts.push_back(FindingJson(d, f));
          break;
        case Finding::Kind::kDeadRule:
          dead.push_back(FindingJson(d, f));
          break;
        case Finding::Kind::kGap:
          gap = FindingJson(d, f);
          break;
      }
    }
    j["conflicts"] = conflicts;
    j["rules"] = dead;
    j["gap"] = d.default_value ? ojson("has a default") : gap;
    decisions.push_back(j);
  }
  out["decisions"] = decisions;
  return out;
}

}  // namespace

auto AddAnalyzeCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> decisions;
    std::vector<std::string> cases;
    std::string as_of;
    std::string format = "human";
    unsigned timeout_ms = 10000;
    size_t budget = 300;
    bool strict = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "analyze", "Find conflicting rules, dead rules and gaps with Z3, with a witness case or a proof");
  sub->set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  sub->add_option("paths", options->paths, "Policy files or directories (searched for *.policy)")->required();
  sub->add_option("--decision,-d", options->decisions, "Only these decisions (default: every decision)");
  sub->add_option(
      "--cases", options->cases,
      "Case records (JSON files or directories) that witnesses are built on and the bounded search "
      "starts from (default: examples/cases if it exists)");
  sub->add_option("--as-of", options->as_of,
                  "Analyse this date only (YYYY-MM-DD; default: every date from year 1 to 9999)");
  sub->add_option("--timeout", options->timeout_ms,
                  "Z3 time limit per question, in milliseconds (default 10000)");
  sub->add_option("--budget", options->budget,
                  "Cases the bounded search tries per question Z3 could not settle (default 300)");
  sub->add_flag("--strict", options->strict, "Exit 1 also when a question is left unproven");
  sub->add_option("--format", options->format,
                  "Output as `human` (default), `short`, `json` (every question and its answer) or `sarif` "
                  "(SARIF 2.1.0, for code-scanning UIs)")
      ->check(CLI::IsMember({"human", "short", "json", "sarif"}));
  return Runner([options, &io]() {
    const DiagFormat format = ParseFormat(options->format);
    auto engine = LoadOrReport(io, options->paths, format);
    if (!engine) {
      return kExitInputError;
    }
    DiagnosticSink date_diags;
    AnalyzeOptions analyze;
    if (!options->as_of.empty()) {
      const auto as_of = ResolveAsOf(options->as_of, io.env, date_diags);
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
    std::vector<std::string> case_paths = options->cases;
    std::error_code ec;
    if (case_paths.empty() && std::filesystem::is_directory("examples/cases", ec)) {
      case_paths.push_back("examples/cases");
    }
    for (auto& [name, text] : ReadNamedCaseFiles(case_paths)) {
      analyze.seed_names.push_back(name);
      analyze.seeds.push_back(std::move(text));
    }
    const std::vector<DecisionAnalysis> results = AnalyzePolicies(*engine, analyze);

    size_t found = 0;
    size_t unproven = 0;
    size_t proven = 0;
    size_t analysed = 0;
    for (const DecisionAnalysis& a : results) {
      analysed += a.analysed ? 1 : 0;
      for (const Finding& f : a.findings) {
        found += f.status == Finding::Status::kFound ? 1 : 0;
        unproven += f.status == Finding::Status::kNotProven ? 1 : 0;
        proven += f.status == Finding::Status::kNone ? 1 : 0;
      }
    }
    if (format == DiagFormat::kJson) {
      io.out << ResultsJson(*engine, results, !analyze.as_of).dump(2) << "\n";
    } else {
      const DiagnosticSink diags = ToDiagnostics(*engine, results);
      if (format == DiagFormat::kSarif && diags.diagnostics().empty()) {
        io.out << RenderDiagnostics({}, engine->sources(), format);
      } else {
        PrintDiagnostics(io, diags, engine->sources(), format);
      }
      if (format != DiagFormat::kSarif) {
        io.err << fmt::format(
            "analysed {} decision{} ({}): {} problem{} found, {} check{} passed, {} not proven\n", analysed,
            analysed == 1 ? "" : "s", analyze.as_of ? "as of " + analyze.as_of->ToString() : "on every date",
            found, found == 1 ? "" : "s", proven, proven == 1 ? "" : "s", unproven);
      }
    }
    return found > 0 || (options->strict && unproven > 0) ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
