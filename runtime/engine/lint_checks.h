// Private to runtime/engine: what the checks of `policy lint` share. lint.cpp is the entry
// (Lint()) and holds the checks about declarations, rules and tests (W0101-W0105);
// lint_dates.cpp the checks about effective dates (W0106-W0108); lint_numbers.cpp the numbers
// written where a parameter is meant (W0109). Each check reads the IR and reports to one sink.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "compiler/base/timeline.h"
#include "compiler/diag/diagnostic.h"
#include "runtime/engine/engine.h"

namespace policy::lint {

// What every check reads.
struct Scope {
  const Engine& engine;
  const ir::Program& program;
  // The date the tests without `as of` run on: `--as-of`, else POLICY_TODAY, else today. The
  // checks that ask what changes "after today" mean this date.
  Date today;

  // Declarations of the embedded standard library are not the user's to fix.
  auto IsUser(Span s) const -> bool {
    return s.valid() && engine.sources().Get(s.file).path().rfind("<stdlib>", 0) != 0;
  }
};

// Every node under `root`, with an explicit stack (IR trees are bounded in depth, but nothing
// here needs recursion). When `f` returns a bool, false leaves the node's kids out.
template <typename F>
void ForEachNode(const ir::Node* root, F&& f) {
  std::vector<const ir::Node*> stack;
  if (root != nullptr) {
    stack.push_back(root);
  }
  while (!stack.empty()) {
    const ir::Node* n = stack.back();
    stack.pop_back();
    if constexpr (std::is_same_v<decltype(f(*n)), bool>) {
      if (!f(*n)) {
        continue;
      }
    } else {
      f(*n);
    }
    for (const ir::NodePtr& k : n->kids) {
      if (k) {
        stack.push_back(k.get());
      }
    }
  }
}

// Where a decision computes something: its default (rule == nullptr) or one of its rules. Calls
// `f(rule, root)` on each expression of each site: the default, or a rule's conjuncts and `then`.
template <typename F>
void ForEachSiteExpr(const ir::Decision& d, F&& f) {
  if (d.default_value) {
    f(static_cast<const ir::Rule*>(nullptr), d.default_value.get());
  }
  for (const ir::Rule& r : d.rules) {
    for (const ir::Conjunct& c : r.when) {
      f(&r, c.cond.get());
    }
    f(&r, r.then.get());
  }
}

// The dates on which a site can be evaluated: those on which the decision is in effect (its own
// period, or its dated rules'), and for a rule those of its own period too. Conditions on
// `as_of` are not looked at, so this may say more dates than the rule can really run on.
auto SiteDates(const ir::Decision& d, const ir::Rule* rule) -> std::vector<DateRange>;

// "rule `r` of `m.d`", "exception `x` of `m.d`", "the default of `m.d`".
auto SiteName(const ir::Decision& d, const ir::Rule* rule) -> std::string;

// The module a qualified name is declared in: "hk.employment" for "hk.employment.limit".
auto ModuleOf(const std::string& qualified) -> std::string;

// W0106: decisions in effect through their dated rules whose periods leave dates between them.
void DecisionGaps(const Scope& scope, DiagnosticSink& out);
// W0107: rules and defaults in effect on dates when a parameter they read has no value.
void ParameterReadsWithoutValue(const Scope& scope, DiagnosticSink& out);
// W0108: tests without `as of` whose decisions or parameters change after `scope.today`;
// `evaluated[t]` lists the decisions test t evaluated on `scope.today` (not under `e as of d`),
// in the order it first did.
void UndatedTestsOfChangingLaw(const Scope& scope, const std::vector<std::vector<uint32_t>>& evaluated,
                               DiagnosticSink& out);
// W0109: numbers written in a decision that are the value of a parameter of its module on the
// dates the decision could read it.
void NumbersEqualToParameters(const Scope& scope, DiagnosticSink& out);

}  // namespace policy::lint
