// `policy diff OLD NEW`: which cases decide differently after a rule change, and on which dates.
//
// The evaluation date is part of the question: unless one date is given, the two versions are
// compared on every date from 0001-01-01 to 9999-12-31, so a change that takes effect next year
// (or was back-dated) is found, and each difference says from which date it holds.
//
// For every decision the two policy sets share, cases are searched for on which the old and
// the new set give different results (a different value, applicable in one and not the other,
// or an error in one). The search starts from seed cases (example case records) and mutates
// them field by field, guided by the case record's type: booleans flip, enums take each value,
// numbers and dates move to nearby and boundary values, optionals appear and disappear, lists
// grow and shrink. Every case is evaluated by both interpreters, so a reported witness is
// always a real difference, reproduced before it is printed.
//
// A decision whose definition and everything it reaches (compiler/ir/fingerprint.h) read the
// same in both versions is the same, without a question to Z3. For the others, before
// searching, both versions are encoded for Z3 over one symbolic case record and one
// symbolic evaluation date (runtime/analysis/encode.h): when "some case decides differently on
// some date" is unsatisfiable the decision is proven unchanged, for every case and date that
// both versions evaluate without an error. When it is satisfiable, the first and the last date
// on which it is are found by bisection, and the witness is taken on the first.
//
// Decisions without a case record (parameters: a value over time) are compared date by date
// on the boundaries of both versions' effective periods, which is exact for them. Constants
// (`const`) are compared by value, once: they are computed when the policies are loaded and
// cannot read the date. A differing decision names the changed parameters and constants it
// reads, directly or through what it calls, as its causes.
// When Z3 finds a case, it is re-evaluated by both interpreters like any other candidate and
// reported only if they really differ; otherwise (the encoding is partial there) the bounded
// search runs, and "no difference found" then says how many cases were tried: not a proof.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/engine/engine.h"

namespace policy {

struct DiffOptions {
  std::optional<Date> as_of;            // one evaluation date; nullopt: every date
  Date today;                           // the bounded search's first date when comparing every date
  std::vector<std::string> seeds;       // case records (JSON text) to start from
  std::vector<std::string> seed_names;  // their file names, for "example.json with $.x: a -> b"
  std::vector<std::string> decisions;   // qualified names; empty = every decision both sets have
  size_t budget = 3000;                 // cases tried per decision
  uint64_t random_seed = 1;             // the search is deterministic for a given seed
  bool prove = true;                    // try Z3 first (a proof, or a witness) before searching
  unsigned timeout_ms = 10000;          // per Z3 question
  // Compare decisions with identical definitions like any other (Z3, then the search) instead of
  // taking them as the same at once: shows how much of each decision the encoding covers.
  bool prove_identical = false;
  unsigned threads = 0;  // decisions compared at once; 0: one per core
};

struct SideResult {
  std::string outcome;                   // the value's JSON, "not applicable", or "error E0910: ..."
  std::vector<std::string> rules;        // what gave it: "rule `r` [source]", "default", ...
  std::vector<uint32_t> deciding_rules;  // the rules among them, as indices into the decision's rules
};

// A run of dates on which a value without a case record (a parameter) differs.
struct ValueChange {
  Period dates;
  std::string old_value;  // JSON text, "not in effect", or "error E0915: ..."
  std::string new_value;
};

struct DecisionDiff {
  enum class Status : uint8_t { kSame, kDifferent, kOnlyInOld, kOnlyInNew, kNotComparable };
  std::string decision;
  Status status = Status::kSame;
  size_t cases_tried = 0;
  std::string witness;                       // kDifferent: the case record (JSON), as read by both sets
  std::optional<Date> witness_as_of;         // kDifferent: the date it was evaluated on
  std::optional<Period> differs_on;          // kDifferent: the first and last date it does
  std::string witness_base;                  // the example the witness was made from ("" when none)
  std::vector<std::string> witness_changes;  // from that example: "$.a.b: old -> new"
  std::vector<ValueChange> value_changes;    // a parameter: every run of dates that differs
  std::vector<std::string> causes;           // changed parameters and constants it reads, with their change
  bool constant = false;                     // a `const`, not a decision: old_side and new_side hold
                                             // its two values (JSON text) and nothing else
  SideResult old_side;
  SideResult new_side;
  std::string reason;                       // kNotComparable: why
  bool proven = false;                      // kSame: Z3 proved that no case decides differently
  std::string method;                       // kDifferent: "smt" (a Z3 model) or "search"; kSame:
                                            // "identical" when both definitions read the same
  std::vector<std::string> approximations;  // where the encoding is partial, when not proven
};

// "20 -> 24 from 2027-01-01", "20 -> not applicable from 2026-12-31 until 2026-12-31".
auto DescribeValueChange(const ValueChange& c) -> std::string;

// A changed constant: "20 -> 24".
auto DescribeConstantChange(const DecisionDiff& c) -> std::string;

// Every decision both sets have (or `options.decisions`), and the constants that differ (changed,
// added or removed; an unchanged one when `options.decisions` names it), by name.
auto DiffPolicySets(const Engine& old_set, const Engine& new_set, const DiffOptions& options)
    -> std::vector<DecisionDiff>;

}  // namespace policy
