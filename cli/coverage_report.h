// `policy test --coverage`: what the tests exercise (runtime/engine/coverage.h) written as lcov,
// which CI servers and editors show line by line (a rule is a "function" that is hit when it
// applies; each condition a branch with its true and false counts; each rule and condition line
// with the times it was evaluated), or as JSON; and the one-line summary.
#pragma once

#include <string>

#include "runtime/engine/coverage.h"
#include "runtime/engine/engine.h"

namespace policy::cli {

struct CoverageSummary {
  size_t rules = 0;            // rules and exceptions of the user's decisions (parameters' versions not)
  size_t rules_applied = 0;    // made to apply by some test
  size_t conditions = 0;       // conjuncts of their `when`s
  size_t conditions_both = 0;  // seen both true and false
};

// Only the user's decisions: not the embedded stdlib, not parameters (whose versions apply by date).
auto SummarizeCoverage(const Engine& engine, const TestCoverage& coverage) -> CoverageSummary;
// "coverage: 40 of 44 rules applied by a test, 61 of 90 conditions seen both true and false".
auto CoverageSummaryLine(const CoverageSummary& s) -> std::string;
auto CoverageLcov(const Engine& engine, const TestCoverage& coverage) -> std::string;
auto CoverageJson(const Engine& engine, const TestCoverage& coverage) -> std::string;

}  // namespace policy::cli
