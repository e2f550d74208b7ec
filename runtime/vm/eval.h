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
//
// Where it is: compiler.cpp (Compile(): IR -> closures), code_leaves.cpp, code_arithmetic.cpp,
// code_collections.cpp and code_calls.cpp (the closures), decisions.cpp (default logic: rules,
// exceptions, conflicts, defaults, effective periods), compiled_program.cpp (Evaluate, Decide,
// RunTest, the native hooks, Context); program.h is the
// private header they share.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/format_value.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "core/value.h"
#include "runtime/vm/jit_tier.h"

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
  std::vector<std::string> help;  // what to write to fix it, as `help:` lines
  std::vector<std::string> notes;
};

// ---- explanations --------------------------------------------------------------------------

// What an explanation shows inside a rule (issue 34): why a condition did not hold, opened up
// through the helper functions it calls down to the comparison that failed and the values it
// read from the case; and which values a `then` combined into its result. Recorded only with an
// explanation, by evaluating the parts again with the same closures (explain_expr.cpp), so a
// note can never disagree with the evaluation it explains. A rule's notes are a small tree
// written in pre-order: each note's `depth` is one more than the note it explains.
struct ExprNote {
  enum class Kind : uint8_t {
    kHelper,     // a call of helper function `index` gave `value`; its kArgument notes follow,
                 // then the notes of its body, one level deeper
    kArgument,   // an argument of the kHelper note before: `span` in the caller, `index` the
                 // parameter
    kCondition,  // a part of a condition with `value` (a comparison, a test, a field...); the
                 // kOperand notes that follow are what it compared
    kOperand,    // an operand of the note before it, with its value
    kCombined,   // a rule's `then` gave `value`; the kOperand notes that follow are what it combined
    kDecision,   // a decision called by the condition gave `value` (its own record explains it)
    kMore,       // `index` more parts were not shown (the width and depth limits)
  };
  Kind kind = Kind::kCondition;
  uint8_t depth = 0;
  uint32_t index = 0;
  Span span;  // the expression, in the source of the function or rule it is written in
  // A path rooted at a parameter of the helper it is written in (`p.mode`): the span of that
  // name and the parameter, so an explanation can write the caller's argument in its place
  // (`c.programme.mode`). root_param is UINT32_MAX otherwise.
  Span root;
  uint32_t root_param = UINT32_MAX;
  TypeId type = 0;
  Value value;  // points into the Context's scratch arena, as the record's value does
};

struct RuleOutcome {
  // kFailed: evaluating its condition or value stopped with an error (a decision it needs that
  // failed or did not apply, a division by zero, ...): the rule where an evaluation ended.
  enum class Kind : uint8_t { kApplied, kConditionFailed, kNotInEffect, kOverridden, kFailed };
  Kind kind = Kind::kApplied;
  uint32_t rule = 0;
  uint32_t failed_conjunct = 0;  // kConditionFailed
  uint32_t overridden_by = 0;    // kOverridden
  // Its notes (ExprNote): DecisionRecord::notes[notes_begin, notes_end): for kConditionFailed
  // the failed conjunct opened up, for kApplied the values its `then` combined.
  uint32_t notes_begin = 0;
  uint32_t notes_end = 0;
};

struct DecisionRecord {
  // kNotInEffect: the evaluation date is outside the decision's effective period (then every
  // rule is recorded as not in effect and the default is not used).
  // kConflict: two applicable rules gave different values (deciding_rules holds both); kFailed:
  // the evaluation stopped with an error in a rule (its outcome kFailed) or in the default. Both
  // are recorded on the way out, so an explanation shows what led to the error (issue 34).
  enum class Via : uint8_t { kRule, kDefault, kNotApplicable, kNotInEffect, kConflict, kFailed };
  uint32_t decision = 0;
  uint32_t depth = 0;             // 0 = the decision asked for; 1 = one it called; ...
  Date as_of;                     // the date it was evaluated on
  std::string_view as_of_reason;  // when inside `e as of d`: d's source text; else empty
  Via via = Via::kNotApplicable;
  Value value;
  std::vector<uint32_t> deciding_rules;  // the applicable rules that gave the value
  std::vector<RuleOutcome> rules;        // every rule, in evaluation order
  std::vector<ExprNote> notes;           // the rules' notes (RuleOutcome::notes_begin)
};

// Recorded only when requested; values point into the Context's scratch arena, so a Trace is
// valid until the Context evaluates again or is destroyed.
struct Trace {
  std::vector<DecisionRecord> records;  // in completion order: callees before callers
  // Whether rules record ExprNotes. Coverage and lint, which only count outcomes, turn it off.
  bool notes = true;
};

class CompiledProgram;
class Code;
class Context;

// ---- native code (runtime/jit) -------------------------------------------------------------------
//
// A native backend compiles decisions to machine code with the same semantics. It is attached to
// a CompiledProgram before the program is shared, and Evaluate() uses it whenever no explanation
// is asked for. Native code only ever answers on its fast path: on anything that would be an
// evaluation error (a conflict, overflow, a needed decision that does not apply, the step or
// memory budget) it gives up (kNativeBail), and the interpreter evaluates the case again. The
// interpreter's answer, and its error message, are then the answer, so both paths agree on every
// error by construction; the differential tests check that they agree on every value.

