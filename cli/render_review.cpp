#include "cli/render_review.h"

#include <fmt/format.h>

#include <sstream>

#include "cli/options.h"
#include "cli/render_findings.h"
#include "runtime/engine/exact_json.h"

namespace policy::cli {
namespace {

using ojson = nlohmann::ordered_json;

auto Plural(size_t n, const char* one, const char* many) -> std::string {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

auto Short(const std::string& commit) -> std::string {
  return commit.substr(0, 7);
}

auto SideName(const ReviewSide& side) -> std::string {
  return side.commit.empty() ? side.label : fmt::format("{} ({})", side.label, Short(side.commit));
}

auto Compiles(const ReviewSide& side) -> bool {
  return side.loaded.engine != nullptr;
}

struct Tally {
  size_t different = 0;  // decide differently, or removed
  size_t added = 0;
  size_t unproven = 0;  // no difference found, not proven
  size_t new_errors = 0;
  size_t new_warnings = 0;
  size_t existing = 0;
  size_t new_test_failures = 0;
};

auto Count(const ReviewReport& r) -> Tally {
  Tally t;
  for (const ReviewChange& c : r.changes) {
    switch (c.diff.status) {
      case DecisionDiff::Status::kDifferent:
      case DecisionDiff::Status::kOnlyInOld:
        ++t.different;
        break;
      case DecisionDiff::Status::kOnlyInNew:
        ++t.added;
        break;
      case DecisionDiff::Status::kSame:
      case DecisionDiff::Status::kNotComparable:
        ++t.unproven;
        break;
    }
  }
  for (const ReviewFinding& f : r.findings) {
    if (!f.is_new) {
      ++t.existing;
    } else if (f.tool == "test") {
      ++t.new_test_failures;
    } else if (f.diagnostic.severity == Severity::kError) {
      ++t.new_errors;
    } else if (f.diagnostic.severity == Severity::kWarning) {
      ++t.new_warnings;
    }
  }
  return t;
}

auto Location(const std::string& file, uint32_t line) -> std::string {
  return line == 0 ? file : fmt::format("{}:{}", file, line);
}

auto FindingFile(const ReviewReport& r, const ReviewFinding& f) -> std::string {
  const Diagnostic& d = f.diagnostic;
  if (!d.primary.valid()) {
    return d.file;
  }
  const SourceBuffer& file = r.head.loaded.sources->Get(d.primary.file);
  return Location(file.path(), file.LineColAt(d.primary.begin).line);
}

// "rule `relaxation_2014` [ImmD FAQ Q20]", "the default [ImmD FAQ Q20]".
auto RuleText(const DecidingRule& r) -> std::string {
  const std::string cite = r.source.empty() ? "" : fmt::format(" [{}]", r.source);
  if (r.kind == "value") {  // a parameter's value, named by its dates
    return fmt::format("the value{}{}", r.name.empty() ? "" : " effective " + r.name, cite);
  }
  return r.kind == "default" ? "the default" + cite : fmt::format("{} `{}`{}", r.kind, r.name, cite);
}

auto QuoteLines(const std::string& quote, const std::string& prefix) -> std::string {
  std::string out;
  std::istringstream lines(quote);
  for (std::string line; std::getline(lines, line);) {
    out += prefix + line + "\n";
  }
  return out;
}

auto ChangeHeadline(const DecisionDiff& d, std::optional<Date> as_of) -> std::string {
  switch (d.status) {
    case DecisionDiff::Status::kOnlyInOld:
      return "removed";
    case DecisionDiff::Status::kOnlyInNew:
      return "added";
    case DecisionDiff::Status::kNotComparable:
      return "not compared: " + d.reason;
    case DecisionDiff::Status::kSame:
      return fmt::format("no case found that decides differently ({} cases tried; not proven)",
                         d.cases_tried);
    case DecisionDiff::Status::kDifferent:
      break;
  }
  if (d.constant) {
    return DescribeConstantChange(d);
  }
  if (!d.value_changes.empty()) {
    return DescribeValueChange(d.value_changes.front()) +
           (d.value_changes.size() > 1 ? fmt::format(" (and {} more)", d.value_changes.size() - 1) : "");
  }
  return "decides differently " + DescribeWhenDifferent(d, as_of);
}

// --- human -------------------------------------------------------------------------------------

void Human(std::ostream& out, const ReviewReport& r) {
  out << fmt::format("policy review: {} -> {}\n", SideName(r.base), SideName(r.head));
  out << ReviewVerdict(r) << "\n";
  if (!r.changes.empty()) {
    out << "\n";
  }
  for (size_t i = 0; i < r.changes.size(); ++i) {
    const ReviewChange& c = r.changes[i];
    out << (i == 0 ? "" : "\n") << DiffResultText(c.diff, r.as_of);
    for (const auto* side : {&c.old_rules, &c.new_rules}) {
      for (const DecidingRule& rule : *side) {
        out << fmt::format("  {} {} ({}){}\n", side == &c.old_rules ? "before:" : "after: ", RuleText(rule),
                           Location(rule.file, rule.line), rule.quote.empty() ? "" : ":");
        out << QuoteLines(rule.quote, "      > ");
      }
    }
  }
  if (r.population) {
    out << fmt::format("\non the population `{}`: ", r.population_file) << PopulationDiffText(*r.population);
  } else if (!r.population_file.empty()) {
    out << fmt::format("\non the population `{}`: {}\n", r.population_file, r.population_note);
  }
  std::vector<Diagnostic> fresh;
  for (const ReviewFinding& f : r.findings) {
    if (f.is_new) {
      fresh.push_back(f.diagnostic);
    }
  }
  if (!fresh.empty()) {
    out << "\nnew findings:\n" << RenderDiagnostics(fresh, *r.head.loaded.sources, DiagFormat::kHuman, false);
  }
  if (!r.untested.empty()) {
    out << "\nchanged rules no test makes apply:\n";
    for (const UntestedRule& u : r.untested) {
      out << fmt::format("  {} `{}` of `{}` ({})\n", u.kind, u.name, u.decision, Location(u.file, u.line));
    }
  }
  const Tally t = Count(r);
  if (t.existing > 0) {
    out << fmt::format("\n{} on the base as well (not this change's doing)\n",
                       Plural(t.existing, "finding is", "findings are"));
  }
}

// --- markdown ----------------------------------------------------------------------------------

// Text in a table cell: one line, no column breaks.
auto Cell(std::string text) -> std::string {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Inline code that survives backticks in the text.
auto Code(const std::string& text) -> std::string {
  const std::string fence = text.find('`') == std::string::npos ? "`" : "``";
  return fence + (fence.size() > 1 ? " " : "") + Cell(text) + (fence.size() > 1 ? " " : "") + fence;
}

auto Outcome(const DecisionDiff& d, bool old_side) -> std::string {
  const SideResult& side = old_side ? d.old_side : d.new_side;
  if (d.status == DecisionDiff::Status::kOnlyInNew && old_side) {
    return "(absent)";
  }
  if (d.status == DecisionDiff::Status::kOnlyInOld && !old_side) {
    return "(removed)";
  }
  if (!d.value_changes.empty()) {
    return Code(old_side ? d.value_changes.front().old_value : d.value_changes.front().new_value);
  }
  return side.outcome.empty() ? "" : Code(side.outcome);
}

auto RulesCell(const std::vector<DecidingRule>& rules) -> std::string {
  std::string out;
  for (const DecidingRule& r : rules) {
    out += (out.empty() ? "" : ", ") + Cell(RuleText(r));
  }
  return out;
}

// A case record with one line per top-level field: short enough to read in a comment, and JSON
// that `policy eval` reads as it is.
auto WitnessText(const std::string& witness) -> std::string {
  const ojson j = exact_json::Parse<ojson>(witness);
  if (!j.is_object()) {
    return exact_json::Dump(j, -1) + "\n";
  }
  std::string out = "{\n";
  size_t i = 0;
  for (const auto& [key, value] : j.items()) {
    out += fmt::format("  {}: {}{}\n", exact_json::Dump(ojson(key), -1), exact_json::Dump(value, -1),
                       ++i < j.size() ? "," : "");
  }
  return out + "}\n";
}

auto PathsText(const ReviewReport& r) -> std::string {
  std::string out;
  for (const std::string& p : r.paths) {
    out += (out.empty() ? "" : " ") + p;
  }
  return out;
}

void MarkdownChange(std::ostream& out, const ReviewChange& c, const ReviewReport& r,
                    const ReviewLimits& limits) {
  const DecisionDiff& d = c.diff;
  out << fmt::format("\n#### `{}`\n\n{}", d.decision, Cell(ChangeHeadline(d, r.as_of)));
  out << (d.method == "smt" ? " (a Z3 model, confirmed by both interpreters)\n" : "\n");
  for (const auto* side : {&c.old_rules, &c.new_rules}) {
    for (const DecidingRule& rule : *side) {
      out << fmt::format("\n- {} {} by {} ({})\n", side == &c.old_rules ? "**Before**:" : "**After**:",
                         Outcome(d, side == &c.old_rules), Cell(RuleText(rule)),
                         Code(Location(rule.file, rule.line)));
      out << QuoteLines(rule.quote, "  > ");
    }
  }
  for (const std::string& cause : d.causes) {
    out << fmt::format("- because it reads {}\n", Cell(cause));
  }
  if (d.witness.empty()) {
    return;
  }
  const std::string date = d.witness_as_of ? d.witness_as_of->ToString() : "";
  std::string summary = fmt::format("Witness case, as of {}", date);
  if (!d.witness_base.empty()) {
    summary +=
        d.witness_changes.empty()
            ? fmt::format(": {} as it is", d.witness_base)
            : fmt::format(": {} with {}", d.witness_base, d.witness_changes.front()) +
                  (d.witness_changes.size() > 1 ? fmt::format(" (+{})", d.witness_changes.size() - 1) : "");
  }
  out << fmt::format("\n<details><summary>{}</summary>\n\n", Cell(summary));
  const std::string text = WitnessText(d.witness);
  if (text.size() > limits.witness_bytes) {
    out << fmt::format("The case is {} bytes long: `policy review --format json` has it.\n", text.size());
  } else {
    out << "```json\n" << text << "```\n";
  }
  out << fmt::format(
      "\nReproduce: save it as `case.json`, then `policy eval -d {} --as-of {} -i case.json {}`\n",
      d.decision, date, PathsText(r));
  out << "\n</details>\n";
}

// How many cases of the population each changed decision moves, from what to what.
void MarkdownPopulation(std::ostream& out, const ReviewReport& r, const ReviewLimits& limits) {
  const PopulationDiff& p = *r.population;
  out << fmt::format("\n#### On the population {} ({} as of {})\n\n", Code(r.population_file),
                     Plural(p.cases, "case", "cases"), p.as_of.ToString());
  out << "| Decision | Cases decided differently | From | To | Cases |\n|---|---|---|---|---|\n";
  constexpr size_t kChangesShown = 5;  // per decision; the JSON report has them all
  size_t shown = 0;
  for (const PopulationDecision& d : p.decisions) {
    if (shown++ == limits.changes) {
      out << fmt::format("\n…and {} more decisions.\n", p.decisions.size() - limits.changes);
      break;
    }
    const std::string changed = fmt::format("{} of {}", d.changed, d.compared);
    if (d.changes.empty()) {
      out << fmt::format("| `{}` | {} | | | |\n", d.name, changed);
    }
    for (size_t i = 0; i < d.changes.size() && i < kChangesShown; ++i) {
      const PopulationChange& c = d.changes[i];
      out << fmt::format("| {} | {} | {} | {} | {} |\n", i == 0 ? Code(d.name) : "", i == 0 ? changed : "",
                         Code(c.before), Code(c.after), c.cases);
    }
    if (d.changes.size() > kChangesShown) {
      out << fmt::format("| | | …and {} more changes | | |\n", d.changes.size() - kChangesShown);
    }
  }
  const uint64_t unreadable = p.unreadable_both + [&] {
    uint64_t n = 0;
    for (const auto* m : {&p.unreadable_old, &p.unreadable_new}) {
      for (const auto& [code, count] : *m) {
        n += count;
      }
    }
    return n;
  }();
  if (unreadable > 0) {
    out << fmt::format(
        "\n{} could not be read by one side or both (`policy review --format json` says which).\n",
        Plural(unreadable, "case", "cases"));
  }
}

void Markdown(std::ostream& out, const ReviewReport& r, const ReviewLimits& limits) {
  const Tally t = Count(r);
  const bool failing = !Compiles(r.head) || t.new_errors + t.new_test_failures > 0;
  out << fmt::format("### {} Policy review: {}\n\n",
                     failing           ? "❌"
                     : t.different > 0 ? "⚠️"
                                       : "✅",
                     ReviewVerdict(r));
  out << fmt::format(
      "Base {} → head {}; {}.\n", Code(SideName(r.base)), Code(SideName(r.head)),
      r.as_of ? "decisions compared as of " + r.as_of->ToString() : "decisions compared on every date");
  if (!r.changes.empty()) {
    out << "\n| Decision | Before | After | When | Decided after the change by |\n|---|---|---|---|---|\n";
    for (const ReviewChange& c : r.changes) {
      const DecisionDiff& d = c.diff;
      const std::string when =
          d.status == DecisionDiff::Status::kDifferent && !d.constant && d.value_changes.empty()
              ? DescribeWhenDifferent(d, r.as_of)
              : Cell(ChangeHeadline(d, r.as_of));
      out << fmt::format("| `{}` | {} | {} | {} | {} |\n", d.decision, Outcome(d, true), Outcome(d, false),
                         Cell(when), RulesCell(c.new_rules));
    }
    size_t shown = 0;
    for (const ReviewChange& c : r.changes) {
      if (c.diff.status != DecisionDiff::Status::kDifferent) {
        continue;
      }
      if (shown++ == limits.changes) {
        out << fmt::format("\n…and {} more decisions: `policy review --format json` lists them all.\n",
                           t.different - limits.changes);
        break;
      }
      MarkdownChange(out, c, r, limits);
    }
  }
  if (r.population) {
    MarkdownPopulation(out, r, limits);
  } else if (!r.population_file.empty()) {
    out << fmt::format("\n#### On the population {}\n\n{}.\n", Code(r.population_file),
                       Cell(r.population_note));
  }
  if (!r.findings.empty()) {
    out << "\n#### Findings\n\n| | Tool | Code | Where | Message |\n|---|---|---|---|---|\n";
    size_t shown = 0;
    // New first: they are what the reviewer has to act on.
    for (const bool fresh : {true, false}) {
      for (const ReviewFinding& f : r.findings) {
        if (f.is_new != fresh) {
          continue;
        }
        if (shown++ == limits.findings) {
          break;
        }
        out << fmt::format("| {} | {} | {} | {} | {} |\n", fresh ? "**new**" : "existing", f.tool,
                           GetKindInfo(f.diagnostic.code).code, Code(FindingFile(r, f)),
                           Cell(f.diagnostic.message));
      }
    }
    if (r.findings.size() > limits.findings) {
      out << fmt::format("\n…and {} more findings.\n", r.findings.size() - limits.findings);
    }
  }
  if (!r.untested.empty()) {
    out << "\n#### Changed rules no test makes apply\n\n";
    size_t shown = 0;
    for (const UntestedRule& u : r.untested) {
      if (shown++ == limits.findings) {
        out << fmt::format("- …and {} more\n", r.untested.size() - limits.findings);
        break;
      }
      out << fmt::format("- {} `{}` of `{}` ({})\n", u.kind, u.name, u.decision,
                         Code(Location(u.file, u.line)));
    }
  }
  out << fmt::format(
      "\n<sub>{} run on the head, {} failed; {} unchanged (the same definitions){}{}.</sub>\n",
      Plural(r.tests_run, "test", "tests"), r.tests_failed, Plural(r.untouched, "decision", "decisions"),
      r.same.empty() ? "" : fmt::format("; {} touched and proven to decide the same", r.same.size()),
      r.resolved == 0 ? "" : fmt::format("; {} fixed", Plural(r.resolved, "finding", "findings")));
}

// --- json and sarif ------------------------------------------------------------------------------

auto RulesJson(const std::vector<DecidingRule>& rules) -> ojson {
  ojson out = ojson::array();
  for (const DecidingRule& r : rules) {
    out.push_back({{"kind", r.kind},
                   {"name", r.name},
                   {"source", r.source},
                   {"quote", r.quote},
                   {"file", r.file},
                   {"line", r.line}});
  }
  return out;
}

auto SideJson(const ReviewSide& side) -> ojson {
  return {{"label", side.label},
          {"commit", side.commit.empty() ? ojson() : ojson(side.commit)},
          {"compiles", Compiles(side)}};
}

void Json(std::ostream& out, const ReviewReport& r) {
  const Tally t = Count(r);
  ojson j;
  j["verdict"] = ReviewVerdict(r);
  j["base"] = SideJson(r.base);
  j["head"] = SideJson(r.head);
  j["as_of"] = r.as_of ? ojson(r.as_of->ToString()) : ojson();
  j["summary"] = {{"decisions_different", t.different}, {"decisions_added", t.added},
                  {"decisions_not_proven", t.unproven}, {"decisions_proven_same", r.same.size()},
                  {"decisions_unchanged", r.untouched}, {"new_errors", t.new_errors},
                  {"new_warnings", t.new_warnings},     {"new_test_failures", t.new_test_failures},
                  {"existing_findings", t.existing},    {"fixed_findings", r.resolved},
                  {"tests_run", r.tests_run},           {"tests_failed", r.tests_failed}};
  ojson changes = ojson::array();
  for (const ReviewChange& c : r.changes) {
    ojson d = DiffResultJson(c.diff);
    d["rules_before"] = RulesJson(c.old_rules);
    d["rules_after"] = RulesJson(c.new_rules);
    changes.push_back(std::move(d));
  }
  j["changes"] = changes;
  j["proven_same"] = r.same;
  ojson findings = ojson::array();
  for (const ReviewFinding& f : r.findings) {
    findings.push_back(
        {{"tool", f.tool},
         {"new", f.is_new},
         {"where", f.where},
         {"diagnostic", ojson::parse(DiagnosticToJson(f.diagnostic, *r.head.loaded.sources))}});
  }
  j["findings"] = findings;
  ojson untested = ojson::array();
  for (const UntestedRule& u : r.untested) {
    untested.push_back({{"decision", u.decision},
                        {"kind", u.kind},
                        {"name", u.name},
                        {"file", u.file},
                        {"line", u.line},
                        {"reached", u.reached}});
  }
  j["untested_changed_rules"] = untested;
  j["analysed"] = r.analysed;
  if (r.population) {
    j["population"] = PopulationDiffJson(*r.population);
    j["population"]["file"] = r.population_file;
  } else if (!r.population_file.empty()) {
    j["population"] = {{"file", r.population_file}, {"note", r.population_note}};
  }
  out << exact_json::Dump(j, 2) << "\n";
}

// One SARIF result per changed decision, under a rule of its own, added to `run`.
void AppendChangeResults(ojson& run, const std::vector<ReviewChange>& changes, std::optional<Date> as_of) {
  if (!changes.empty()) {
    ojson& rules = run["tool"]["driver"]["rules"];
    const size_t index = rules.size();
    rules.push_back(
        {{"id", "decision-changed"},
         {"name", "DecisionChanged"},
         {"shortDescription", {{"text", "A decision decides some case differently after the change"}}},
         {"helpUri", "docs/ci.md#what-policy-review-reports"},
         {"defaultConfiguration", {{"level", "note"}}}});
    for (const ReviewChange& c : changes) {
      const DecisionDiff& d = c.diff;
      std::string text = fmt::format("`{}`: {}", d.decision, ChangeHeadline(d, as_of));
      for (const auto* side : {&c.old_rules, &c.new_rules}) {
        for (const DecidingRule& rule : *side) {
          text += fmt::format("\n{} {} by {}", side == &c.old_rules ? "before:" : "after:",
                              side == &c.old_rules ? d.old_side.outcome : d.new_side.outcome, RuleText(rule));
        }
      }
      if (!d.witness.empty() && d.witness_as_of) {
        text += fmt::format("\nwitness, as of {}: {}", d.witness_as_of->ToString(),
                            exact_json::Dump(exact_json::Parse<ojson>(d.witness), -1));
      }
      ojson result = {{"ruleId", "decision-changed"},
                      {"ruleIndex", index},
                      {"level", d.status == DecisionDiff::Status::kDifferent ||
                                        d.status == DecisionDiff::Status::kOnlyInOld
                                    ? "warning"
                                    : "note"},
                      {"message", {{"text", text}}},
                      {"baselineState", "new"}};
      ojson locations = ojson::array();
      if (!c.file.empty()) {
        locations.push_back({{"physicalLocation",
                              {{"artifactLocation", {{"uri", c.file}}},
                               {"region", {{"startLine", std::max<uint32_t>(c.line, 1)}}}}}});
      }
      result["locations"] = locations;
      result["partialFingerprints"] = {{"decision", d.decision}};
      run["results"].push_back(std::move(result));
    }
  }
}

void Sarif(std::ostream& out, const ReviewReport& r) {
  std::vector<Diagnostic> diagnostics;
  for (const ReviewFinding& f : r.findings) {
    diagnostics.push_back(f.diagnostic);
  }
  // The findings as `policy lint --format sarif` writes them, each with its baseline state.
  ojson log = ojson::parse(RenderDiagnostics(diagnostics, *r.head.loaded.sources, DiagFormat::kSarif, false));
  ojson& run = log["runs"][0];
  for (size_t i = 0; i < r.findings.size(); ++i) {
    run["results"][i]["baselineState"] = r.findings[i].is_new ? "new" : "unchanged";
  }
  AppendChangeResults(run, r.changes, r.as_of);
  out << log.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
}

}  // namespace

auto ReviewVerdict(const ReviewReport& r) -> std::string {
  if (!Compiles(r.head)) {
    return fmt::format("the head does not compile ({})",
                       Plural(r.head.loaded.diagnostics.error_count(), "error", "errors"));
  }
  const Tally t = Count(r);
  std::vector<std::string> parts;
  if (!Compiles(r.base)) {
    parts.push_back("the base does not compile, so nothing is compared; the head was checked on its own");
  } else if (t.different == 0 && t.unproven == 0) {
    parts.push_back(t.added == 0 ? "no decision decides differently"
                                 : "no existing decision decides differently");
  } else if (t.different > 0) {
    parts.push_back(Plural(t.different, "decision decides differently", "decisions decide differently"));
  }
  if (t.added > 0) {
    parts.push_back(Plural(t.added, "decision added", "decisions added"));
  }
  if (t.unproven > 0) {
    parts.push_back(Plural(t.unproven, "decision could not be proven unchanged",
                           "decisions could not be proven unchanged"));
  }
  if (t.new_test_failures > 0) {
    parts.push_back(Plural(t.new_test_failures, "test newly fails", "tests newly fail"));
  }
  if (t.new_errors > 0) {
    parts.push_back(Plural(t.new_errors, "new error", "new errors"));
  }
  if (t.new_warnings > 0) {
    parts.push_back(Plural(t.new_warnings, "new warning", "new warnings"));
  }
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

void RenderChangesSarif(std::ostream& out, const std::vector<ReviewChange>& changes,
                        std::optional<Date> as_of) {
  ojson log = ojson::parse(RenderDiagnostics({}, SourceManager(), DiagFormat::kSarif, false));
  AppendChangeResults(log["runs"][0], changes, as_of);
  out << log.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
}

void RenderReview(std::ostream& out, const ReviewReport& report, ReviewFormat format,
                  const ReviewLimits& limits) {
  switch (format) {
    case ReviewFormat::kHuman:
      Human(out, report);
      break;
    case ReviewFormat::kMarkdown:
      Markdown(out, report, limits);
      break;
    case ReviewFormat::kJson:
      Json(out, report);
      break;
    case ReviewFormat::kSarif:
      Sarif(out, report);
      break;
  }
}

}  // namespace policy::cli
