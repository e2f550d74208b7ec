// The evaluator. Compile() turns the IR into a tree of specialised closures (one small object
// per IR node, with the operation chosen at compile time from the operand types: `IntLess`,
// `DateAddMonths`, `EnumInMask`, ...), so evaluation does no type dispatch, name lookup or string
// hashing. Evaluate() runs one decision.
//
// Threading: a CompiledProgram is immutable after Compile() and may be shared by any number of
// threads. All per-evaluation state (slots, scratch arena, trace) lives in a Context; each
// thread uses its own. Evaluating a decision with a scalar result allocates nothing once the
// Context has warmed up.
//
// Errors in evaluation (a conflict between rules, a needed decision that is not applicable,
// overflow, a date out of range) are returned as EvalError values, never thrown to the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "runtime/value/value.h"

namespace policy::vm {

// The most items a list built during evaluation may have (`dates_every`, `flatten`): bounds the
// memory one evaluation can take, whatever the policy and case say. See docs/language.md, Limits.
inline constexpr size_t kMaxGeneratedItems = 1'000'000;

// The most steps one evaluation may take (E0917), counting each call of a function or decision
// and each item an aggregate visits. The language has no recursion and no unbounded loop, but
// nested aggregates (`count a in xs: count b in xs: ...`) or functions that call the one below
// them twice can still take exponential time; this turns a hang into an error. At about 10 ns a
// step it is reached after roughly a second.
inline constexpr uint64_t kMaxEvaluationSteps = 100'000'000;
// The most memory the values built during one evaluation may take (lists, texts, sets, records
// in the context's scratch arena), also E0917.
inline constexpr size_t kMaxEvaluationBytes = size_t{256} << 20;

struct EvalError {
  DiagCode code = DiagCode::kArithmeticError;
  std::string message;
  Span span;
  std::vector<Label> labels;
  std::vector<std::string> notes;
};

// ---- explanations --------------------------------------------------------------------------

struct RuleOutcome {
  enum class Kind : uint8_t { kApplied, kConditionFailed, kNotInEffect, kOverridden };
  Kind kind = Kind::kApplied;
  uint32_t rule = 0;
  uint32_t failed_conjunct = 0;  // kConditionFailed
  uint32_t overridden_by = 0;    // kOverridden
};

struct DecisionRecord {
  // kNotInEffect: the evaluation date is outside the decision's effective period (then every
  // rule is recorded as not in effect and the default is not used).
  enum class Via : uint8_t { kRule, kDefault, kNotApplicable, kNotInEffect };
  uint32_t decision = 0;
  uint32_t depth = 0;  // 0 = the decision asked for; 1 = one it called; ...
  Via via = Via::kNotApplicable;
  Value value;
  std::vector<uint32_t> deciding_rules;  // the applicable rules that gave the value
  std::vector<RuleOutcome> rules;        // every rule, in evaluation order
};

// Recorded only when requested; values point into the Context's scratch arena, so a Trace is
// valid until the Context evaluates again or is destroyed.
struct Trace {
  std::vector<DecisionRecord> records;  // in completion order: callees before callers
};

class CompiledProgram;

// Per-thread evaluation state, reused across evaluations.
class Context {
 public:
  explicit Context(const CompiledProgram& program);
  ~Context();
  Context(const Context&) = delete;
  auto operator=(const Context&) -> Context& = delete;

  // The arena that input records for this context may be built in; reset by ResetInput().
  auto input_arena() -> Arena& { return input_arena_; }
  void ResetInput() { input_arena_.Reset(); }

 private:
  friend class CompiledProgram;
  friend struct Frame;
  friend struct ContextAccess;
  std::vector<Value> stack_;
  uint32_t sp_ = 0;
  Arena scratch_;
  Arena input_arena_;
  Date as_of_;
  Trace* trace_ = nullptr;
  uint32_t depth_ = 0;
  uint64_t steps_ = 0;  // against kMaxEvaluationSteps; reset by each evaluation
};

struct DecisionResult {
  bool applicable = false;  // false: no rule applied and there is no default (value is none)
  bool in_effect = true;    // false: not applicable because the date is outside its effective period
  Value value;
};

struct TestStepResult {
  bool passed = false;
  uint32_t step = 0;
  std::string actual;  // for `expect a == b`: both sides, rendered
  std::string expected;
};

class CompiledProgram {
 public:
  // Compiles the IR and evaluates the global constants (which may fail, e.g. on overflow).
  static auto Compile(std::shared_ptr<const ir::Program> program, EvalError* error)
      -> std::unique_ptr<CompiledProgram>;
  ~CompiledProgram();

  auto ir() const -> const ir::Program& { return *ir_; }

  // Evaluates `decision` on `args` (one Value per parameter) as of `as_of`. Records an
  // explanation into `trace` when it is not null.
  auto Evaluate(Context& ctx, uint32_t decision, std::span<const Value> args, Date as_of, Trace* trace,
                EvalError* error) const -> std::optional<DecisionResult>;

  // Runs test `test`; returns nullopt (with `error`) when evaluation failed, otherwise the first
  // failing step or a passed result.
  // With `trace`, every decision the test evaluates is recorded into it (across all its steps;
  // the trace is not cleared first), as for Evaluate: `policy lint` learns which rules the tests
  // reach.
  auto RunTest(Context& ctx, uint32_t test, Date default_as_of, EvalError* error,
               Trace* trace = nullptr) const -> std::optional<TestStepResult>;

  struct Impl;

 private:
  friend class Context;
  CompiledProgram() = default;
  std::shared_ptr<const ir::Program> ir_;
  std::unique_ptr<Impl> impl_;
};

// An effective period in the syntax it is written in: "from 2014-03-17 until 2019-12-31",
// "from 2014-03-17", "until 2014-03-16", or "" when neither end is given.
auto FormatPeriod(const std::optional<Date>& from, const std::optional<Date>& until) -> std::string;

// When a decision or parameter is in effect, in words: "from 2014-03-17", "from 2020-01-01 until
// 2020-12-31, and from 2022-01-01", "always".
auto EffectiveSummary(const ir::Decision& d) -> std::string;

// Renders a value in the policy language's own syntax: `2024-03-17`, `full_time`, `{a, b}`,
// `12 months`, `none`, `Programme { mode: full_time, ... }`.
auto FormatValue(const TypeTable& types, TypeId type, const Value& value) -> std::string;

}  // namespace policy::vm
