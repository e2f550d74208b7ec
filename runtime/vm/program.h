// The interpreter's private header: what its files share. The closure base class (Code) and the
// Frame it evaluates in, the compiled form of a program (CompiledProgram::Impl: functions,
// decisions, tests, globals), the stack of slot windows, the evaluation-failure exception and the
// checked arithmetic the closures share, and the factories (namespace detail) through which the
// compiler (compiler.cpp) builds the closures of code_*.cpp. Only runtime/vm includes it; the
// public interface is eval.h.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/builtins.h"
#include "runtime/vm/eval.h"

namespace policy::vm {

// Internal: evaluation errors unwind to CompiledProgram::Evaluate as this exception. Nothing
// outside runtime/vm sees it.
struct EvalFailure {
  EvalError error;
};

[[noreturn]] inline void Fail(DiagCode code, Span span, std::string message) {
  throw EvalFailure{{code, std::move(message), span, {}, {}, {}}};
}

struct Frame {
  Context& ctx;
  Value* slots;
};

class Code {
 public:
  explicit Code(Span span) : span_(span) {}
  virtual ~Code() = default;
  virtual auto Eval(Frame& f) const -> Value = 0;
  auto span() const -> Span { return span_; }

 private:
  Span span_;
};
using CodePtr = std::unique_ptr<Code>;

struct CompiledRule {
  std::vector<CodePtr> conjuncts;
  CodePtr then;
  Period effective;
  std::vector<uint32_t> overrides;
};

struct CompiledDecision {
  uint32_t num_slots = 0;   // parameters and bindings
  uint32_t mask_words = 0;  // extra slots holding the "defeated by an exception" bit set
  CodePtr default_value;
  std::vector<CompiledRule> rules;
};

struct CompiledFunction {
  uint32_t num_slots = 0;
  CodePtr body;
};

struct CompiledStep {
  bool is_let = false;
  bool expect_not_applicable = false;  // then `probe_args` are the arguments of `probe_decision`
  uint32_t probe_decision = 0;
  std::vector<CodePtr> probe_args;
  uint32_t slot = 0;
  CodePtr expr;
  CodePtr lhs;
  CodePtr rhs;
  TypeId lhs_type = 0;
};

struct CompiledTest {
  uint32_t num_slots = 0;
  std::vector<CompiledStep> steps;
};

struct CompiledProgram::Impl {
  const ir::Program* ir = nullptr;
  std::vector<CompiledFunction> functions;
  std::vector<CompiledDecision> decisions;
  std::vector<CodePtr> global_code;
  std::vector<uint32_t> global_slots;
  std::vector<Value> globals;
  Arena global_arena;  // owns the texts, lists and records of `globals`
  std::vector<CompiledTest> tests;
  uint32_t max_stack = 0;
  // Per decision, where its native entry point is kept, or null (AttachNative); empty without
  // native code. Read with acquire: the entry may be replaced by optimised code at any time.
  std::vector<const std::atomic<NativeFn>*> native_slots;

  auto NativeSlot(uint32_t d) const -> const std::atomic<NativeFn>* {
    return d < native_slots.size() ? native_slots[d] : nullptr;
  }
  auto NativeEntry(uint32_t d) const -> NativeFn {
    const std::atomic<NativeFn>* slot = NativeSlot(d);
    return slot != nullptr ? slot->load(std::memory_order_acquire) : nullptr;
  }

  auto CallDecision(Context& ctx, uint32_t d, Value* slots, Span call_site, DecisionResult* top) const
      -> Value;

  // Explanations (explain_expr.cpp): appends the notes of a conjunct that did not hold in
  // `frame`, and of a `then` that gave `value`. They never fail: a part that cannot be evaluated
  // again is shown without its value, and the context is left as it was found.
  void RecordOutcome(Frame& frame, const Trace& trace, DecisionRecord& record, RuleOutcome outcome,
                     const ir::Node* condition, const Value& value) const;
  void NoteCondition(Frame& frame, const ir::Node& cond, std::vector<ExprNote>& notes) const;
  void NoteThen(Frame& frame, const ir::Node& then, const Value& value, std::vector<ExprNote>& notes) const;
  // The closure of a part of an expression, compiled (compiler.cpp) the first time an
  // explanation needs it and kept for the program's lifetime; shared by every thread.
  auto PartCode(const ir::Node& n) const -> const Code&;
  mutable std::mutex part_mu;
  mutable std::unordered_map<const ir::Node*, CodePtr> part_code;
  auto NotInEffect(Context& ctx, uint32_t d, Span call_site, DecisionResult* top, DecisionRecord record) const
      -> Value;
};

// ---- the stack of slot windows ------------------------------------------------------------------

class SlotWindow {
 public:
  SlotWindow(Context& ctx, std::vector<Value>& stack, uint32_t& sp, uint32_t n) : sp_(sp), saved_(sp) {
    if (sp + n > stack.size()) {
      Fail(DiagCode::kArithmeticError, Span{},
           "evaluation needs more stack than was planned (internal error)");
    }
    slots_ = stack.data() + sp;
    for (uint32_t i = 0; i < n; ++i) {
      slots_[i] = Value();
    }
    sp += n;
    (void)ctx;
  }
  ~SlotWindow() { sp_ = saved_; }
  SlotWindow(const SlotWindow&) = delete;
  auto operator=(const SlotWindow&) -> SlotWindow& = delete;
  auto slots() const -> Value* { return slots_; }

