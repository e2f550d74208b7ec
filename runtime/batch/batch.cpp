#include "runtime/batch/batch.h"

#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "runtime/batch/csv_cases.h"
#include "runtime/batch/record_reader.h"

namespace policy::batch {
namespace {

// A row as read: where its case's JSON text is in the chunk's text, or why there is none.
struct Input {
  uint64_t line = 0;
  size_t offset = 0;
  size_t length = 0;
  std::optional<RowError> error;
};

// What one decision gave on one row: where its value's JSON is in the chunk's values.
struct Outcome {
  std::optional<RowError> error;
  bool applicable = false;
  size_t offset = 0;
  size_t length = 0;
};

// A chunk of rows, its texts and results each in one buffer, so a row costs no allocation of
// its own. Chunks are reused (Pipeline keeps the spent ones): the buffers keep their capacity.
struct Chunk {
  size_t index = 0;
  uint64_t bytes = 0;  // input consumed up to the end of this chunk
  std::string text;    // the cases' JSON, one after another
  std::vector<Input> inputs;
  std::vector<std::optional<RowError>> row_errors;          // per row: the case could not be read
  std::vector<Outcome> outcomes;                            // per row, per decision
  std::vector<std::optional<RowError>> compare_row_errors;  // the same for BatchOptions::compare
  std::vector<Outcome> compare_outcomes;
  std::string values;  // the values' JSON, one after another

  void Clear() {
    text.clear();
    inputs.clear();
    row_errors.clear();
    outcomes.clear();
    compare_row_errors.clear();
    compare_outcomes.clear();
    values.clear();
  }
};

auto ToRowError(const DiagnosticSink& diags) -> RowError {
  for (const Diagnostic& d : diags.diagnostics()) {
    if (d.severity == Severity::kError) {
      return {GetKindInfo(d.code).code, d.message, d.json_path};
    }
  }
  return {"E0901", "the case cannot be read", ""};
}

auto InputError(DiagCode code, std::string message) -> RowError {
  return {GetKindInfo(code).code, std::move(message), ""};
}

// Reads the case of one row with `engine` and evaluates `decisions` on it, into `*outcomes`
// (their values appended to `*values`); the row's error when the case cannot be read.
auto EvaluateRow(const Engine& engine, const std::vector<uint32_t>& decisions, const BatchOptions& options,
                 vm::Context& ctx, std::string_view json, Outcome* outcomes, std::string* values)
    -> std::optional<RowError> {
  static const std::string kFile = "<batch>";
  ctx.ResetInput();
  DiagnosticSink diags;
  const auto record = engine.ReadCase(decisions.front(), json, kFile, ctx, diags, options.limits);
  if (!record) {
    return ToRowError(diags);
  }
  for (size_t d = 0; d < decisions.size(); ++d) {
    DiagnosticSink eval_diags;
    const uint32_t decision = decisions[d];
    const auto result = engine.Evaluate(decision, *record, options.as_of, ctx, nullptr, eval_diags);
    Outcome& outcome = outcomes[d];
    if (!result) {
      outcome.error = ToRowError(eval_diags);
      continue;
    }
    outcome.applicable = result->applicable;
    outcome.offset = values->size();
    engine.AppendValueJson(engine.DecisionResultType(decision), result->value, values);
    outcome.length = values->size() - outcome.offset;
  }
  return std::nullopt;
}

// Evaluates every decision on every row of `chunk` (and, with options.compare, on the other
// engine too, with `compare_ctx`).
void Evaluate(const Engine& engine, const BatchOptions& options, vm::Context& ctx, vm::Context* compare_ctx,
              Chunk& chunk) {
  const size_t decisions = options.decisions.size();
  const size_t compare_decisions = options.compare_decisions.size();
  const size_t rows = chunk.inputs.size();
  chunk.row_errors.resize(rows);
  chunk.outcomes.resize(rows * decisions);
  if (options.compare != nullptr) {
    chunk.compare_row_errors.resize(rows);
    chunk.compare_outcomes.resize(rows * compare_decisions);
  }
  for (size_t i = 0; i < rows; ++i) {
    Input& input = chunk.inputs[i];
    if (input.error) {
      if (options.compare != nullptr) {
        chunk.compare_row_errors[i] = input.error;
      }
      chunk.row_errors[i] = std::move(input.error);
      continue;
    }
    const std::string_view json = std::string_view(chunk.text).substr(input.offset, input.length);
    chunk.row_errors[i] = EvaluateRow(engine, options.decisions, options, ctx, json,
                                      &chunk.outcomes[i * decisions], &chunk.values);
    if (options.compare != nullptr) {
      chunk.compare_row_errors[i] =
          EvaluateRow(*options.compare, options.compare_decisions, options, *compare_ctx, json,
                      &chunk.compare_outcomes[i * compare_decisions], &chunk.values);
    }
  }
}

// The shared state of one run: chunks waiting for a worker, chunks done and waiting for their
// turn, and how many are in flight.
class Pipeline {
 public:
  explicit Pipeline(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // Reader: waits for room, then queues the chunk. False when the run was cancelled.
  auto Push(std::unique_ptr<Chunk> chunk) -> bool {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return in_flight_ < max_in_flight_ || cancelled_; });
    if (cancelled_) {
      return false;
    }
    ++in_flight_;
    todo_.push_back(std::move(chunk));
    work_.notify_one();
    return true;
  }
  void FinishReading(size_t chunks) {
    std::lock_guard lock(mutex_);
    total_chunks_ = chunks;
    work_.notify_all();
    done_cv_.notify_all();
  }
  // Worker: the next chunk to evaluate, or null when there will be none.
  auto Take() -> std::unique_ptr<Chunk> {
    std::unique_lock lock(mutex_);
    work_.wait(lock, [&] { return !todo_.empty() || total_chunks_ || cancelled_; });
    if (todo_.empty() || cancelled_) {
      return nullptr;
    }
    auto chunk = std::move(todo_.front());
    todo_.pop_front();
    return chunk;
  }
  void Done(std::unique_ptr<Chunk> chunk) {
    std::lock_guard lock(mutex_);
    const size_t index = chunk->index;
    done_.emplace(index, std::move(chunk));
    done_cv_.notify_all();
  }
  // Writer: chunk `index` once evaluated; null when the input had fewer chunks.
  auto Next(size_t index) -> std::unique_ptr<Chunk> {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock,
                  [&] { return done_.count(index) != 0 || (total_chunks_ && index >= *total_chunks_); });
    auto it = done_.find(index);
    if (it == done_.end()) {
      return nullptr;
    }
    auto chunk = std::move(it->second);
    done_.erase(it);
    --in_flight_;
    room_.notify_one();
    return chunk;
  }
  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    room_.notify_all();
    work_.notify_all();
  }
  // Reader: a spent chunk to fill again, or a new one.
  auto Fresh() -> std::unique_ptr<Chunk> {
    std::lock_guard lock(mutex_);
    if (spent_.empty()) {
      return std::make_unique<Chunk>();
    }
    auto chunk = std::move(spent_.back());
    spent_.pop_back();
    chunk->Clear();
    return chunk;
  }
  // Writer: a chunk whose rows went to the sink.
  void Recycle(std::unique_ptr<Chunk> chunk) {
    std::lock_guard lock(mutex_);
    spent_.push_back(std::move(chunk));
  }

 private:
  std::mutex mutex_;
  std::condition_variable room_, work_, done_cv_;
  std::deque<std::unique_ptr<Chunk>> todo_;
  std::map<size_t, std::unique_ptr<Chunk>> done_;
  std::vector<std::unique_ptr<Chunk>> spent_;
  size_t in_flight_ = 0;
  const size_t max_in_flight_;
  std::optional<size_t> total_chunks_;
  bool cancelled_ = false;
};

}  // namespace

