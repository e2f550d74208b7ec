#include "runtime/batch/batch.h"

#include <fmt/format.h>

#include <atomic>
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

// A row as read: the case's JSON text, or why there is none.
struct Input {
  uint64_t line = 0;
  std::string json;
  std::optional<RowError> error;
};

struct Chunk {
  size_t index = 0;
  std::vector<Input> inputs;
  std::vector<RowResult> results;
  uint64_t bytes = 0;  // input consumed up to the end of this chunk
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

// Evaluates every decision on every row of `chunk`.
void Evaluate(const Engine& engine, const BatchOptions& options, vm::Context& ctx, Chunk& chunk) {
  static const std::string kFile = "<batch>";
  chunk.results.resize(chunk.inputs.size());
  for (size_t i = 0; i < chunk.inputs.size(); ++i) {
    Input& input = chunk.inputs[i];
    RowResult& out = chunk.results[i];
    out.line = input.line;
    if (input.error) {
      out.error = std::move(input.error);
      continue;
    }
    ctx.ResetInput();
    DiagnosticSink diags;
    const auto record =
        engine.ReadCase(options.decisions.front(), input.json, kFile, ctx, diags, options.limits);
    if (!record) {
      out.error = ToRowError(diags);
      continue;
    }
    out.outcomes.resize(options.decisions.size());
    for (size_t d = 0; d < options.decisions.size(); ++d) {
      DiagnosticSink eval_diags;
      const uint32_t decision = options.decisions[d];
      const auto result = engine.Evaluate(decision, *record, options.as_of, ctx, nullptr, eval_diags);
      DecisionOutcome& outcome = out.outcomes[d];
      if (!result) {
        outcome.error = ToRowError(eval_diags);
        continue;
      }
      outcome.applicable = result->applicable;
      engine.AppendValueJson(engine.DecisionResultType(decision), result->value, &outcome.value);
    }
    input.json.clear();
    input.json.shrink_to_fit();
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

 private:
  std::mutex mutex_;
  std::condition_variable room_, work_, done_cv_;
  std::deque<std::unique_ptr<Chunk>> todo_;
  std::map<size_t, std::unique_ptr<Chunk>> done_;
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
  TypeId record = 0;
  for (const uint32_t d : options.decisions) {
    const ir::Decision& decision = ir.decisions[d];
    if (decision.params.size() != 1 || ir.types.kind(decision.params[0]) != Kind::kRecord) {
      *error = fmt::format("decision `{}` does not take one case record, so it cannot run on cases",
                           decision.name);
      return false;
    }
    if (record != 0 && decision.params[0] != record) {
      *error = fmt::format(
          "decision `{}` reads `{}` records, `{}` reads `{}` records: a batch evaluates decisions of one "
          "record type",
          ir.decisions[options.decisions.front()].name, ir.types.Name(record), decision.name,
          ir.types.Name(decision.params[0]));
      return false;
    }
    record = decision.params[0];
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
    auto chunk = std::make_unique<Chunk>();
    bool open = true;  // false once the run is cancelled: nothing more is read
    auto flush = [&] {
      chunk->index = index++;
      chunk->bytes = source.consumed();
      open = pipeline.Push(std::move(chunk));
      chunk = std::make_unique<Chunk>();
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
          input.json = std::move(line.text);
          line.text = std::string();
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
          input.json = layout->ToJson(row.fields, &cells_error);
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
      while (auto chunk = pipeline.Take()) {
        Evaluate(engine, options, *ctx, *chunk);
        pipeline.Done(std::move(chunk));
      }
    });
  }

  uint64_t rows = 0;
  try {
    for (size_t index = 0;; ++index) {
      auto chunk = pipeline.Next(index);
      if (!chunk) {
        break;
      }
      for (const RowResult& r : chunk->results) {
        sink(r);
      }
      rows += chunk->results.size();
      if (progress) {
        progress(chunk->bytes, rows);
      }
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
