// `policy diff --population CASES OLD NEW`: the rule change evaluated on every case of a JSON
// Lines or CSV file (runtime/batch, both versions per case): for each decision, how many cases
// it decides differently, from what to what, and the first lines of each change.
#pragma once

#include <string>
#include <vector>

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

// Exit code: 0 when no case is decided differently, 1 when one is, 2 on bad input.
auto RunPopulationDiff(Io& io, const Engine& old_set, const Engine& new_set,
                       const PopulationDiffOptions& options) -> int;

}  // namespace policy::cli
