// What the `test` blocks exercise (`policy test --coverage`, `policy review`): for every rule and
// exception, how often a test reached it (its condition was evaluated) and made it apply, and for
// every condition (each top-level `and` of a `when`) how often it was seen true and seen false,
// as `opa test --coverage` does for Rego. Counted from the explanation trace the tests run with,
// so it is what the interpreter did, not an estimate: a condition after one that failed was not
// evaluated and counts neither way. Conditions inside functions (`def`) are not rules and are
// not counted.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/vm/eval.h"

namespace policy {

struct ConditionCoverage {
  uint32_t seen_true = 0;
  uint32_t seen_false = 0;
};

struct RuleCoverage {
  uint32_t reached = 0;  // evaluations in which its condition was evaluated (or it failed)
  uint32_t applied = 0;  // evaluations in which it applied (and was not overridden)
  std::vector<ConditionCoverage> conditions;  // one per conjunct of its `when`
};

class TestCoverage {
 public:
  explicit TestCoverage(const ir::Program& program);
  // Adds what one test's trace shows.
  void Record(const vm::Trace& trace);
  // [decision][rule], as in the program.
  auto rules() const -> const std::vector<std::vector<RuleCoverage>>& { return rules_; }

 private:
  std::vector<std::vector<RuleCoverage>> rules_;
};

}  // namespace policy
