// The results of runtime/analysis as `policy analyze` and `policy diff` print them (declared in
// render_findings.h).
#include <fmt/format.h>

#include <sstream>

#include "cli/render_findings.h"
#include "runtime/engine/exact_json.h"

namespace policy::cli {
namespace {

using ojson = nlohmann::ordered_json;

auto Join(const std::vector<std::string>& parts, const char* separator) -> std::string {
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : separator) + p;
  }
  return out;
}

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

// The facts of a witness built from nothing (no example case of its record type), one per line:
// `$.path: value`, at most kShownFacts of them. Empty lists and `null`s are left out: they are
// what a reader would assume.
constexpr size_t kShownFacts = 12;

auto WitnessFacts(const std::string& witness) -> std::string {
  const std::optional<ojson> j = exact_json::TryParse<ojson>(witness);  // in the record's field order
  std::vector<std::string> facts;
  const auto walk = [&](const auto& self, const ojson& v, const std::string& path) -> void {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        self(self, it.value(), path + "." + it.key());
      }
    } else if (!v.is_null() && !(v.is_array() && v.empty())) {
      facts.push_back(fmt::format("{}: {}", path, exact_json::Dump(v)));
    }
  };
  if (j) {
    walk(walk, *j, "$");
  }
  std::string out;
  for (size_t i = 0; i < facts.size() && i < kShownFacts; ++i) {
    out += "\n    " + facts[i];
  }
  if (facts.size() > kShownFacts) {
    out += fmt::format("\n    ... and {} more (the whole case: --format json)", facts.size() - kShownFacts);
  }
  return out;
}

