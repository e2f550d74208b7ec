// `policy diff --population CASES OLD NEW`: the rule change evaluated on every case of a JSON
// Lines or CSV file (runtime/batch, both versions per case): for each decision, how many cases
// it decides differently, from what to what, and the first lines of each change.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace policy::cli {

struct PopulationDiffOptions {
  std::string cases;                   // a file, or - for standard input
  std::string input_format;            // "jsonl", "csv" or "" (by the file's name)
  std::vector<std::string> decisions;  // empty: every case decision the two versions share
  Date as_of;
  unsigned threads = 0;  // 0: one per core
  size_t show = 10;      // lines listed per change
  DiagFormat format = DiagFormat::kHuman;
};

// What the two versions decide for a whole population, per decision: the changes, each as
// (old outcome, new outcome) keys (the value's JSON, "not applicable", or "error CODE"), most
// cases first.
struct PopulationChange {
  std::string before;
  std::string after;
  uint64_t cases = 0;
  std::vector<uint64_t> lines;  // the first `show` lines of the file
};
struct PopulationDecision {
  std::string name;
  uint64_t compared = 0;  // cases both versions read
  uint64_t changed = 0;
  std::vector<PopulationChange> changes;
};
struct PopulationDiff {
  Date as_of;
  uint64_t cases = 0;
  std::vector<PopulationDecision> decisions;
  std::map<std::string, uint64_t> unreadable_old;  // code -> cases only the old version cannot read
  std::map<std::string, uint64_t> unreadable_new;
  uint64_t unreadable_both = 0;
  auto any_change() const -> bool;
};

// Evaluates both versions on every case of `options.cases`. On bad input (no such decision, an
// unreadable file, no decision in common) returns nullopt with `*error` saying why.
auto ComputePopulationDiff(const Engine& old_set, const Engine& new_set, const PopulationDiffOptions& options,
                           std::string* error) -> std::optional<PopulationDiff>;
// The human text of `policy diff --population` (also in `policy review --population`).
auto PopulationDiffText(const PopulationDiff& diff) -> std::string;
// Its JSON: {"as_of", "cases", "decisions": [{"decision", "compared", "changed", "changes": [{"old",
// "new", "cases", "lines"}]}], "unreadable": {...}}; outcomes as {"applicable", "value"} or {"error"}.
auto PopulationDiffJson(const PopulationDiff& diff) -> nlohmann::ordered_json;

// Exit code: 0 when no case is decided differently, 1 when one is, 2 on bad input.
auto RunPopulationDiff(Io& io, const Engine& old_set, const Engine& new_set,
                       const PopulationDiffOptions& options) -> int;

}  // namespace policy::cli