// What native code reads and updates: a plain struct, so generated code can use fixed offsets.
//
// Every field is a whole 8-byte word on purpose. With a 4-byte date and 4 bytes of padding, GCC
// wrote the padding and the low half of `steps` with one 8-byte store and the high half with
// another, so native code's first load of `steps` spanned two stores and could not be forwarded
// from them: a stall of about 4 ns on every call (found with perf; docs/jit.md).
struct NativeState {
  Context* ctx;    // offset 0: for the runtime helpers (scratch arena, interpreter operations)
  int64_t as_of;   // offset 8: the evaluation date, days since 1970-01-01 (native code reads the
                   // low 4 bytes)
  uint64_t steps;  // offset 16: on return, the steps the function took (counted as the
                   // interpreter counts, against kMaxEvaluationSteps)
  uint64_t base;   // offset 24: the steps the evaluation took before the call; native code
                   // leaves it as it found it
};
static_assert(offsetof(NativeState, as_of) == 8 && offsetof(NativeState, steps) == 16 &&
              offsetof(NativeState, base) == 24);

enum NativeStatus : int32_t {
  kNativeValue = 0,          // *out holds the decision's value
  kNativeNotApplicable = 1,  // in effect, but no rule applied and there is no default
  kNativeNotInEffect = 2,    // the date is outside the decision's effective period
  kNativeBail = 3,           // let the interpreter answer (an error, or a budget reached)
};
// A compiled decision or function: `args` are its parameters, `out` receives the value.
using NativeFn = int32_t (*)(NativeState* state, const Value* args, Value* out);

using policy::JitTier;

// What the optimising compile of JitTier::kTiered did, once it has finished.
struct OptimizedCode {
  bool installed = false;  // the optimised code now answers every compiled decision
  size_t decisions = 0;    // how many decisions it answers (their entries were replaced)
  double ms = 0;           // how long it took, in the background
  std::string failure;     // why it was not installed (the first code keeps serving)
};

class NativeCode {
 public:
  virtual ~NativeCode() = default;
  // Where the decision's entry point is kept, or null when it runs on the interpreter. The entry
  // changes at most once, when the optimised code of JitTier::kTiered replaces the first code;
  // both stay valid as long as this object lives, so a caller may keep either.
  virtual auto Entry(uint32_t decision) const -> const std::atomic<NativeFn>* = 0;
  // Blocks until the background compile of JitTier::kTiered has finished. At once for the other
  // tiers: kOptimized reports its code as installed, kQuick reports none (and no failure).
  virtual auto WaitForOptimizedCode() const -> OptimizedCode = 0;
};

