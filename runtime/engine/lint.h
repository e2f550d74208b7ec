// `policy lint`: warnings about policies that compile but are probably not what their author
// meant, or not what a reviewer can trust. Each is a diagnostic with a W code:
//   W0101  a function or constant that nothing uses
//   W0102  a rule that never gives its value: an exception to it always applies
//   W0103  a decision that cites no source, neither itself nor in any of its rules
//   W0104  a rule that no test makes apply
//   W0105  a test that reaches no rule: no rule's condition is evaluated while it runs
//   W0106  a decision in effect through its dated rules, with dates between them when none is
//   W0107  a rule or default that can read a parameter on dates when it has no value
//   W0108  a test without `as of` whose decisions or parameters change after today
//   W0109  a number written in a decision that is the value of a parameter of its module
// Declarations of the embedded standard library are not linted.
#pragma once

#include <vector>

#include "compiler/diag/diagnostic.h"
#include "runtime/engine/engine.h"

namespace policy {

// Runs every check on a loaded policy set; the tests run as of `default_as_of` where they do not
// say otherwise. Warnings are returned in source order.
auto Lint(const Engine& engine, Date default_as_of) -> std::vector<Diagnostic>;

}  // namespace policy
