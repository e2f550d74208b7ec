// `policy analyze`: per decision, with the SMT encoding of runtime/analysis/encode.h,
// - conflicts: two rules that neither defeats can apply to one case with different results;
// - dead rules: a rule that applies to no case on any date (or on the --as-of date);
// - gaps: a decision without a default that, while in effect, can be left without a result.
// Each question is answered with a witness (a case record and a date, re-evaluated by the
// interpreter, which must reproduce it), with a proof that none exists (the formula is
// unsatisfiable), or, where Z3 gives a model the interpreter does not reproduce (the encoding is
// partial) or no answer in time, with a bounded search from the example cases and, failing
// that, "not proven" and the reasons the encoding is partial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/engine/engine.h"

namespace policy {

struct AnalyzeOptions {
  std::optional<Date> as_of;            // nullopt: every date from year 1 to 9999
  Date search_as_of;                    // the bounded search's first date (today)
  std::vector<std::string> seeds;       // case records (JSON text): witness bases and search seeds
  std::vector<std::string> seed_names;  // their file names, to say which example a witness is based on
  std::vector<std::string> decisions;   // qualified names; empty = every decision outside std
  unsigned timeout_ms = 10000;          // per Z3 query
  // Z3's deterministic resource limit per query (0 = none). Unlike the timeout it gives the same
  // answers on a fast machine and a loaded one, which tests and CI baselines need.
  unsigned rlimit = 0;
  size_t search_budget = 300;  // cases per unresolved question
  // The whole analysis: once this much time has passed, the questions left are not asked (each
  // decision says how many, W0204), so a decision with thousands of rules (millions of pairs to
  // check for conflicts) cannot keep the command running without bound. 0 = no limit.
  unsigned total_ms = 300000;
};

struct Finding {
  enum class Kind : uint8_t { kConflict, kDeadRule, kGap };
  enum class Status : uint8_t { kFound, kNone, kNotProven };
  Kind kind = Kind::kConflict;
  Status status = Status::kNone;
  std::vector<uint32_t> rules;       // conflict: the two rules; dead rule: the rule
  std::string witness;               // kFound: the case record (JSON)
  std::string as_of;                 // kFound: the evaluation date of the witness
  std::string outcome;               // kFound: what the interpreter did with the witness
  std::string base;                  // kFound: the example case the witness was built on ("" = a fresh case)
  std::vector<std::string> changes;  // kFound: how the witness differs from `base`
  std::string method;                // "smt", or "search": how the answer was reached
  size_t cases_tried = 0;            // by the bounded search
  Span span;                         // the rule, or the decision
};

struct DecisionAnalysis {
  std::string decision;
  uint32_t index = 0;
  bool analysed = false;
  std::string skipped;  // why it was not analysed
  std::vector<Finding> findings;
  std::vector<std::string> approximations;  // where the encoding of this decision is partial
  size_t unasked = 0;  // questions not asked because AnalyzeOptions::total_ms was used up
};

auto AnalyzePolicies(const Engine& engine, const AnalyzeOptions& options) -> std::vector<DecisionAnalysis>;

auto FindingKindName(Finding::Kind kind) -> const char*;
auto FindingStatusName(Finding::Status status) -> const char*;

}  // namespace policy