// One interpreter operation (an IR node whose operands are slots 0..n-1), for native code to call
// where it does not inline the operation itself: decimal arithmetic, text, calendar builtins,
// building records, lists and sets. The result is the interpreter's by construction.
struct CodeDeleter {
  void operator()(const Code* code) const;
};
using OperationPtr = std::unique_ptr<const Code, CodeDeleter>;

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

  // Whether Evaluate() and RunTest() may use attached native code (default true); the
  // differential tests turn it off to get the interpreter's answer for the same context.
  void set_native(bool on) { native_ = on; }
  // Decisions native code answered (top-level evaluations and calls from test steps), and how
  // many times it handed a case back to the interpreter: the tests check the JIT really ran. (The
  // API's inline Decide calls machine code itself and counts neither.)
  auto native_answers() const -> uint64_t { return native_answers_; }
  auto native_bails() const -> uint64_t { return native_bails_; }
  // The evaluation date. It is held once, in the native state, where machine code reads it and
  // the interpreter too (`as_of` in a policy, effective periods), so the two can never disagree.
  // A caller that evaluates many cases as of one day (api::Evaluator::Decide) sets it once, and
  // CompiledProgram::RunNativeOnDate's evaluations use it.
  void SetDate(Date as_of) { native_state_.as_of = as_of.days(); }
  auto as_of() const -> Date { return Date::FromDays(static_cast<int32_t>(native_state_.as_of)); }
  // For the API's inline Decide, which calls machine code directly (policy.hpp): the state to
  // pass it, and the scratch arena's byte count, which must be 0 before the call (ResetScratch
  // then). It never runs with native code off: set_native is for the engine's own differential
  // tests.
  auto native_state() -> NativeState* { return &native_state_; }
  auto scratch_bytes_word() const -> const size_t* { return scratch_.bytes_allocated_word(); }
  void ResetScratch() { scratch_.Reset(); }

 private:
  friend class CompiledProgram;
  friend struct Frame;
  friend struct ContextAccess;
  std::vector<Value> stack_;
  uint32_t sp_ = 0;
  Arena scratch_;
  Arena input_arena_;
  Trace* trace_ = nullptr;
  // While an `e as of d` evaluates e: the source text of d, for explanations; empty on the
  // evaluation date.
  std::string_view as_of_reason_;
  uint32_t depth_ = 0;
  uint64_t steps_ = 0;  // against kMaxEvaluationSteps; reset by each evaluation
  bool native_ = true;
  NativeState native_state_{this, 0, 0, 0};  // base stays 0: native code puts it back
  uint64_t native_answers_ = 0;
  uint64_t native_bails_ = 0;
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

  // Evaluate without an explanation and without error details, for hot loops: false when the
  // evaluation failed (Evaluate on the same arguments says why). `args` holds one Value per
  // parameter. Native code, when attached, is called directly; nothing is allocated for a scalar
  // result.
  auto Decide(Context& ctx, uint32_t decision, const Value* args, Date as_of, DecisionResult* out) const
      -> bool;
  // Runs `entry` on `args`, writing the value to `*out`: the native status (kNativeValue, ...),
  // or kNativeBail when the interpreter must answer (native code is off for `ctx`, or it gave
  // up; `*out` is then unspecified). Inline, for callers that looked `entry` up once
  // (NativeEntryOf) and want the value where they keep it.
  static auto RunNative(Context& ctx, NativeFn entry, const Value* args, Date as_of, Value* out) -> int32_t {
    ctx.SetDate(as_of);
    return RunNativeOnDate(ctx, entry, args, out);
  }
  // RunNative on the date of Context::SetDate, with the least work around the call: the
  // hot path of api::Evaluator::Decide. The arena is reset only when the last evaluation used
  // it, and the value stack is already empty between evaluations (SlotWindow restores it).
  static auto RunNativeOnDate(Context& ctx, NativeFn entry, const Value* args, Value* out) -> int32_t {
    if (!ctx.native_) [[unlikely]] {
      return kNativeBail;
    }
    if (ctx.scratch_.bytes_allocated() != 0) {
      ctx.scratch_.Reset();
    }
    const int32_t status = entry(&ctx.native_state_, args, out);
    if (status != kNativeBail) [[likely]] {
      ++ctx.native_answers_;
    }
    return status;
  }
  // RunNative with the status decoded into `*out`: false when there is no answer yet, and
  // Decide must run.
  static auto TryNative(Context& ctx, NativeFn entry, const Value* args, Date as_of, DecisionResult* out)
      -> bool {
    const int32_t status = RunNative(ctx, entry, args, as_of, &out->value);
    if (status == kNativeBail) [[unlikely]] {
      return false;
    }
    out->applicable = status == kNativeValue;
    out->in_effect = status != kNativeNotInEffect;
    if (status != kNativeValue) {
      out->value = Value();
    }
    return true;
  }
  // A decision's native entry point now, or null when it runs on the interpreter.
  auto NativeEntryOf(uint32_t decision) const -> NativeFn;
  // Where it is kept (NativeCode::Entry), for callers that resolve a decision once.
  auto NativeSlotOf(uint32_t decision) const -> const std::atomic<NativeFn>*;

  // Runs test `test`; returns nullopt (with `error`) when evaluation failed, otherwise the first
  // failing step or a passed result.
  // With `trace`, every decision the test evaluates is recorded into it (across all its steps;
  // the trace is not cleared first), as for Evaluate: `policy lint` learns which rules the tests
  // reach.
  auto RunTest(Context& ctx, uint32_t test, Date default_as_of, EvalError* error,
               Trace* trace = nullptr) const -> std::optional<TestStepResult>;

  // ---- for the native backend ----
  // Attaches native code; only before the program is shared between threads.
  void AttachNative(std::shared_ptr<const NativeCode> native);
  auto native() const -> const NativeCode* { return native_.get(); }
  // The global constants, evaluated when the program was compiled.
  auto global_values() const -> std::span<const Value>;
  // Compiles one operation (see OperationPtr); `node`'s kids must be kLocal 0..n-1.
  auto CompileOperation(const ir::Node& node) const -> OperationPtr;
  // Runs it on `operands`; false on an evaluation error or when the memory budget is exceeded.
  static auto RunOperation(Context& ctx, const Code& op, Value* operands, Value* out) -> bool;
  // Allocates a list of `n` items in the evaluation's scratch arena, for native code to fill
  // (its items are not initialised; native code sets `size` to the count it wrote); null past the
  // limits. Inline: a filter in native code calls it once per evaluation.
  static auto NewNativeList(Context& ctx, uint32_t n) -> AggregateObject* {
    if (n > kMaxGeneratedItems) {
      return nullptr;
    }
    try {
      AggregateObject* out = ctx.scratch_.NewUninitializedAggregate(n);
      return ctx.scratch_.bytes_allocated() <= kMaxEvaluationBytes ? out : nullptr;
    } catch (...) {  // bad_alloc: nothing may unwind through native frames
      return nullptr;
    }
  }

  struct Impl;

 private:
  friend class Context;
  CompiledProgram() = default;
  std::shared_ptr<const ir::Program> ir_;
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<const NativeCode> native_;
};

// When a decision or parameter is in effect, in words: "from 2014-03-17", "from 2020-01-01 until
// 2020-12-31, and from 2022-01-01", "always".
auto EffectiveSummary(const ir::Decision& d) -> std::string;

}  // namespace policy::vm
