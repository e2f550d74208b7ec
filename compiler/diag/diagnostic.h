// Diagnostics: what a user did wrong, where, and how to fix it. User errors never throw; each
// stage reports them to a DiagnosticSink and keeps going so a run reports all of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/source.h"

namespace policy {

enum class DiagCode : uint16_t {
#define X(code, name, severity, summary) k##name,
#include "compiler/diag/kinds.def"
#undef X
};

enum class Severity : uint8_t { kError, kWarning, kNote };

struct DiagKindInfo {
  const char* code;  // "E0203"
  const char* name;  // "UnknownField"
  Severity severity;
  const char* summary;
};

auto GetKindInfo(DiagCode code) -> const DiagKindInfo&;
auto AllKinds() -> std::vector<DiagKindInfo>;

struct Label {
  Span span;
  bool primary = false;
  std::string text;
};

// A fix an editor can apply in one step (an LSP code action): write `text` in place of `span`
// (an empty span inserts). Every fix is also said in words, as a `help:` line.
struct Fix {
  std::string title;  // "Write `full_time`"
  Span span;
  std::string text;
};

struct Diagnostic {
  DiagCode code = DiagCode::kSyntaxError;
  Severity severity = Severity::kError;
  std::string message;
  Span primary;               // may be invalid for errors about files or input
  std::string primary_text;   // label under the primary span
  std::vector<Label> labels;  // secondary spans
  std::vector<std::string> help;
  std::vector<std::string> notes;
  std::vector<Fix> fixes;
  // For errors outside .policy text: the file (a case JSON, a path on the command line) and,
  // for JSON input, the JSON path of the offending value ($.programme.mode).
  std::string file;
  std::string json_path;

  auto WithLabel(Span span, std::string text) -> Diagnostic& {
    labels.push_back({span, false, std::move(text)});
    return *this;
  }
  auto WithHelp(std::string text) -> Diagnostic& {
    help.push_back(std::move(text));
    return *this;
  }
  auto WithFix(std::string title, Span span, std::string text) -> Diagnostic& {
    fixes.push_back({std::move(title), span, std::move(text)});
    return *this;
  }
  // "did you mean `name`?", as help and as the fix that writes it in place of the primary span
  // (which must be the mistaken name itself).
  auto WithSuggestion(const std::string& name) -> Diagnostic& {
    help.push_back("did you mean `" + name + "`?");
    fixes.push_back({"Change to `" + name + "`", primary, name});
    return *this;
  }
  auto WithNote(std::string text) -> Diagnostic& {
    notes.push_back(std::move(text));
    return *this;
  }
};

class DiagnosticSink {
 public:
  // Reports a diagnostic and returns it for adding labels and help.
  auto Report(DiagCode code, Span primary, std::string message, std::string primary_text = "") -> Diagnostic&;
  auto ReportInput(DiagCode code, std::string file, std::string json_path, std::string message)
      -> Diagnostic&;
  auto error_count() const -> size_t;
  auto has_errors() const -> bool { return error_count() > 0; }
  // Sorted by file, then position; input errors after source errors.
  auto Sorted() const -> std::vector<Diagnostic>;
  auto diagnostics() const -> const std::vector<Diagnostic>& { return diagnostics_; }
  void Append(const DiagnosticSink& other);
  void Add(Diagnostic d) { diagnostics_.push_back(std::move(d)); }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// "did you mean": the closest candidate within a small edit distance, or "".
auto SuggestName(std::string_view wrong, const std::vector<std::string>& candidates) -> std::string;
// The same among qualified names (`hk.employment.part_time_on_campus_allowed`), and failing that
// the first whose last parts are `wrong` (a bare `part_time_on_campus_allowed`), or "".
auto SuggestQualifiedName(std::string_view wrong, const std::vector<std::string>& qualified) -> std::string;

// kSarif: one SARIF 2.1.0 log (a single run of the `policy` tool), for code-scanning UIs.
enum class DiagFormat { kHuman, kShort, kJson, kSarif };

// Renders diagnostics; `color` adds ANSI colours to the human form.
auto RenderDiagnostics(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                       DiagFormat format, bool color = false) -> std::string;
// One diagnostic as a JSON object (shared by --format json and the eval/test JSON output).
auto DiagnosticToJson(const Diagnostic& d, const SourceManager& sources) -> std::string;

}  // namespace policy
