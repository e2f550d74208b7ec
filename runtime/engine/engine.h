// The engine: compile a set of policy files once, then evaluate decisions on case records
// (JSON) as often as needed. This is the surface the `policy` command is written against, and
// the starting point of the embedding API.
//
// An Engine is immutable after Load(): any number of threads may evaluate with it at once, each
// with its own vm::Context (NewContext()).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/pipeline.h"
#include "core/date.h"
#include "runtime/engine/exact_json.h"
#include "runtime/vm/eval.h"
#include "runtime/vm/jit_tier.h"

namespace policy {

// What a case file may be (E0907). See docs/reliability.md, "Limits".
struct InputLimits {
  size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 64;                              // arrays and objects open at once
  size_t max_list_items = vm::kMaxGeneratedItems;  // items in one array
  // Try ReadCaseFast first (runtime/engine/fast_case_reader.h); off only in the tests that
  // compare it with the full reader.
  bool fast_reader = true;
};

class Engine;

// How to load: the compiler's options, and what the backends do with its output.
struct EngineOptions : CompileOptions {
  // Also compile the decisions to machine code (runtime/jit, LLVM), when this build has it;
  // Engine::native_report() says what was compiled and why anything was not.
  bool jit = false;
  // With `jit`: quick code only by default (one-shot commands and tests); services load with
  // kTiered through the embedding API.
  JitTier jit_tier = JitTier::kQuick;
};

// What the JIT did with each decision, when the engine was loaded with EngineOptions::jit.
struct NativeReport {
  bool requested = false;
  bool available = false;  // this build has the LLVM backend
  JitTier tier = JitTier::kQuick;
  std::vector<bool> native;          // per decision (ir::Program order): compiled to machine code
  std::vector<std::string> reasons;  // per decision: why it runs on the interpreter
  std::vector<size_t> operations;    // per decision: interpreter operations its machine code calls
  size_t native_count = 0;
  double lower_ms = 0;    // IR -> LLVM IR
  double compile_ms = 0;  // LLVM optimisation and code generation (the first tier; see
                          // Engine::WaitForOptimizedCode for the background one)
};

struct LoadResult {
  std::shared_ptr<const Engine> engine;  // null when any file had errors
  std::shared_ptr<SourceManager> sources;
  DiagnosticSink diagnostics;
};

struct TestResult {
  std::string module;
  std::string name;
  Span span;
  bool passed = false;
  // When failed: the failing `expect` (or the evaluation error) as a diagnostic.
  std::optional<Diagnostic> failure;
};

class TestCoverage;
class RuleNotesView;

class Engine {
 public:
  static auto Load(const std::vector<std::string>& paths, const EngineOptions& options = {}) -> LoadResult;
  // Loads policies from memory: (path, text) pairs. The paths are used in diagnostics only.
  static auto LoadSources(const std::vector<std::pair<std::string, std::string>>& files,
                          const EngineOptions& options = {}) -> LoadResult;

  auto sources() const -> const SourceManager& { return *sources_; }
  auto program() const -> const vm::CompiledProgram& { return *compiled_; }
  auto native_report() const -> const NativeReport& { return native_report_; }
  // With JitTier::kTiered, blocks until the optimised code is installed or given up; see
  // vm::NativeCode::WaitForOptimizedCode. Without native code: nothing installed, no failure.
  auto WaitForOptimizedCode() const -> vm::OptimizedCode;
  auto NewContext() const -> std::unique_ptr<vm::Context>;

  auto FindDecision(std::string_view qualified) const -> std::optional<uint32_t>;
  auto DecisionNames() const -> std::vector<std::string>;
  // Reports E0906 with a "did you mean" when the decision does not exist.
  auto ResolveDecision(std::string_view qualified, DiagnosticSink& diags) const -> std::optional<uint32_t>;

  // Reads the case record for `decision` (its single record parameter) from JSON text into the
  // context's input arena. Every problem is reported with its JSON path.
  auto ReadCase(uint32_t decision, std::string_view json_text, const std::string& file, vm::Context& ctx,
                DiagnosticSink& diags, const InputLimits& limits = {}) const -> std::optional<Value>;
  // The same, into any arena (the embedding API keeps each case's facts in its own).
  auto ReadCase(uint32_t decision, std::string_view json_text, const std::string& file, Arena& arena,
                DiagnosticSink& diags, const InputLimits& limits = {}) const -> std::optional<Value>;

  // Evaluates; on failure reports the evaluation error to `diags`.
  auto Evaluate(uint32_t decision, const Value& input, Date as_of, vm::Context& ctx, vm::Trace* trace,
                DiagnosticSink& diags) const -> std::optional<vm::DecisionResult>;
  // A parameter (a decision of no input whose rules are its dated values) as of a date: not
  // applicable when none of its values covers the date. `source` is the citation of the value in
  // effect, else the parameter's own. (`policy eval -d PARAMETER`, PolicySet::parameters.)
  auto EvaluateParameter(uint32_t parameter, Date as_of, vm::Context& ctx, vm::Trace* trace,
                         DiagnosticSink& diags, std::string* source = nullptr) const
      -> std::optional<vm::DecisionResult>;

  // The decision's value in the JSON encoding of the decision catalogue. A `Decimal` is its exact
  // text, so write the result with exact_json::Dump, never nlohmann's dump().
  auto ValueToJson(TypeId type, const Value& value) const -> nlohmann::ordered_json;
  // Appends the same JSON text as exact_json::Dump(ValueToJson(type, value)) to `out`, without
  // building a DOM: the path of every JSON answer (EvaluateJson, the server).
  void AppendValueJson(TypeId type, const Value& value, std::string* out) const;
  auto DecisionResultType(uint32_t decision) const -> TypeId;

  // What an explanation adds to a rule of the decision asked for (depth 0), by rule index: the
  // nearest change to the case that would make a rule that did not apply apply (`policy eval
  // --explain --nearest-changes`, computed by runtime/analysis, which the engine does not see).
  struct RuleNote {
    std::string text;             // appended to the rule's line: "nearest change: $.a: 1 -> 2"
    nlohmann::ordered_json json;  // the rule's "nearest_change" in the JSON explanation
  };
  using RuleNotes = std::map<uint32_t, RuleNote>;

  auto ExplanationText(const vm::Trace& trace, const RuleNotes* notes = nullptr) const -> std::string;
  // Holds values as ValueToJson does: write it with exact_json::Dump.
  auto ExplanationJson(const vm::Trace& trace, const RuleNotes* notes = nullptr) const
      -> nlohmann::ordered_json;

  // Runs every in-language test whose "module name" contains `filter` (all when empty). With
  // `coverage`, each test runs with an explanation trace and what it exercised is added there
  // (runtime/engine/coverage.h).
  auto RunTests(std::string_view filter, Date default_as_of, TestCoverage* coverage = nullptr) const
      -> std::vector<TestResult>;

 private:
  Engine() = default;
  static auto Finish(std::shared_ptr<ir::Program> program, LoadResult result, const EngineOptions& options)
      -> LoadResult;
  static auto CompileNativeCode(vm::CompiledProgram& compiled, JitTier tier) -> NativeReport;
  auto NotesView() const -> RuleNotesView;
  std::shared_ptr<SourceManager> sources_;
  std::shared_ptr<const ir::Program> ir_;
  std::unique_ptr<vm::CompiledProgram> compiled_;
  NativeReport native_report_;
};

auto ToDiagnostic(const vm::EvalError& error) -> Diagnostic;

}  // namespace policy
