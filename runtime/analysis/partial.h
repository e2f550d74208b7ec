// `policy eval --partial`: a decision on a case with fields still unknown (absent from the JSON).
// Either the value is already decided whatever the missing fields turn out to be (a proof), or
// the result names the missing fields the decision still depends on, the next question first.
//
// The missing fields are filled with placeholder values so the interpreter can evaluate the case
// once; the decision is then encoded (runtime/analysis/encode.h) with every known field held and
// the missing ones free, and Z3 is asked for a completion that decides differently. None: the
// value is decided (evaluation errors such as overflow are not modelled, as in `policy analyze`).
// One: it is re-evaluated by the interpreter, which must confirm the different outcome before
// the case is called undecided, and the missing fields it changes are the questions to ask.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/engine/engine.h"

namespace policy {

struct PartialOptions {
  Date as_of;
  unsigned timeout_ms = 10000;  // per Z3 question
  unsigned rlimit = 0;          // Z3's deterministic resource limit per question (0 = none)
};

struct PartialResult {
  enum class Verdict : uint8_t {
    kDecided,    // proven: every completion of the missing fields gives `value_json`
    kUndecided,  // two completions decide differently (both evaluated by the interpreter)
    kUnknown,    // Z3 gave up, or its completion was not confirmed
  };
  Verdict verdict = Verdict::kUnknown;
  std::vector<std::string> missing;  // JSON paths absent from the case, in record order
  // With the missing fields at their placeholders (false, 0, the evaluation date, the first enum
  // value, none, empty): the decision's value, or "" when it has none.
  std::string value_json;
  // kUndecided: the missing fields the decision still depends on, the next question to ask first;
  // and a completion that decides differently, with what it gives.
  std::vector<std::string> questions;
  std::string other_case_json;
  std::string other_value_json;  // "" when the other completion has no value
  std::vector<std::string> approximations;
};

// Reports an unreadable case (with its JSON path) or a decision that does not take a case record
// to `diags`, and returns nullopt then.
auto EvaluatePartial(const Engine& engine, uint32_t decision, std::string_view case_json,
                     const PartialOptions& options, DiagnosticSink& diags) -> std::optional<PartialResult>;

auto PartialVerdictName(PartialResult::Verdict verdict) -> const char*;

// The answer as `policy eval --partial --format json` prints it (docs/whatif.md, "JSON"); also
// what Decision::EvaluatePartial and `POST /v1/decisions/NAME/partial` give.
auto PartialResultJson(const Engine& engine, uint32_t decision, const PartialResult& result, Date as_of)
    -> nlohmann::ordered_json;

}  // namespace policy
