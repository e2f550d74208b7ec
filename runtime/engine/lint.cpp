#include "runtime/engine/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "runtime/engine/lint_checks.h"

namespace policy {
namespace {

using lint::ForEachNode;

class Linter {
 public:
  Linter(const Engine& engine, Date default_as_of)
      : e_(engine),
        p_(engine.program().ir()),
        default_as_of_(default_as_of),
        scope_{engine, p_, default_as_of} {}

  auto Run() -> std::vector<Diagnostic> {
    UnusedDeclarations();
    ShadowedRules();
    MissingSources();
    TestCoverage();
    lint::DecisionGaps(scope_, out_);
    lint::ParameterReadsWithoutValue(scope_, out_);
    lint::UndatedTestsOfChangingLaw(scope_, evaluated_, out_);
    lint::NumbersEqualToParameters(scope_, out_);
    return out_.Sorted();
  }

 private:
  auto IsUser(Span s) const -> bool { return scope_.IsUser(s); }

  // W0101. A declaration counts as used when any body, rule, default or test refers to it.
  void UnusedDeclarations() {
    std::vector<bool> function_used(p_.functions.size());
    std::vector<bool> global_used(p_.globals.size());
    auto mark = [&](const ir::Node& n) {
      if (n.op == ir::Op::kCallFunction) {
        function_used[n.a] = true;
      } else if (n.op == ir::Op::kGlobal) {
        global_used[n.a] = true;
      }
    };
    for (const ir::Global& g : p_.globals) {
      ForEachNode(g.init.get(), mark);
    }
    for (const ir::Function& f : p_.functions) {
      ForEachNode(f.body.get(), mark);
    }
    for (const ir::Decision& d : p_.decisions) {
      ForEachNode(d.default_value.get(), mark);
      for (const ir::Rule& r : d.rules) {
        for (const ir::Conjunct& c : r.when) {
          ForEachNode(c.cond.get(), mark);
        }
        ForEachNode(r.then.get(), mark);
      }
    }
    for (const ir::Test& t : p_.tests) {
      for (const ir::TestStep& s : t.steps) {
        ForEachNode(s.expr.get(), mark);
      }
    }
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      if (!function_used[i] && IsUser(p_.functions[i].span)) {
        out_.Report(DiagCode::kUnusedDeclaration, p_.functions[i].span,
                    fmt::format("function `{}` is never used", p_.functions[i].name), "declared here")
            .WithHelp("remove it, or call it from a rule or a test");
      }
    }
    for (size_t i = 0; i < p_.globals.size(); ++i) {
      if (!global_used[i] && IsUser(p_.globals[i].span)) {
        out_.Report(DiagCode::kUnusedDeclaration, p_.globals[i].span,
                    fmt::format("constant `{}` is never used", p_.globals[i].name), "declared here")
            .WithHelp("remove it, or use it in a rule or a test");
      }
    }
  }

  // W0102. An exception with no condition and no effective period applies to every case on
  // every date, so the rules it overrides can never give their value.
  void ShadowedRules() {
    for (const ir::Decision& d : p_.decisions) {
      if (!IsUser(d.span)) {
        continue;
      }
      std::set<uint32_t> reported;
      for (const ir::Rule& r : d.rules) {
        if (!r.is_exception || !r.when.empty() || r.effective.IsBounded()) {
          continue;
        }
        for (const uint32_t o : r.overrides) {
          if (!reported.insert(o).second) {
            continue;
          }
          const ir::Rule& shadowed = d.rules[o];
          out_.Report(DiagCode::kShadowedRule, shadowed.span,
                      fmt::format("rule `{}` of `{}` never gives its value", shadowed.name, d.name),
                      "always overridden")
              .WithLabel(r.span, fmt::format("exception `{}` has no condition, so it always applies", r.name))
              .WithHelp(fmt::format("give exception `{}` a `when` condition, or remove rule `{}`", r.name,
                                    shadowed.name));
        }
      }
    }
  }

  // W0103. Every decision should say which paragraph of law it encodes, on itself or on its
  // rules, so that explanations can cite it.
  void MissingSources() {
    for (const ir::Decision& d : p_.decisions) {
      if (!IsUser(d.span) || !d.source.empty()) {
        continue;
      }
      bool cited = false;
      for (const ir::Rule& r : d.rules) {
        cited = cited || !r.source.empty();
      }
      if (!cited) {
        out_.Report(DiagCode::kMissingSource, d.span, fmt::format("decision `{}` cites no source", d.name),
                    "no `source` here or on any of its rules")
            .WithHelp("add `source \"...\"` naming the paragraph it encodes, e.g. `source \"ImmD FAQ Q20\"`");
      }
    }
  }

