// `policy batch --decision NAME[,NAME...] --input CASES [--as-of DATE] [--output FILE]
//  [--format jsonl|csv] [--threads N] PATHS`: decisions over a whole population of cases
// (runtime/batch), one result row per case in input order, then a summary on standard error.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "runtime/batch/batch.h"
#include "runtime/batch/csv_cases.h"

namespace policy::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A CSV cell: quoted when it holds a comma, a quote or a line break.
void AppendCsvCell(std::string_view s, std::string* out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (const char c : s) {
    if (c == '"') {
      out->push_back('"');
    }
    out->push_back(c);
  }
  out->push_back('"');
}

// A value's JSON as a CSV cell: a string's contents, anything else its JSON text.
auto CellText(std::string_view json) -> std::string {
  if (!json.empty() && json.front() == '"') {
    return nlohmann::json::parse(json).get<std::string>();
  }
  return std::string(json);
}

void AppendErrorJson(const batch::RowError& e, std::string* out) {
  out->append("{\"code\":\"");
  out->append(e.code);
  out->append("\",\"message\":");
  batch::AppendJsonString(e.message, out);
  if (!e.path.empty()) {
    out->append(",\"path\":");
    batch::AppendJsonString(e.path, out);
  }
  out->push_back('}');
}

// What the summary counts: per decision, how often each value came out, and the errors.
class Tally {
 public:
  explicit Tally(size_t decisions) : values_(decisions), decision_errors_(decisions) {}

  void Add(const batch::RowResult& r) {
    ++rows_;
    if (r.error) {
      ++row_errors_[r.error->code];
      return;
    }
    for (size_t d = 0; d < r.outcomes.size(); ++d) {
      const batch::DecisionOutcome& o = r.outcomes[d];
      if (o.error) {
        ++decision_errors_[d][o.error->code];
      } else {
        auto& counts = values_[d];
        const std::string_view key = o.applicable ? o.value : std::string_view();
        auto it = counts.find(key);  // by the view: a value seen before costs no allocation
        if (it != counts.end()) {
          ++it->second;
        } else if (counts.size() < kMaxDistinct) {
          counts.emplace(std::string(key), 1);
        } else {
          ++other_[d];
        }
      }
    }
  }

  auto rows() const -> uint64_t { return rows_; }
  auto failed_rows() const -> uint64_t {
    uint64_t n = 0;
    for (const auto& [code, count] : row_errors_) {
      n += count;
    }
    return n;
  }
  auto failed_decisions() const -> uint64_t {
    uint64_t n = 0;
    for (const auto& errors : decision_errors_) {
      for (const auto& [code, count] : errors) {
        n += count;
      }
    }
    return n;
  }

  void Print(std::ostream& err, const std::vector<std::string>& names) const {
    for (size_t d = 0; d < names.size(); ++d) {
      std::vector<std::pair<uint64_t, std::string>> sorted;
      for (const auto& [value, count] : values_[d]) {
        sorted.emplace_back(count, value.empty() ? "not applicable" : value);
      }
      std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      std::vector<std::string> parts;
      for (size_t i = 0; i < sorted.size() && i < kShown; ++i) {
        parts.push_back(fmt::format("{} {}", sorted[i].second, sorted[i].first));
      }
      uint64_t rest = other_[d];
      size_t rest_values = 0;
      for (size_t i = kShown; i < sorted.size(); ++i) {
        rest += sorted[i].first;
        ++rest_values;
      }
      if (rest != 0) {
        parts.push_back(fmt::format("{} more case{} with {}{} other value{}", rest, rest == 1 ? "" : "s",
                                    other_[d] != 0 ? "at least " : "", rest_values + (other_[d] != 0 ? 1 : 0),
                                    rest_values + (other_[d] != 0 ? 1 : 0) == 1 ? "" : "s"));
      }
      for (const auto& [code, count] : decision_errors_[d]) {
        parts.push_back(fmt::format("error {} {}", code, count));
      }
      err << fmt::format("  {}: {}\n", names[d],
                         parts.empty() ? "no cases" : fmt::format("{}", fmt::join(parts, ", ")));
    }
    if (!row_errors_.empty()) {
      std::vector<std::string> parts;
      for (const auto& [code, count] : row_errors_) {
        parts.push_back(fmt::format("{} {}", code, count));
      }
      err << fmt::format("  cases that could not be read: {} ({})\n", failed_rows(), fmt::join(parts, ", "));
    }
  }

