#include "runtime/engine/coverage.h"

namespace policy {

TestCoverage::TestCoverage(const ir::Program& program) {
  rules_.resize(program.decisions.size());
  for (size_t d = 0; d < program.decisions.size(); ++d) {
    for (const ir::Rule& rule : program.decisions[d].rules) {
      RuleCoverage r;
      r.conditions.resize(rule.when.size());
      rules_[d].push_back(std::move(r));
    }
  }
}

void TestCoverage::Record(const vm::Trace& trace) {
  for (const vm::DecisionRecord& rec : trace.records) {
    std::vector<RuleCoverage>& rules = rules_[rec.decision];
    for (const vm::RuleOutcome& o : rec.rules) {
      if (o.rule >= rules.size()) {
        continue;
      }
      RuleCoverage& r = rules[o.rule];
      switch (o.kind) {
        case vm::RuleOutcome::Kind::kApplied:
          // Every condition held (an exception that then overrides it is recorded as overridden).
          ++r.reached;
          ++r.applied;
          for (ConditionCoverage& c : r.conditions) {
            ++c.seen_true;
          }
          break;
        case vm::RuleOutcome::Kind::kConditionFailed:
          // The ones before the failed one held; the ones after it were not evaluated.
          ++r.reached;
          for (uint32_t i = 0; i < o.failed_conjunct && i < r.conditions.size(); ++i) {
            ++r.conditions[i].seen_true;
          }
          if (o.failed_conjunct < r.conditions.size()) {
            ++r.conditions[o.failed_conjunct].seen_false;
          }
          break;
        case vm::RuleOutcome::Kind::kFailed:
          ++r.reached;  // an error in its condition or value: reached, with nothing known of each
          break;
        case vm::RuleOutcome::Kind::kNotInEffect:
        case vm::RuleOutcome::Kind::kOverridden:
          break;  // its condition was not evaluated
      }
    }
  }
}

}  // namespace policy
