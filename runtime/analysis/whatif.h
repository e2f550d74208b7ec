// `policy eval --what-if`: the smallest changes to a case that give a decision the value a
// person wants ("what would make me eligible?").
//
// The decision is encoded over a symbolic case record (runtime/analysis/encode.h) on the
// evaluation date; each field of the record gets a "changed" flag, and Z3 is asked for the
// fewest flags that make the decision give the wanted value (a cardinality bound raised one at a
// time), then, with that set of fields, for values as close as possible to the case's own. Each
// set found is blocked with its supersets, so the answers are the minimal sets of changes.
//
// Every answer is re-evaluated by the interpreter before it is returned: the encoding
// over-approximates (lists read from the case are not modelled), so a Z3 model may not be a real
// answer, and such a model is counted and dropped, never shown. "No change gives this value" is
// a proof: the formula is unsatisfiable with the held fields kept, whatever the approximated
// parts are.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine/engine.h"

namespace policy {

struct WhatIfOptions {
  Date as_of;
  // The wanted value as JSON text (`true`, `20`, `"2025-01-01"`; an enum or date may be given
  // without quotes). Without it: for a Bool decision the opposite of its value (true when it has
  // none), otherwise any value other than the current one.
  std::optional<std::string> want;
  // JSON paths (`$.applicant.date_of_birth` or `applicant.date_of_birth`) whose values may not
  // change, in addition to the fields the record type declares `fixed`; a path to a record holds
  // every field under it.
  std::vector<std::string> held;
  size_t max_changes = 3;       // the largest set of changed fields considered
  size_t max_answers = 3;       // how many minimal sets to list
  unsigned timeout_ms = 10000;  // per Z3 question
  unsigned rlimit = 0;          // Z3's deterministic resource limit per question (0 = none)
  // Tests only: replaces the goal Z3 is asked to satisfy, to show that a wrong model is caught
  // by the interpreter and not reported.
  std::function<z3::expr(const z3::expr& goal)> tamper_goal;
};

struct WhatIfAnswer {
  std::vector<std::string> changed_fields;  // the JSON paths that change, in record order
  struct Change {
    std::string path;
    std::string before;  // JSON text
    std::string after;   // JSON text
  };
  std::vector<Change> changes;
  std::string case_json;                 // the changed case (JSON, indented)
  std::string value_json;                // what the interpreter gives for it
  std::vector<uint32_t> deciding_rules;  // the decision's rules that give it (none: the default)
};

struct WhatIfResult {
  enum class Verdict : uint8_t {
    kFound,       // answers lists at least one confirmed set of changes
    kAlready,     // the case already gives the wanted value
    kImpossible,  // proven: no change to the fields that may change gives it
    kNoneWithin,  // proven: no set of at most max_changes fields gives it (more would)
    kUnknown,     // Z3 gave up, or its models were not confirmed by the interpreter
  };
  Verdict verdict = Verdict::kUnknown;
  bool applicable = false;        // the decision has a value for the case as it is
  std::string value_json;         // that value
  std::string want;               // "true", or "a value other than 3"
  std::vector<std::string> held;  // the held JSON paths, as given and from `fixed` fields
  std::vector<WhatIfAnswer> answers;
  size_t rejected = 0;                      // Z3 models the interpreter did not confirm
  std::vector<std::string> approximations;  // where the encoding of the decision is partial
};

// Reports bad options (E0914), an unreadable case (E09xx with its JSON path) or a decision that
// does not take a case record to `diags`, and returns nullopt then.
auto WhatIf(const Engine& engine, uint32_t decision, std::string_view case_json, const WhatIfOptions& options,
            DiagnosticSink& diags) -> std::optional<WhatIfResult>;

auto WhatIfVerdictName(WhatIfResult::Verdict verdict) -> const char*;

// For an explanation (`policy eval --explain --nearest-changes`): for each rule of the decision
// whose condition fails on the case, the nearest change to the case that would make it apply,
// found and confirmed as WhatIf's answers are (held and `fixed` fields kept; options.max_changes
// bounds the change, one answer per rule). A rule that is not in effect on the date, or that an
// exception overrides, is not listed: no change to the case is what it lacks.
struct RuleChange {
  uint32_t rule = 0;  // index in the decision's rules
  WhatIfResult::Verdict verdict =
      WhatIfResult::Verdict::kUnknown;  // kFound, kImpossible, kNoneWithin, kUnknown
  std::optional<WhatIfAnswer> answer;   // with kFound
};
auto NearestRuleChanges(const Engine& engine, uint32_t decision, std::string_view case_json,
                        const WhatIfOptions& options, DiagnosticSink& diags)
    -> std::optional<std::vector<RuleChange>>;

}  // namespace policy