 private:
  static constexpr size_t kMaxDistinct = 10000;  // values counted one by one; past that, "other"
  static constexpr size_t kShown = 10;           // values listed per decision
  uint64_t rows_ = 0;
  std::vector<std::map<std::string, uint64_t, std::less<>>> values_;
  std::vector<uint64_t> other_ = std::vector<uint64_t>(values_.size());
  std::vector<std::map<std::string, uint64_t>> decision_errors_;
  std::map<std::string, uint64_t> row_errors_;
};

auto Rate(uint64_t rows, double seconds) -> std::string {
  return seconds > 0 ? fmt::format("{:.0f}", static_cast<double>(rows) / seconds) : std::string("-");
}

}  // namespace

auto AddBatchCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> decisions;
    std::string input;
    std::string input_format;
    std::string output;
    std::string format = "jsonl";
    unsigned threads = 0;
    AsOfOption as_of;
    JitFlags jit;
    bool quiet = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(app, "batch", "Evaluate decisions on every case of a JSON Lines or CSV file");
  AddPathsOption(sub, options->paths);
  sub->add_option("--decision,-d", options->decisions,
                  "Qualified decision names, comma-separated; all must read the same record type")
      ->required()
      ->delimiter(',');
  sub->add_option("--input,-i", options->input,
                  "Cases: JSON Lines (one case record per line) or CSV with a header of field paths "
                  "(programme.mode); a file, or - for standard input")
      ->required();
  sub->add_option("--input-format", options->input_format,
                  "jsonl or csv (default: csv for a file ending in .csv, else jsonl)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  options->as_of.AddTo(sub);
  sub->add_option("--output,-o", options->output, "Where the result rows go (default: standard output)");
  sub->add_option("--format", options->format, "Result rows as jsonl (default) or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  sub->add_option("--threads", options->threads, "Worker threads (default: one per core)");
  options->jit.AddTo(sub);
  sub->add_flag("--quiet,-q", options->quiet, "No progress and no summary on standard error");
  return Runner([options, &io]() {
    const std::shared_ptr<const Engine> loaded =
        LoadOrReport(io, options->paths, DiagFormat::kHuman, options->jit.Tier());
    if (!loaded) {
      return kExitInputError;
    }
    const Engine& engine = *loaded;
    DiagnosticSink diags;
    const auto as_of = options->as_of.Resolve(io.env, diags);
    batch::BatchOptions batch_options;
    for (const std::string& name : options->decisions) {
      if (const auto d = engine.ResolveDecision(name, diags)) {
        batch_options.decisions.push_back(*d);
      }
    }
    if (diags.has_errors() || !as_of) {
      PrintDiagnostics(io, diags, engine.sources(), DiagFormat::kHuman);
      return kExitInputError;
    }
    batch_options.as_of = *as_of;
    batch_options.threads =
        options->threads != 0 ? options->threads : std::max(1u, std::thread::hardware_concurrency());
    const bool csv_in =
        options->input_format.empty() ? options->input.ends_with(".csv") : options->input_format == "csv";
    batch_options.format = csv_in ? batch::InputFormat::kCsv : batch::InputFormat::kJsonLines;

    std::ifstream file;
    std::istream* in = &std::cin;
    uint64_t input_size = 0;  // 0: unknown (standard input), no ETA
    if (options->input != "-") {
      file.open(options->input, std::ios::binary);
      if (!file) {
        io.err << fmt::format("error[E0100]: cannot read the cases file `{}`\n", options->input);
        return kExitInputError;
      }
      std::error_code ec;
      input_size = std::filesystem::file_size(options->input, ec);
      in = &file;
    }
    std::ofstream output_file;
    std::ostream* out = &io.out;
    if (!options->output.empty()) {
      output_file.open(options->output, std::ios::binary | std::ios::trunc);
      if (!output_file) {
        io.err << fmt::format("error[E0100]: cannot write the results file `{}`\n", options->output);
        return kExitInputError;
      }
      out = &output_file;
    }

    const bool csv_out = options->format == "csv";
    const std::vector<std::string>& names = options->decisions;
    std::string buffer;
    if (csv_out) {
      buffer += "line";
      for (const std::string& name : names) {
        buffer += ',';
        AppendCsvCell(name, &buffer);
      }
      buffer += ",error_code,error_path,error_message\n";
    }
    Tally tally(names.size());
    auto write_row = [&](const batch::RowResult& r) {
      tally.Add(r);
      if (csv_out) {
        fmt::format_to(std::back_inserter(buffer), "{}", r.line);
        const batch::RowError* first_error = r.error ? &*r.error : nullptr;
        for (size_t d = 0; d < names.size(); ++d) {
          buffer += ',';
          if (r.error) {
            continue;
          }
          const batch::DecisionOutcome& o = r.outcomes[d];
          if (o.error) {
            first_error = first_error != nullptr ? first_error : &*o.error;
          } else if (o.applicable) {
            AppendCsvCell(CellText(o.value), &buffer);
          }
        }
        buffer += ',';
        if (first_error != nullptr) {
          buffer += first_error->code;
          buffer += ',';
          AppendCsvCell(first_error->path, &buffer);
          buffer += ',';
          AppendCsvCell(first_error->message, &buffer);
        } else {
          buffer += ",,";
        }
        buffer += '\n';
      } else {
        fmt::format_to(std::back_inserter(buffer), "{{\"line\":{}", r.line);
        if (r.error) {
          buffer += ",\"error\":";
          AppendErrorJson(*r.error, &buffer);
        } else {
          buffer += ",\"results\":{";
          for (size_t d = 0; d < names.size(); ++d) {
            if (d != 0) {
              buffer += ',';
            }
            batch::AppendJsonString(names[d], &buffer);
            const batch::DecisionOutcome& o = r.outcomes[d];
            if (o.error) {
              buffer += ":{\"error\":";
              AppendErrorJson(*o.error, &buffer);
              buffer += '}';
            } else {
              buffer +=
                  o.applicable ? ":{\"applicable\":true,\"value\":" : ":{\"applicable\":false,\"value\":";
              buffer += o.value;
              buffer += '}';
            }
          }
          buffer += '}';
        }
        buffer += "}\n";
      }
      if (buffer.size() > (1u << 16)) {
        out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        buffer.clear();
      }
    };

    // A progress line on a terminal, redrawn at most ten times a second.
    const bool show_progress = !options->quiet && &io.err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
    const auto start = Clock::now();
    auto last_drawn = start;
    auto progress = [&](uint64_t bytes, uint64_t rows) {
      if (!show_progress) {
        return;
      }
      const auto now = Clock::now();
      if (now - last_drawn < std::chrono::milliseconds(100)) {
        return;
      }
      last_drawn = now;
      const double seconds = std::chrono::duration<double>(now - start).count();
      std::string line = fmt::format("\r\x1b[K  {} cases  {} cases/s", rows, Rate(rows, seconds));
      if (input_size > 0 && bytes > 0) {
        const double done = static_cast<double>(bytes) / static_cast<double>(input_size);
        const double eta = seconds * (1 - done) / done;
        line += fmt::format("  {:.0f}%  ETA {}:{:02}", done * 100, static_cast<int>(eta) / 60,
                            static_cast<int>(eta) % 60);
      }
      io.err << line << std::flush;
    };

    std::string error;
    if (!batch::Run(engine, batch_options, *in, write_row, progress, &error)) {
      io.err << fmt::format("error: {}\n", error);
      return kExitInputError;
    }
    out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    out->flush();
    if (show_progress) {
      io.err << "\r\x1b[K";
    }
    if (!options->quiet) {
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      io.err << fmt::format("policy batch: {} case{} as of {}, {:.2f} s ({} cases/s, {} thread{})\n",
                            tally.rows(), tally.rows() == 1 ? "" : "s", as_of->ToString(), seconds,
                            Rate(tally.rows(), seconds), batch_options.threads,
                            batch_options.threads == 1 ? "" : "s");
      tally.Print(io.err, names);
    }
    if (!*out) {
      io.err << "error: writing the results failed\n";
      return kExitInputError;
    }
    return tally.failed_rows() + tally.failed_decisions() > 0 ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli
