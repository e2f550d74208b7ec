#include "cli/coverage_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace policy::cli {
namespace {

struct RuleRef {
  uint32_t decision = 0;
  uint32_t rule = 0;
  uint32_t line = 0;
};

auto Counted(const Engine& engine, const ir::Decision& d) -> bool {
  return !d.is_parameter && d.span.valid() &&
         engine.sources().Get(d.span.file).path().rfind("<stdlib>", 0) != 0;
}

auto LineOf(const Engine& engine, const Span& span) -> uint32_t {
  return span.valid() ? engine.sources().Get(span.file).LineColAt(span.begin).line : 0;
}

// The counted rules by file (path order), each file's in line order.
auto RulesByFile(const Engine& engine) -> std::map<std::string, std::vector<RuleRef>> {
  std::map<std::string, std::vector<RuleRef>> out;
  const auto& decisions = engine.program().ir().decisions;
  for (uint32_t d = 0; d < decisions.size(); ++d) {
    if (!Counted(engine, decisions[d])) {
      continue;
    }
    for (uint32_t r = 0; r < decisions[d].rules.size(); ++r) {
      const Span& span = decisions[d].rules[r].span;
      if (span.valid()) {
        out[engine.sources().Get(span.file).path()].push_back({d, r, LineOf(engine, span)});
      }
    }
  }
  for (auto& [file, rules] : out) {
    std::stable_sort(rules.begin(), rules.end(),
                     [](const RuleRef& a, const RuleRef& b) { return a.line < b.line; });
  }
  return out;
}

}  // namespace

auto SummarizeCoverage(const Engine& engine, const TestCoverage& coverage) -> CoverageSummary {
  CoverageSummary s;
  for (const auto& [file, rules] : RulesByFile(engine)) {
    for (const RuleRef& ref : rules) {
      const RuleCoverage& r = coverage.rules()[ref.decision][ref.rule];
      ++s.rules;
      s.rules_applied += r.applied > 0 ? 1 : 0;
      for (const ConditionCoverage& c : r.conditions) {
        ++s.conditions;
        s.conditions_both += c.seen_true > 0 && c.seen_false > 0 ? 1 : 0;
      }
    }
  }
  return s;
}

auto CoverageSummaryLine(const CoverageSummary& s) -> std::string {
  return fmt::format(
      "coverage: {} of {} rules applied by a test, {} of {} conditions seen both true and false",
      s.rules_applied, s.rules, s.conditions_both, s.conditions);
}

auto CoverageLcov(const Engine& engine, const TestCoverage& coverage) -> std::string {
  const ir::Program& ir = engine.program().ir();
  std::string out;
  for (const auto& [file, rules] : RulesByFile(engine)) {
    out += "TN:policy test\n";
    out += fmt::format("SF:{}\n", file);
    std::string functions;
    std::string branches;
    std::map<uint32_t, uint32_t> lines;  // line -> times evaluated (the most of what is on it)
    size_t hit_functions = 0;
    size_t branch_count = 0;
    size_t branches_hit = 0;
    uint32_t block = 0;
    for (const RuleRef& ref : rules) {
      const ir::Decision& d = ir.decisions[ref.decision];
      const ir::Rule& rule = d.rules[ref.rule];
      const RuleCoverage& r = coverage.rules()[ref.decision][ref.rule];
      const std::string name = fmt::format("{}.{}", d.name, rule.name);
      functions += fmt::format("FN:{},{}\n", ref.line, name);
      lines[ref.line] = std::max(lines[ref.line], r.reached);
      hit_functions += r.applied > 0 ? 1 : 0;
      for (size_t k = 0; k < rule.when.size(); ++k) {
        const ConditionCoverage& c = r.conditions[k];
        const uint32_t line = LineOf(engine, rule.when[k].span);
        const bool evaluated = c.seen_true + c.seen_false > 0;
        // `-`: the condition was never evaluated, so neither branch was taken (lcov's notation).
        branches += fmt::format("BRDA:{},{},{},{}\n", line, block, 2 * k,
                                evaluated ? std::to_string(c.seen_true) : std::string("-"));
        branches += fmt::format("BRDA:{},{},{},{}\n", line, block, 2 * k + 1,
                                evaluated ? std::to_string(c.seen_false) : std::string("-"));
        branch_count += 2;
        branches_hit += (c.seen_true > 0 ? 1 : 0) + (c.seen_false > 0 ? 1 : 0);
        lines[line] = std::max(lines[line], c.seen_true + c.seen_false);
      }
      ++block;
    }
    out += functions;
    for (const RuleRef& ref : rules) {
      const ir::Decision& d = ir.decisions[ref.decision];
      out += fmt::format("FNDA:{},{}.{}\n", coverage.rules()[ref.decision][ref.rule].applied, d.name,
                         d.rules[ref.rule].name);
    }
    out += fmt::format("FNF:{}\nFNH:{}\n", rules.size(), hit_functions);
    out += branches;
    out += fmt::format("BRF:{}\nBRH:{}\n", branch_count, branches_hit);
    size_t lines_hit = 0;
    for (const auto& [line, count] : lines) {
      out += fmt::format("DA:{},{}\n", line, count);
      lines_hit += count > 0 ? 1 : 0;
    }
    out += fmt::format("LF:{}\nLH:{}\nend_of_record\n", lines.size(), lines_hit);
  }
  return out;
}

auto CoverageJson(const Engine& engine, const TestCoverage& coverage) -> std::string {
  using ojson = nlohmann::ordered_json;
  const ir::Program& ir = engine.program().ir();
  const CoverageSummary s = SummarizeCoverage(engine, coverage);
  ojson j;
  j["summary"] = {{"rules", s.rules},
                  {"rules_applied", s.rules_applied},
                  {"conditions", s.conditions},
                  {"conditions_seen_both_ways", s.conditions_both}};
  ojson rules = ojson::array();
  for (const auto& [file, refs] : RulesByFile(engine)) {
    for (const RuleRef& ref : refs) {
      const ir::Decision& d = ir.decisions[ref.decision];
      const ir::Rule& rule = d.rules[ref.rule];
      const RuleCoverage& r = coverage.rules()[ref.decision][ref.rule];
      ojson conditions = ojson::array();
      for (size_t k = 0; k < rule.when.size(); ++k) {
        conditions.push_back({{"text", rule.when[k].text},
                              {"line", LineOf(engine, rule.when[k].span)},
                              {"true", r.conditions[k].seen_true},
                              {"false", r.conditions[k].seen_false}});
      }
      rules.push_back({{"decision", d.name},
                       {"rule", rule.name},
                       {"kind", rule.is_exception ? "exception" : "rule"},
                       {"file", file},
                       {"line", ref.line},
                       {"reached", r.reached},
                       {"applied", r.applied},
                       {"conditions", conditions}});
    }
  }
  j["rules"] = rules;
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace policy::cli