  // W0104 and W0105: which rules the tests make apply. Every test runs with an explanation
  // recorded; a rule applies when its condition held and it was not overridden. The decisions
  // each test evaluated are kept for W0108 (lint_dates.cpp), so the tests run once.
  void TestCoverage() {
    bool user_tests = false;
    for (const ir::Test& t : p_.tests) {
      user_tests = user_tests || IsUser(t.span);
    }
    if (!user_tests) {
      return;  // nothing to measure against; `policy test` says there are no tests
    }
    std::set<std::pair<uint32_t, uint32_t>> applied;
    auto ctx = e_.NewContext();
    evaluated_.assign(p_.tests.size(), {});
    for (uint32_t i = 0; i < p_.tests.size(); ++i) {
      const ir::Test& t = p_.tests[i];
      vm::Trace trace;
      trace.notes = false;  // only outcomes are counted
      vm::EvalError error;
      (void)e_.program().RunTest(*ctx, i, default_as_of_, &error, &trace);
      for (const vm::DecisionRecord& rec : trace.records) {
        // Only what was evaluated on the test's own date: under `e as of d` the date is d's.
        if (rec.as_of == default_as_of_ &&
            std::find(evaluated_[i].begin(), evaluated_[i].end(), rec.decision) == evaluated_[i].end()) {
          evaluated_[i].push_back(rec.decision);
        }
      }
      // A test reaches a rule when the rule's condition is evaluated (whether it then holds or
      // not): a test that checks that a rule does not apply is a good test.
      bool reached = false;
      for (const vm::DecisionRecord& rec : trace.records) {
        for (const vm::RuleOutcome& o : rec.rules) {
          if (o.kind == vm::RuleOutcome::Kind::kApplied) {
            applied.insert({rec.decision, o.rule});
          }
          reached = reached || (!p_.decisions[rec.decision].is_parameter &&
                                (o.kind == vm::RuleOutcome::Kind::kApplied ||
                                 o.kind == vm::RuleOutcome::Kind::kConditionFailed ||
                                 o.kind == vm::RuleOutcome::Kind::kFailed));
        }
      }
      // `expect d(c) is not applicable` checks exactly that no rule is reached.
      const bool checks_not_applicable = std::any_of(
          t.steps.begin(), t.steps.end(), [](const ir::TestStep& s) { return s.expect_not_applicable; });
      if (!reached && !checks_not_applicable && !trace.records.empty() && IsUser(t.span)) {
        out_.Report(DiagCode::kTestReachesNoRule, t.span, fmt::format("test \"{}\" reaches no rule", t.name),
                    "in this test")
            .WithNote(
                "no rule's condition is evaluated: the decisions it calls are not in effect on its date, "
                "or their rules are all overridden")
            .WithHelp("check that the test's date (`as of`) and case are the ones intended");
      }
    }
    for (uint32_t d = 0; d < p_.decisions.size(); ++d) {
      const ir::Decision& dec = p_.decisions[d];
      if (!IsUser(dec.span) || dec.is_parameter) {
        continue;  // a parameter's versions apply by date, not by case
      }
      for (uint32_t r = 0; r < dec.rules.size(); ++r) {
        if (applied.count({d, r}) == 0) {
          out_.Report(
                  DiagCode::kRuleNotTested, dec.rules[r].span,
                  fmt::format("no test makes {} `{}` of `{}` apply",
                              dec.rules[r].is_exception ? "exception" : "rule", dec.rules[r].name, dec.name),
                  "never applies in a test")
              .WithHelp("add a test with a case for which its condition holds");
        }
      }
    }
  }

  const Engine& e_;
  const ir::Program& p_;
  Date default_as_of_;
  lint::Scope scope_;
  std::vector<std::vector<uint32_t>> evaluated_;  // per test: the decisions it evaluated
  DiagnosticSink out_;
};

}  // namespace

auto Lint(const Engine& engine, Date default_as_of) -> std::vector<Diagnostic> {
  return Linter(engine, default_as_of).Run();
}

}  // namespace policy
