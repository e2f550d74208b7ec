// Evaluating decisions over a whole population of case records: a stream of JSON Lines or CSV
// in, one result row per case out, in input order, on as many threads as asked.
//
// The input is read by one thread into chunks of rows; worker threads each take a chunk, read
// its cases with the engine's one case reader and evaluate every decision on each (each worker
// with its own evaluation context); the calling thread hands finished chunks to the sink in
// input order. At most a few chunks per worker are in flight, so memory stays flat however many
// cases there are. A row that cannot be read or evaluated becomes an error row and the run goes
// on.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "runtime/engine/engine.h"

namespace policy::batch {

enum class InputFormat : uint8_t { kJsonLines, kCsv };

// Why a row or one decision on it has no value.
struct RowError {
  std::string code;  // "E0903"
  std::string message;
  std::string path;  // the JSON path of the offending value ($.programme.mode), or ""
};

struct DecisionOutcome {
  std::optional<RowError> error;  // evaluation failed (a conflict, an overflow...)
  bool applicable = false;
  // The value's JSON (as `policy eval --format json` writes it); "null" when not applicable.
  // Valid during the sink's call only.
  std::string_view value;
};

struct RowResult {
  uint64_t line = 0;                      // where the case starts in the input, 1-based
  std::optional<RowError> error;          // the case could not be read: no outcomes
  std::vector<DecisionOutcome> outcomes;  // one per decision, in the order asked
  // With BatchOptions::compare, the same for the other engine.
  std::optional<RowError> compare_error;
  std::vector<DecisionOutcome> compare_outcomes;
};

struct BatchOptions {
  std::vector<uint32_t> decisions;  // Engine decision indices; all read the same record type
  // When set, every case is also read and evaluated by this engine (another version of the
  // policies: `policy diff --population`) on `compare_decisions`, which must read one record type
  // too; its results are the rows' compare_outcomes.
  const Engine* compare = nullptr;
  std::vector<uint32_t> compare_decisions;
  Date as_of;
  InputFormat format = InputFormat::kJsonLines;
  unsigned threads = 1;
  InputLimits limits;
  size_t chunk_rows = 512;
};

// Progress, reported on the calling thread now and then: input bytes consumed, rows done.
using ProgressFn = std::function<void(uint64_t bytes, uint64_t rows)>;
using SinkFn = std::function<void(const RowResult&)>;

// Reads every record of `in`, evaluates, and calls `sink` for each row in input order on the
// calling thread. False with `*error` set when the run cannot start: decisions of different
// record types, a CSV header that does not fit the record type.
auto Run(const Engine& engine, const BatchOptions& options, std::istream& in, const SinkFn& sink,
         const ProgressFn& progress, std::string* error) -> bool;

}  // namespace policy::batch