auto Run(const Engine& engine, const BatchOptions& options, std::istream& in, const SinkFn& sink,
         const ProgressFn& progress, std::string* error) -> bool {
  const ir::Program& ir = engine.program().ir();
  if (options.decisions.empty()) {
    *error = "no decision to evaluate";
    return false;
  }
  // Every decision must read one case record of the same type.
  auto record_of = [error](const Engine& e, const std::vector<uint32_t>& decisions) -> std::optional<TypeId> {
    const ir::Program& program = e.program().ir();
    std::optional<TypeId> record;
    for (const uint32_t d : decisions) {
      const ir::Decision& decision = program.decisions[d];
      if (decision.params.size() != 1 || program.types.kind(decision.params[0]) != Kind::kRecord) {
        *error = fmt::format("decision `{}` does not take one case record, so it cannot run on cases",
                             decision.name);
        return std::nullopt;
      }
      if (record && decision.params[0] != *record) {
        *error = fmt::format(
            "decision `{}` reads `{}` records, `{}` reads `{}` records: a batch evaluates decisions of one "
            "record type",
            program.decisions[decisions.front()].name, program.types.Name(*record), decision.name,
            program.types.Name(decision.params[0]));
        return std::nullopt;
      }
      record = decision.params[0];
    }
    return record;
  };
  const auto first_record = record_of(engine, options.decisions);
  if (!first_record) {
    return false;
  }
  const TypeId record = *first_record;
  if (options.compare != nullptr) {
    if (options.compare_decisions.empty()) {
      *error = "no decision to compare";
      return false;
    }
    if (!record_of(*options.compare, options.compare_decisions)) {
      return false;
    }
  }
  ByteSource source(in);
  uint64_t line_number = 0;
  std::optional<CsvCaseLayout> layout;
  if (options.format == InputFormat::kCsv) {
    CsvRecord header;
    if (!ReadCsvRecord(source, options.limits.max_bytes, &line_number, &header)) {
      *error = "the CSV input is empty: it needs a header row of field paths";
      return false;
    }
    if (!header.error.empty() || header.too_long) {
      *error = fmt::format("the CSV header (line 1) cannot be read: {}",
                           header.too_long ? "it is longer than the limit" : header.error);
      return false;
    }
    layout = CsvCaseLayout::Make(ir.types, record, header.fields, error);
    if (!layout) {
      return false;
    }
  }

  const unsigned threads = std::max(1u, options.threads);
  Pipeline pipeline(threads * 4);

  // The reader: rows into chunks.
  std::thread reader([&] {
    size_t index = 0;
    auto chunk = pipeline.Fresh();
    bool open = true;  // false once the run is cancelled: nothing more is read
    auto flush = [&] {
      chunk->index = index++;
      chunk->bytes = source.consumed();
      open = pipeline.Push(std::move(chunk));
      chunk = pipeline.Fresh();
    };
    if (options.format == InputFormat::kJsonLines) {
      Line line;
      while (open && ReadLine(source, options.limits.max_bytes, &line_number, &line)) {
        if (!line.too_long && line.text.find_first_not_of(" \t") == std::string::npos) {
          continue;  // blank lines separate nothing
        }
        Input& input = chunk->inputs.emplace_back();
        input.line = line.number;
        if (line.too_long) {
          input.error =
              InputError(DiagCode::kInputTooLarge, fmt::format("the case is {} bytes; the limit is {} bytes",
                                                               line.length, options.limits.max_bytes));
        } else {
          input.offset = chunk->text.size();
          input.length = line.text.size();
          chunk->text += line.text;
        }
        if (chunk->inputs.size() == options.chunk_rows) {
          flush();
        }
      }
    } else {
      CsvRecord row;
      while (open && ReadCsvRecord(source, options.limits.max_bytes, &line_number, &row)) {
        if (row.fields.size() == 1 && row.fields[0].empty() && row.error.empty() && !row.too_long) {
          continue;  // an empty line
        }
        Input& input = chunk->inputs.emplace_back();
        input.line = row.line;
        if (row.too_long) {
          input.error = InputError(
              DiagCode::kInputTooLarge,
              fmt::format("the row is longer than the limit of {} bytes", options.limits.max_bytes));
        } else if (!row.error.empty()) {
          input.error = InputError(DiagCode::kInvalidCsvRow, row.error);
        } else {
          std::string cells_error;
          input.offset = chunk->text.size();
          layout->AppendJson(row.fields, &chunk->text, &cells_error);
          input.length = chunk->text.size() - input.offset;
          if (!cells_error.empty()) {
            input.error = InputError(DiagCode::kInvalidCsvRow, cells_error);
          }
        }
        if (chunk->inputs.size() == options.chunk_rows) {
          flush();
        }
      }
    }
    if (open && !chunk->inputs.empty()) {
      flush();
    }
    pipeline.FinishReading(index);
  });

  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto ctx = engine.NewContext();
      auto compare_ctx = options.compare != nullptr ? options.compare->NewContext() : nullptr;
      while (auto chunk = pipeline.Take()) {
        Evaluate(engine, options, *ctx, compare_ctx.get(), *chunk);
        pipeline.Done(std::move(chunk));
      }
    });
  }

  uint64_t rows = 0;
  RowResult row;  // reused: its outcomes point into the chunk's values
  const size_t decisions = options.decisions.size();
  try {
    for (size_t index = 0;; ++index) {
      auto chunk = pipeline.Next(index);
      if (!chunk) {
        break;
      }
      // One side's results of row `i`, as the sink sees them (views into the chunk's values).
      auto side = [&chunk](size_t i, size_t n, std::optional<RowError>& row_error,
                           std::vector<Outcome>& outcomes, std::optional<RowError>* error_out,
                           std::vector<DecisionOutcome>* out) {
        *error_out = std::move(row_error);
        out->clear();
        if (*error_out) {
          return;
        }
        out->resize(n);
        for (size_t d = 0; d < n; ++d) {
          Outcome& o = outcomes[i * n + d];
          (*out)[d].error = std::move(o.error);
          (*out)[d].applicable = o.applicable;
          (*out)[d].value = std::string_view(chunk->values).substr(o.offset, o.length);
        }
      };
      for (size_t i = 0; i < chunk->inputs.size(); ++i) {
        row.line = chunk->inputs[i].line;
        side(i, decisions, chunk->row_errors[i], chunk->outcomes, &row.error, &row.outcomes);
        if (options.compare != nullptr) {
          side(i, options.compare_decisions.size(), chunk->compare_row_errors[i], chunk->compare_outcomes,
               &row.compare_error, &row.compare_outcomes);
        }
        sink(row);
      }
      rows += chunk->inputs.size();
      if (progress) {
        progress(chunk->bytes, rows);
      }
      pipeline.Recycle(std::move(chunk));
    }
  } catch (...) {
    pipeline.Cancel();
    reader.join();
    for (std::thread& w : workers) {
      w.join();
    }
    throw;
  }
  reader.join();
  for (std::thread& w : workers) {
    w.join();
  }
  return true;
}

}  // namespace policy::batch