 private:
  uint32_t& sp_;
  uint32_t saved_;
  Value* slots_ = nullptr;
};

// Accessors for Context internals used by the closures.
struct ContextAccess {
  static auto Stack(Context& c) -> std::vector<Value>& { return c.stack_; }
  static auto Sp(Context& c) -> uint32_t& { return c.sp_; }
  static auto Scratch(Context& c) -> Arena& { return c.scratch_; }
  static auto AsOf(Context& c) -> Date { return c.as_of(); }
  static auto AsOfReason(Context& c) -> std::string_view& { return c.as_of_reason_; }
  static auto GetTrace(Context& c) -> Trace* { return c.trace_; }
  static auto Depth(Context& c) -> uint32_t& { return c.depth_; }
  static auto TraceSlot(Context& c) -> Trace*& { return c.trace_; }
  static auto Steps(Context& c) -> uint64_t& { return c.steps_; }
  static auto DateWord(Context& c) -> int64_t& { return c.native_state_.as_of; }
  // Counts `n` steps of work against kMaxEvaluationSteps, and checks the memory the evaluation
  // has built so far against kMaxEvaluationBytes. Called on every call and aggregate, so that no
  // loop or chain of calls escapes it; one value built in between is at most kMaxGeneratedItems.
  static void Charge(Context& c, uint64_t n, Span span) {
    c.steps_ += n;
    if (c.steps_ > kMaxEvaluationSteps) [[unlikely]] {
      Fail(DiagCode::kEvaluationTooLong, span,
           fmt::format("evaluation took more than {} steps", kMaxEvaluationSteps));
    }
    CheckMemory(c, span);
  }
  static auto NativeOn(Context& c) -> bool { return c.native_; }
  // Runs a native decision; nullopt when it did not give a value (the caller then interprets).
  static auto RunNative(Context& c, NativeFn fn, const Value* args, Date as_of) -> std::optional<Value> {
    NativeState state{&c, as_of.days(), 0, c.steps_};
    Value out;
    // Past the budget, the interpreter evaluates the call itself, to fail where it fails.
    if (fn(&state, args, &out) == kNativeValue && c.steps_ + state.steps <= kMaxEvaluationSteps) {
      c.steps_ += state.steps;
      ++c.native_answers_;
      return out;
    }
    ++c.native_bails_;
    return std::nullopt;
  }
  static void CheckMemory(Context& c, Span span) {
    if (c.scratch_.bytes_allocated() > kMaxEvaluationBytes) [[unlikely]] {
      Fail(DiagCode::kEvaluationTooLong, span,
           fmt::format("evaluation built more than {} MiB of values", kMaxEvaluationBytes >> 20));
    }
  }
};
using CA = ContextAccess;

namespace detail {

// ---- checked arithmetic, shared by the closures ------------------------------------------------

// E0912 for a decimal operation without a value, saying which of the two causes it was: a
// division by zero, or a result whose integer part needs more digits than a Decimal holds.
// `operation` names it ("multiplication"), `operands` shows it with its values ("10.5 * 2").
[[noreturn]] void FailDecimal(Span s, std::string_view operation, std::string_view operands, bool by_zero);

// `result` as a Value, or E0912 for `a symbol b`.
inline auto CheckedDecimal(std::optional<Decimal> result, Span s, std::string_view operation, Decimal a,
                           std::string_view symbol, Decimal b) -> Value {
  if (!result) [[unlikely]] {
    FailDecimal(s, operation, fmt::format("{} {} {}", a.ToString(), symbol, b.ToString()),
                b == Decimal() && (symbol == "/" || symbol == "%"));
  }
  return Value::Dec(*result);
}

inline auto CheckedDate(std::optional<Date> d, Span s) -> Value {
  if (!d) {
    Fail(DiagCode::kArithmeticError, s, "date arithmetic left the supported range (years 1 to 9999)");
  }
  return Value::DateV(*d);
}

inline auto CompareDurationsOrFail(const Value& x, const Value& y, Span s) -> int {
  const auto c = CompareDurations(x.as_duration(), y.as_duration());
  if (!c) {
    Fail(DiagCode::kIncomparableDurations, s,
         fmt::format("cannot compare `{}` with `{}`: a month has no fixed number of days",
                     x.as_duration().ToText(), y.as_duration().ToText()));
  }
  return *c;
}

// ---- closure factories -------------------------------------------------------------------------
//
// One per closure class; the classes themselves are local to the file that defines them. Used only
// while compiling, never while evaluating.

// code_leaves.cpp: leaves and logic.
auto MakeConst(Span s, Value v) -> CodePtr;
auto MakeLocal(Span s, uint32_t slot) -> CodePtr;
auto MakeGlobal(Span s, const std::vector<Value>& globals, uint32_t index) -> CodePtr;
auto MakeAsOf(Span s) -> CodePtr;
auto MakeAsOfDate(Span s, CodePtr body, CodePtr date, std::string_view reason) -> CodePtr;
auto MakeField(Span s, CodePtr base, uint32_t index) -> CodePtr;
auto MakeLocalPath(Span s, uint32_t slot, std::vector<uint32_t> path) -> CodePtr;
auto MakeNot(Span s, CodePtr a) -> CodePtr;
auto MakeAnd(Span s, CodePtr a, CodePtr b) -> CodePtr;
auto MakeOr(Span s, CodePtr a, CodePtr b) -> CodePtr;
auto MakeIf(Span s, CodePtr c, CodePtr a, CodePtr b) -> CodePtr;
auto MakeIsNone(Span s, CodePtr a, bool want_some) -> CodePtr;
auto MakeCoalesce(Span s, CodePtr a, CodePtr b) -> CodePtr;

// code_arithmetic.cpp: arithmetic, comparison and equality, specialised on the operand types.
// `a` and `b` are the compiled kids of `n`.
auto MakeNeg(Span s, TypeId type, CodePtr a) -> CodePtr;
auto MakeArith(const TypeTable& types, const ir::Node& n, CodePtr a, CodePtr b) -> CodePtr;
auto MakeCompare(const ir::Node& n, CodePtr a, CodePtr b) -> CodePtr;
// `as_int`: both sides are plain (not optional) ints, bools, enums or dates, compared as integers.
auto MakeEquals(Span s, CodePtr a, CodePtr b, bool ne, bool as_int) -> CodePtr;
auto MakeDuration(Span s, CodePtr count, DurationUnit unit) -> CodePtr;

// code_collections.cpp: membership, aggregates, building and updating records, lists and sets,
// and matches.
enum class AggregateShape : uint8_t { kRecord, kList, kSet };
auto MakeIn(Span s, CodePtr a, CodePtr b, bool negated) -> CodePtr;
auto MakeEnumInMask(Span s, CodePtr a, uint64_t mask, bool negated) -> CodePtr;
auto MakeAggregate(Span s, ir::AggOp op, uint32_t slot, CodePtr coll, CodePtr body, bool decimal) -> CodePtr;
auto MakeBuildAggregate(Span s, AggregateShape shape, std::vector<CodePtr> kids) -> CodePtr;
auto MakeWith(Span s, CodePtr base, std::vector<std::vector<uint32_t>> paths, std::vector<CodePtr> values)
    -> CodePtr;
auto MakeMatchEnum(Span s, CodePtr scrut, std::vector<CodePtr> arms, std::vector<uint32_t> table,
                   uint32_t none_arm, std::vector<uint32_t> bind) -> CodePtr;
auto MakeMatchOptional(Span s, CodePtr scrut, CodePtr none_arm, CodePtr some_arm, uint32_t slot) -> CodePtr;

// code_calls.cpp: calls of functions, decisions and builtins.
auto MakeCallFunction(Span s, const CompiledFunction& fn, std::vector<CodePtr> args) -> CodePtr;
auto MakeCallDecision(Span s, const CompiledProgram::Impl& impl, uint32_t decision, std::vector<CodePtr> args)
    -> CodePtr;
auto MakeBuiltin(Span s, Builtin b, std::vector<CodePtr> args, bool decimal) -> CodePtr;

}  // namespace detail

}  // namespace policy::vm