// The witness as the example it was built on and what changed, so a reader sees at once what
// makes the case special; with no example to build on, the facts it sets. `--format json` has
// the whole record.
auto WitnessNote(const Finding& f) -> std::string {
  const std::string how =
      f.method == "smt" ? "from a Z3 model" : fmt::format("found after {} cases", f.cases_tried);
  if (f.base.empty()) {
    const std::string facts = WitnessFacts(f.witness);
    return fmt::format("witness ({}), as of {}: a case with{}\n  the interpreter gives: {}", how, f.as_of,
                       facts.empty() ? " no facts set" : facts, f.outcome);
  }
  std::string out = fmt::format("witness ({}), as of {}: `{}`", how, f.as_of, f.base);
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
    if (a.unasked > 0) {
      diags
          .Report(DiagCode::kNotProven, d.span,
                  fmt::format(
                      "not proven: {} question{} about `{}` not asked: the analysis time limit was used up",
                      a.unasked, a.unasked == 1 ? "" : "s", d.name))
          .WithHelp("give it more time with --time-limit, or analyse this decision alone with -d");
    }
    for (const Finding& f : a.findings) {
      if (f.status == Finding::Status::kNone) {
        continue;
      }
      if (f.status == Finding::Status::kNotProven) {
        Diagnostic& diag =
            diags.Report(DiagCode::kNotProven, f.span, fmt::format("not proven: {}", Question(d, f)));
        const std::string why = Join(a.approximations, "; ");
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
    j["witness"] = exact_json::Parse<ojson>(f.witness);
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
    if (a.unasked > 0) {
      j["not_asked"] = a.unasked;  // questions left when the time limit was used up
    }
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

auto DiffJson(const DecisionDiff& r) -> ojson {
  ojson j;
  static constexpr const char* kStatus[] = {"no_difference_found", "different", "only_in_old", "only_in_new",
                                            "not_comparable"};
  if (r.constant) {
    j["constant"] = r.decision;
    j["status"] = r.status == DecisionDiff::Status::kSame ? "same" : kStatus[static_cast<int>(r.status)];
    if (r.status == DecisionDiff::Status::kDifferent) {
      j["old"] = r.old_side.outcome;
      j["new"] = r.new_side.outcome;
    }
    return j;
  }
  j["decision"] = r.decision;
  j["status"] =
      r.status == DecisionDiff::Status::kSame && r.proven ? "same" : kStatus[static_cast<int>(r.status)];
  j["proven"] = r.proven;
  if (!r.method.empty()) {
    j["method"] = r.method;
  }
  j["cases_tried"] = r.cases_tried;
  if (!r.proven && !r.approximations.empty()) {
    j["approximations"] = r.approximations;
  }
  if (r.status == DecisionDiff::Status::kDifferent) {
    if (!r.witness.empty()) {
      j["witness"] = exact_json::Parse<ojson>(r.witness);
    }
    if (r.witness_as_of) {
      j["as_of"] = r.witness_as_of->ToString();
    }
    if (r.differs_on) {
      j["differs_from"] = r.differs_on->from ? ojson(r.differs_on->from->ToString()) : ojson();
      j["differs_until"] = r.differs_on->until ? ojson(r.differs_on->until->ToString()) : ojson();
    }
    if (!r.witness_base.empty()) {
      j["witness_base"] = r.witness_base;
      j["witness_changes"] = r.witness_changes;
    }
    j["old"] = {{"result", r.old_side.outcome}, {"by", r.old_side.rules}};
    j["new"] = {{"result", r.new_side.outcome}, {"by", r.new_side.rules}};
    for (const ValueChange& c : r.value_changes) {
      j["value_changes"].push_back({{"from", c.dates.from ? ojson(c.dates.from->ToString()) : ojson()},
                                    {"until", c.dates.until ? ojson(c.dates.until->ToString()) : ojson()},
                                    {"old", c.old_value},
                                    {"new", c.new_value}});
    }
    if (!r.causes.empty()) {
      j["causes"] = r.causes;
    }
  }
  if (!r.reason.empty()) {
    j["reason"] = r.reason;
  }
  return j;
}

// "as of 2025-09-01", "on any date".
auto Dates(std::optional<Date> as_of) -> std::string {
  return as_of ? "as of " + as_of->ToString() : "on any date";
}

// When a decision decides differently: "from 2027-01-01", "from A until B", or, when the first
// date could not be settled, the date of the witness.
auto WhenDifferent(const DecisionDiff& r, std::optional<Date> as_of) -> std::string {
  if (as_of) {
    return "as of " + as_of->ToString();
  }
  if (r.differs_on && r.differs_on->from) {
    const bool to_the_end =
        !r.differs_on->until || *r.differs_on->until == *Date::FromCivil(Date::kMaxYear, 12, 31);
    const bool from_the_start = *r.differs_on->from == *Date::FromCivil(Date::kMinYear, 1, 1);
    if (from_the_start && to_the_end) {
      return "on every date";
    }
    if (to_the_end) {
      return "from " + r.differs_on->from->ToString();
    }
    return fmt::format("from {} until {}", r.differs_on->from->ToString(), r.differs_on->until->ToString());
  }
  return r.witness_as_of ? "on " + r.witness_as_of->ToString() : "";
}

auto SideText(const char* label, const SideResult& side) -> std::string {
  return side.rules.empty() ? fmt::format("  {}: {}\n", label, side.outcome)
                            : fmt::format("  {}: {}   by {}\n", label, side.outcome, Join(side.rules, ", "));
}

auto DiffText(const DecisionDiff& r, std::optional<Date> as_of) -> std::string {
  if (r.constant && r.status == DecisionDiff::Status::kSame) {
    return fmt::format("{}: the same value\n", r.decision);
  }
  if (r.constant && r.status == DecisionDiff::Status::kDifferent) {
    return fmt::format("{}: {}\n", r.decision, DescribeConstantChange(r));
  }
  const bool parameter = !r.value_changes.empty() || r.method == "dates";
  switch (r.status) {
    case DecisionDiff::Status::kSame:
      if (parameter) {
        return fmt::format("{}: the same value {}\n", r.decision, as_of ? Dates(as_of) : "on every date");
      }
      if (r.method == "identical") {
        return fmt::format("{}: no case decides differently {} (the same definition)\n", r.decision,
                           Dates(as_of));
      }
      if (r.proven) {
        return fmt::format("{}: no case decides differently {} (proven)\n", r.decision, Dates(as_of));
      }
      return fmt::format("{}: no case found that decides differently {} ({} cases tried; not proven{})\n",
                         r.decision, Dates(as_of), r.cases_tried,
                         r.approximations.empty()
                             ? std::string()
                             : ": the encoding approximates " + Join(r.approximations, "; "));
    case DecisionDiff::Status::kOnlyInOld:
      return fmt::format("{}: removed\n", r.decision);
    case DecisionDiff::Status::kOnlyInNew:
      return fmt::format("{}: added\n", r.decision);
    case DecisionDiff::Status::kNotComparable:
      return fmt::format("{}: not compared: {}\n", r.decision, r.reason);
    case DecisionDiff::Status::kDifferent:
      break;
  }
  if (parameter) {
    std::string out;
    for (const ValueChange& c : r.value_changes) {
      out += fmt::format("{}: {}\n", r.decision, DescribeValueChange(c));
    }
    for (const std::string& cause : r.causes) {
      out += fmt::format("  because it reads {}\n", cause);
    }
    return out;
  }
  std::string out =
      r.method == "smt"
          ? fmt::format("{}: DECIDES DIFFERENTLY {} (a Z3 model, confirmed by both interpreters)\n",
                        r.decision, WhenDifferent(r, as_of))
          : fmt::format("{}: DECIDES DIFFERENTLY {} (found after {} cases)\n", r.decision,
                        WhenDifferent(r, as_of), r.cases_tried);
  out += SideText("old", r.old_side);
  out += SideText("new", r.new_side);
  for (const std::string& cause : r.causes) {
    out += fmt::format("  because it reads {}\n", cause);
  }
  const std::string date = r.witness_as_of ? r.witness_as_of->ToString() : "";
  if (!r.witness_base.empty()) {
    out += r.witness_changes.empty() ? fmt::format("  for {} as it is, as of {}\n", r.witness_base, date)
                                     : fmt::format("  for {} with {}, as of {}\n", r.witness_base,
                                                   Join(r.witness_changes, ", "), date);
    return out;
  }
  out += fmt::format("  for this case (as of {}):\n", date);
  std::istringstream lines(r.witness);
  for (std::string line; std::getline(lines, line);) {
    out += "    " + line + "\n";
  }
  return out;
}

}  // namespace

auto AnalysisDiagnostics(const Engine& engine, const std::vector<DecisionAnalysis>& results)
    -> DiagnosticSink {
  return ToDiagnostics(engine, results);
}

auto DiffResultJson(const DecisionDiff& result) -> nlohmann::ordered_json {
  return DiffJson(result);
}

auto DiffResultText(const DecisionDiff& result, std::optional<Date> as_of) -> std::string {
  return DiffText(result, as_of);
}

auto DescribeWhenDifferent(const DecisionDiff& result, std::optional<Date> as_of) -> std::string {
  return WhenDifferent(result, as_of);
}

auto TallyAnalysis(const std::vector<DecisionAnalysis>& results) -> AnalysisTally {
  AnalysisTally t;
  for (const DecisionAnalysis& a : results) {
    t.analysed += a.analysed ? 1 : 0;
    t.unproven += a.unasked;
    for (const Finding& f : a.findings) {
      t.found += f.status == Finding::Status::kFound ? 1 : 0;
      t.unproven += f.status == Finding::Status::kNotProven ? 1 : 0;
      t.proven += f.status == Finding::Status::kNone ? 1 : 0;
    }
  }
  return t;
}

void RenderAnalysis(Io& io, const Engine& engine, const std::vector<DecisionAnalysis>& results,
                    std::optional<Date> as_of, DiagFormat format) {
  if (format == DiagFormat::kJson) {
    io.out << exact_json::Dump(ResultsJson(engine, results, !as_of), 2) << "\n";
    return;
  }
  const AnalysisTally t = TallyAnalysis(results);
  RenderFindings(
      io, ToDiagnostics(engine, results), engine.sources(), format,
      fmt::format("analysed {} decision{} ({}): {} problem{} found, {} check{} passed, {} not proven",
                  t.analysed, t.analysed == 1 ? "" : "s",
                  as_of ? "as of " + as_of->ToString() : "on every date", t.found, t.found == 1 ? "" : "s",
                  t.proven, t.proven == 1 ? "" : "s", t.unproven));
}

void RenderDiff(Io& io, const std::vector<DecisionDiff>& results, std::optional<Date> as_of,
                DiagFormat format) {
  if (format == DiagFormat::kJson) {
    ojson out = ojson::array();
    for (const DecisionDiff& r : results) {
      out.push_back(DiffJson(r));
    }
    io.out << exact_json::Dump(out, 2) << "\n";
    return;
  }
  size_t decisions = 0;
  size_t different = 0;
  size_t constants_changed = 0;
  size_t removed = 0;
  for (const DecisionDiff& r : results) {
    const bool differs = r.status == DecisionDiff::Status::kDifferent;
    if (r.constant) {
      constants_changed += differs ? 1 : 0;
    } else {
      ++decisions;
      different += differs ? 1 : 0;
      removed += r.status == DecisionDiff::Status::kOnlyInOld ? 1 : 0;
    }
    io.out << DiffText(r, as_of);
  }
  io.err << fmt::format("{} of {} decisions decide differently for some case {}{}{}\n", different, decisions,
                        Dates(as_of), removed == 0 ? std::string() : fmt::format("; {} removed", removed),
                        constants_changed == 0 ? std::string()
                                               : fmt::format("; {} constant{} changed", constants_changed,
                                                             constants_changed == 1 ? "" : "s"));
}

}  // namespace policy::cli
