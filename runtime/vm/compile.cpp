// IR -> closures, and the evaluation of decisions with default-logic semantics.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "core/builtins.h"
#include "core/calendar.h"
#include "runtime/vm/eval.h"

namespace policy::vm {

// Internal: evaluation errors unwind to CompiledProgram::Evaluate as this exception. Nothing
// outside this file sees it.
struct EvalFailure {
  EvalError error;
};

[[noreturn]] static void Fail(DiagCode code, Span span, std::string message) {
  throw EvalFailure{{code, std::move(message), span, {}, {}}};
}

// Concatenation is the one way a value can grow without bound (doubling a list in each of a
// chain of functions); lists and texts built during evaluation stay within kMaxGeneratedItems.
static void CheckBuiltSize(size_t n, Span span, const char* what, const char* unit) {
  if (n > kMaxGeneratedItems) {
    Fail(
        DiagCode::kBadRange, span,
        fmt::format("the {} would have {} {}, more than the limit of {}", what, n, unit, kMaxGeneratedItems));
  }
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
  static auto AsOf(Context& c) -> Date { return c.as_of_; }
  static auto GetTrace(Context& c) -> Trace* { return c.trace_; }
  static auto Depth(Context& c) -> uint32_t& { return c.depth_; }
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

namespace {

// ---- leaf closures -------------------------------------------------------------------------------

class ConstCode final : public Code {
 public:
  ConstCode(Span s, Value v) : Code(s), v_(v) {}
  auto Eval(Frame&) const -> Value override { return v_; }
  auto value() const -> Value { return v_; }

 private:
  Value v_;
};

class LocalCode final : public Code {
 public:
  LocalCode(Span s, uint32_t slot) : Code(s), slot_(slot) {}
  auto Eval(Frame& f) const -> Value override { return f.slots[slot_]; }
  auto slot() const -> uint32_t { return slot_; }

 private:
  uint32_t slot_;
};

class GlobalCode final : public Code {
 public:
  GlobalCode(Span s, const std::vector<Value>& globals, uint32_t index)
      : Code(s), globals_(globals), index_(index) {}
  auto Eval(Frame&) const -> Value override { return globals_[index_]; }

 private:
  const std::vector<Value>& globals_;
  uint32_t index_;
};

class AsOfCode final : public Code {
 public:
  using Code::Code;
  auto Eval(Frame& f) const -> Value override { return Value::DateV(CA::AsOf(f.ctx)); }
};

class FieldCode final : public Code {
 public:
  FieldCode(Span s, CodePtr base, uint32_t index) : Code(s), base_(std::move(base)), index_(index) {}
  auto Eval(Frame& f) const -> Value override { return base_->Eval(f).items()[index_]; }

 private:
  CodePtr base_;
  uint32_t index_;
};

// `c.programme.mode`: a chain of field reads starting at a local, fused into one loop.
class LocalPathCode final : public Code {
 public:
  LocalPathCode(Span s, uint32_t slot, std::vector<uint32_t> path)
      : Code(s), slot_(slot), path_(std::move(path)) {}
  auto Eval(Frame& f) const -> Value override {
    Value v = f.slots[slot_];
    for (const uint32_t i : path_) {
      v = v.items()[i];
    }
    return v;
  }

 private:
  uint32_t slot_;
  std::vector<uint32_t> path_;
};

// ---- logic ---------------------------------------------------------------------------------

class NotCode final : public Code {
 public:
  NotCode(Span s, CodePtr a) : Code(s), a_(std::move(a)) {}
  auto Eval(Frame& f) const -> Value override { return Value::Bool(!a_->Eval(f).as_bool()); }

 private:
  CodePtr a_;
};

class AndCode final : public Code {
 public:
  AndCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    return Value::Bool(a_->Eval(f).as_bool() && b_->Eval(f).as_bool());
  }

 private:
  CodePtr a_, b_;
};

class OrCode final : public Code {
 public:
  OrCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    return Value::Bool(a_->Eval(f).as_bool() || b_->Eval(f).as_bool());
  }

 private:
  CodePtr a_, b_;
};

class IfCode final : public Code {
 public:
  IfCode(Span s, CodePtr c, CodePtr a, CodePtr b)
      : Code(s), c_(std::move(c)), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override { return c_->Eval(f).as_bool() ? a_->Eval(f) : b_->Eval(f); }

 private:
  CodePtr c_, a_, b_;
};

class IsNoneCode final : public Code {
 public:
  IsNoneCode(Span s, CodePtr a, bool want_some) : Code(s), a_(std::move(a)), want_some_(want_some) {}
  auto Eval(Frame& f) const -> Value override { return Value::Bool(a_->Eval(f).is_none() != want_some_); }

 private:
  CodePtr a_;
  bool want_some_;
};

class CoalesceCode final : public Code {
 public:
  CoalesceCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = a_->Eval(f);
    return v.is_none() ? b_->Eval(f) : v;
  }

 private:
  CodePtr a_, b_;
};

// ---- arithmetic and comparison -----------------------------------------------------------------------

template <typename Fn>
class BinaryCode final : public Code {
 public:
  BinaryCode(Span s, CodePtr a, CodePtr b, Fn fn) : Code(s), a_(std::move(a)), b_(std::move(b)), fn_(fn) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = a_->Eval(f);
    const Value y = b_->Eval(f);
    return fn_(f, x, y, span());
  }

 private:
  CodePtr a_, b_;
  Fn fn_;
};

template <typename Fn>
auto MakeBinary(Span s, CodePtr a, CodePtr b, Fn fn) -> CodePtr {
  return std::make_unique<BinaryCode<Fn>>(s, std::move(a), std::move(b), fn);
}

auto CheckedDecimal(std::optional<Decimal> d, Span s, const char* what) -> Value {
  if (!d) {
    Fail(DiagCode::kArithmeticError, s, fmt::format("decimal {} overflowed or divided by zero", what));
  }
  return Value::Dec(*d);
}

auto CheckedDate(std::optional<Date> d, Span s) -> Value {
  if (!d) {
    Fail(DiagCode::kArithmeticError, s, "date arithmetic left the supported range (years 1 to 9999)");
  }
  return Value::DateV(*d);
}

auto AddDuration(Date d, Duration dur, int sign, Span s) -> Value {
  int64_t n = 0;
  if (__builtin_mul_overflow(dur.count, sign, &n)) {
    Fail(DiagCode::kArithmeticError, s, "duration overflowed");
  }
  switch (dur.unit) {
    case DurationUnit::kDays:
      return CheckedDate(d.AddDays(n), s);
    case DurationUnit::kWeeks:
      if (__builtin_mul_overflow(n, 7, &n)) {
        Fail(DiagCode::kArithmeticError, s, "duration overflowed");
      }
      return CheckedDate(d.AddDays(n), s);
    case DurationUnit::kMonths:
      return CheckedDate(d.AddMonths(n), s);
    case DurationUnit::kYears:
      if (__builtin_mul_overflow(n, 12, &n)) {
        Fail(DiagCode::kArithmeticError, s, "duration overflowed");
      }
      return CheckedDate(d.AddMonths(n), s);
  }
  return Value();
}

auto CompareDurationsOrFail(const Value& x, const Value& y, Span s) -> int {
  const auto c = CompareDurations(x.as_duration(), y.as_duration());
  if (!c) {
    Fail(DiagCode::kIncomparableDurations, s,
         fmt::format("cannot compare `{}` with `{}`: a month has no fixed number of days",
                     x.as_duration().ToText(), y.as_duration().ToText()));
  }
  return *c;
}

auto ApplyCmp(ir::CmpOp op, int c) -> bool {
  switch (op) {
    case ir::CmpOp::kLt:
      return c < 0;
    case ir::CmpOp::kLe:
      return c <= 0;
    case ir::CmpOp::kGt:
      return c > 0;
    case ir::CmpOp::kGe:
      return c >= 0;
  }
  return false;
}

// Merges two sorted, duplicate-free sets (union or difference) into the scratch arena.
auto SetOp(Frame& f, const Value& a, const Value& b, bool is_union) -> Value {
  const auto xs = a.items();
  const auto ys = b.items();
  AggregateObject* out =
      CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(xs.size() + (is_union ? ys.size() : 0)));
  Value* data = out->mutable_data();
  uint32_t n = 0;
  size_t i = 0;
  size_t j = 0;
  while (i < xs.size() || j < ys.size()) {
    const int c = i == xs.size() ? 1 : j == ys.size() ? -1 : CompareValues(xs[i], ys[j]);
    if (c < 0) {
      data[n++] = xs[i++];
    } else if (c > 0) {
      if (is_union) {
        data[n++] = ys[j];
      }
      ++j;
    } else {
      if (is_union) {
        data[n++] = xs[i];
      }
      ++i;
      ++j;
    }
  }
  out->size = n;
  return Value::List(out);
}

// ---- collections ---------------------------------------------------------------------------

class InCode final : public Code {
 public:
  InCode(Span s, CodePtr a, CodePtr b, bool negated)
      : Code(s), a_(std::move(a)), b_(std::move(b)), negated_(negated) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = a_->Eval(f);
    const Value coll = b_->Eval(f);
    bool found = false;
    if (!x.is_none()) {
      for (const Value& v : coll.items()) {
        if (ValuesEqual(v, x)) {
          found = true;
          break;
        }
      }
    }
    return Value::Bool(found != negated_);
  }

 private:
  CodePtr a_, b_;
  bool negated_;
};

// `level in {undergraduate, taught_postgraduate}` with a constant set of enum values: one bit test.
class EnumInMaskCode final : public Code {
 public:
  EnumInMaskCode(Span s, CodePtr a, uint64_t mask, bool negated)
      : Code(s), a_(std::move(a)), mask_(mask), negated_(negated) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = a_->Eval(f);
    const bool found = !x.is_none() && ((mask_ >> x.as_enum()) & 1U) != 0;
    return Value::Bool(found != negated_);
  }

 private:
  CodePtr a_;
  uint64_t mask_;
  bool negated_;
};

class AggregateCode final : public Code {
 public:
  AggregateCode(Span s, ir::AggOp op, uint32_t slot, CodePtr coll, CodePtr body, bool decimal)
      : Code(s), op_(op), slot_(slot), coll_(std::move(coll)), body_(std::move(body)), decimal_(decimal) {}
  auto Eval(Frame& f) const -> Value override {
    const Value coll = coll_->Eval(f);
    const auto items = coll.items();
    CA::Charge(f.ctx, items.size(), span());
    switch (op_) {
      case ir::AggOp::kAll:
        for (const Value& v : items) {
          Visit(f, v);
          if (!body_->Eval(f).as_bool()) {
            return Value::Bool(false);
          }
        }
        return Value::Bool(true);
      case ir::AggOp::kAny:
        for (const Value& v : items) {
          Visit(f, v);
          if (body_->Eval(f).as_bool()) {
            return Value::Bool(true);
          }
        }
        return Value::Bool(false);
      case ir::AggOp::kCount: {
        int64_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          n += body_->Eval(f).as_bool() ? 1 : 0;
        }
        return Value::Int(n);
      }
      case ir::AggOp::kSum: {
        if (decimal_) {
          Decimal total;
          for (const Value& v : items) {
            Visit(f, v);
            total =
                CheckedDecimal(Decimal::Add(total, body_->Eval(f).as_decimal()), span(), "sum").as_decimal();
          }
          return Value::Dec(total);
        }
        int64_t total = 0;
        for (const Value& v : items) {
          Visit(f, v);
          if (__builtin_add_overflow(total, body_->Eval(f).as_int(), &total)) {
            Fail(DiagCode::kArithmeticError, span(), "integer sum overflowed");
          }
        }
        return Value::Int(total);
      }
      case ir::AggOp::kMin:
      case ir::AggOp::kMax: {
        Value best;
        bool first = true;
        for (const Value& v : items) {
          Visit(f, v);
          const Value x = body_->Eval(f);
          if (first) {
            best = x;
            first = false;
            continue;
          }
          const int c = x.tag() == Kind::kDuration ? CompareDurationsOrFail(x, best, span())
                                                       : CompareValues(x, best);
          if ((op_ == ir::AggOp::kMin && c < 0) || (op_ == ir::AggOp::kMax && c > 0)) {
            best = x;
          }
        }
        return best;
      }
      case ir::AggOp::kFilter: {
        AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(items.size()));
        uint32_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          if (body_->Eval(f).as_bool()) {
            out->mutable_data()[n++] = v;
          }
        }
        out->size = n;
        return Value::List(out);
      }
      case ir::AggOp::kMap: {
        AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(items.size()));
        uint32_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          out->mutable_data()[n++] = body_->Eval(f);
        }
        return Value::List(out);
      }
    }
    return Value();
  }

 private:
  // Binds the next item. The items were charged as steps up front; what each one builds is
  // checked here, so a loop cannot outgrow the memory budget between two charges.
  void Visit(Frame& f, const Value& v) const {
    f.slots[slot_] = v;
    CA::CheckMemory(f.ctx, span());
  }

  ir::AggOp op_;
  uint32_t slot_;
  CodePtr coll_, body_;
  bool decimal_;
};

class MakeAggregateCode final : public Code {
 public:
  enum class Kind : uint8_t { kRecord, kList, kSet };
  MakeAggregateCode(Span s, Kind kind, std::vector<CodePtr> kids)
      : Code(s), kind_(kind), kids_(std::move(kids)) {}
  auto Eval(Frame& f) const -> Value override {
    if (kind_ == Kind::kSet) {
      std::vector<Value> values;
      values.reserve(kids_.size());
      for (const auto& k : kids_) {
        values.push_back(k->Eval(f));
      }
      return CA::Scratch(f.ctx).NewSet(std::move(values));
    }
    AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(kids_.size()));
    for (size_t i = 0; i < kids_.size(); ++i) {
      out->mutable_data()[i] = kids_[i]->Eval(f);
    }
    return kind_ == Kind::kRecord ? Value::Record(out) : Value::List(out);
  }

 private:
  Kind kind_;
  std::vector<CodePtr> kids_;
};

auto UpdatePath(Arena& arena, const Value& rec, const std::vector<uint32_t>& path, size_t at, const Value& v)
    -> Value {
  const auto fields = rec.items();
  AggregateObject* out = arena.NewAggregate(static_cast<uint32_t>(fields.size()));
  std::copy(fields.begin(), fields.end(), out->mutable_data());
  const uint32_t i = path[at];
  out->mutable_data()[i] = at + 1 == path.size() ? v : UpdatePath(arena, fields[i], path, at + 1, v);
  return Value::Record(out);
}

class WithCode final : public Code {
 public:
  WithCode(Span s, CodePtr base, std::vector<std::vector<uint32_t>> paths, std::vector<CodePtr> values)
      : Code(s), base_(std::move(base)), paths_(std::move(paths)), values_(std::move(values)) {}
  auto Eval(Frame& f) const -> Value override {
    Value rec = base_->Eval(f);
    for (size_t i = 0; i < paths_.size(); ++i) {
      rec = UpdatePath(CA::Scratch(f.ctx), rec, paths_[i], 0, values_[i]->Eval(f));
    }
    return rec;
  }

 private:
  CodePtr base_;
  std::vector<std::vector<uint32_t>> paths_;
  std::vector<CodePtr> values_;
};

class MatchEnumCode final : public Code {
 public:
  MatchEnumCode(Span s, CodePtr scrut, std::vector<CodePtr> arms, std::vector<uint32_t> table,
                uint32_t none_arm, std::vector<uint32_t> bind)
      : Code(s),
        scrut_(std::move(scrut)),
        arms_(std::move(arms)),
        table_(std::move(table)),
        none_arm_(none_arm),
        bind_(std::move(bind)) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = scrut_->Eval(f);
    const uint32_t arm = v.is_none() ? none_arm_ : table_[v.as_enum()];
    if (bind_[arm] != UINT32_MAX) {
      f.slots[bind_[arm]] = v;  // some(x): x is the value itself (optionals are unboxed)
    }
    return arms_[arm - 1]->Eval(f);
  }

 private:
  CodePtr scrut_;
  std::vector<CodePtr> arms_;
  std::vector<uint32_t> table_;
  uint32_t none_arm_;
  std::vector<uint32_t> bind_;
};

class MatchOptionalCode final : public Code {
 public:
  MatchOptionalCode(Span s, CodePtr scrut, CodePtr none_arm, CodePtr some_arm, uint32_t slot)
      : Code(s),
        scrut_(std::move(scrut)),
        none_(std::move(none_arm)),
        some_(std::move(some_arm)),
        slot_(slot) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = scrut_->Eval(f);
    if (v.is_none()) {
      return none_->Eval(f);
    }
    if (slot_ != UINT32_MAX) {
      f.slots[slot_] = v;
    }
    return some_->Eval(f);
  }

 private:
  CodePtr scrut_, none_, some_;
  uint32_t slot_;
};

// ---- calls ---------------------------------------------------------------------------------

class CallFunctionCode final : public Code {
 public:
  CallFunctionCode(Span s, const CompiledFunction& fn, std::vector<CodePtr> args)
      : Code(s), fn_(fn), args_(std::move(args)) {}
  auto Eval(Frame& f) const -> Value override {
    CA::Charge(f.ctx, 1, span());
    SlotWindow window(f.ctx, CA::Stack(f.ctx), CA::Sp(f.ctx), fn_.num_slots);
    for (size_t i = 0; i < args_.size(); ++i) {
      window.slots()[i] = args_[i]->Eval(f);
    }
    Frame callee{f.ctx, window.slots()};
    return fn_.body->Eval(callee);
  }

 private:
  const CompiledFunction& fn_;
  std::vector<CodePtr> args_;
};

class CallDecisionCode final : public Code {
 public:
  CallDecisionCode(Span s, const CompiledProgram::Impl& impl, uint32_t decision, std::vector<CodePtr> args)
      : Code(s), impl_(impl), decision_(decision), args_(std::move(args)) {}
  auto Eval(Frame& f) const -> Value override {
    CA::Charge(f.ctx, 1, span());
    const CompiledDecision& d = impl_.decisions[decision_];
    SlotWindow window(f.ctx, CA::Stack(f.ctx), CA::Sp(f.ctx), d.num_slots + d.mask_words);
    for (size_t i = 0; i < args_.size(); ++i) {
      window.slots()[i] = args_[i]->Eval(f);
    }
    // Test steps (and interpreted decisions) call native code when there is some and no
    // explanation is being recorded; if it gives up, the interpreter answers as always.
    if (CA::NativeOn(f.ctx) && CA::GetTrace(f.ctx) == nullptr) {
      if (const NativeFn fn = impl_.NativeEntry(decision_)) {
        if (const auto v = CA::RunNative(f.ctx, fn, window.slots(), CA::AsOf(f.ctx))) {
          return *v;
        }
      }
    }
    return impl_.CallDecision(f.ctx, decision_, window.slots(), span(), nullptr);
  }

 private:
  const CompiledProgram::Impl& impl_;
  uint32_t decision_;
  std::vector<CodePtr> args_;
};

class BuiltinCode final : public Code {
 public:
  BuiltinCode(Span s, Builtin b, std::vector<CodePtr> args, bool decimal)
      : Code(s), b_(b), args_(std::move(args)), decimal_(decimal) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = args_[0]->Eval(f);
    switch (b_) {
      case Builtin::kMin:
      case Builtin::kMax: {
        const Value y = args_[1]->Eval(f);
        const int c =
            x.tag() == Kind::kDuration ? CompareDurationsOrFail(x, y, span()) : CompareValues(x, y);
        return (b_ == Builtin::kMin) == (c <= 0) ? x : y;
      }
      case Builtin::kAbs:
        if (decimal_) {
          const Decimal d = x.as_decimal();
          return d.mantissa() < 0 ? CheckedDecimal(Decimal::Negate(d), span(), "abs") : x;
        }
        if (x.as_int() == INT64_MIN) {
          Fail(DiagCode::kArithmeticError, span(), "integer overflow in `abs`");
        }
        return Value::Int(x.as_int() < 0 ? -x.as_int() : x.as_int());
      case Builtin::kLength:
        if (x.tag() == Kind::kText) {
          return Value::Int(CodePointCount(x.as_text()));
        }
        return Value::Int(static_cast<int64_t>(x.items().size()));
      case Builtin::kYear:
        return Value::Int(x.as_date().ToCivil().year);
      case Builtin::kMonth:
        return Value::Int(x.as_date().ToCivil().month);
      case Builtin::kDay:
        return Value::Int(x.as_date().ToCivil().day);
      case Builtin::kWeekday:
        return Value::Int(x.as_date().Weekday());
      case Builtin::kDaysBetween:
        return Value::Int(static_cast<int64_t>(args_[1]->Eval(f).as_date().days()) - x.as_date().days());
      case Builtin::kToDecimal:
        return Value::Dec(Decimal::FromInt(x.as_int()));
      case Builtin::kAddWorkingDays: {
        const int64_t n = args_[1]->Eval(f).as_int();
        const WorkingCalendar cal = Calendar(f);
        return CheckedDate(AddWorkingDays(x.as_date(), n, cal), span());
      }
      case Builtin::kWorkingDaysBetween: {
        const Date b = args_[1]->Eval(f).as_date();
        const WorkingCalendar cal = Calendar(f);
        return Value::Int(WorkingDaysBetween(x.as_date(), b, cal));
      }
      case Builtin::kAddMonthsOverflow:
        return CheckedDate(AddMonthsOverflow(x.as_date(), args_[1]->Eval(f).as_int()), span());
      case Builtin::kDatesEvery:
        return DatesEveryValue(f, x.as_date());
      case Builtin::kDistinct: {
        const auto items = x.items();
        return CA::Scratch(f.ctx).NewSet(std::vector<Value>(items.begin(), items.end()));
      }
      case Builtin::kToList:
        return x;  // a set is already a sorted list
      case Builtin::kFlatten: {
        size_t total = 0;
        for (const Value& inner : x.items()) {
          total += inner.items().size();
        }
        CheckListSize(total);
        AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(total));
        size_t n = 0;
        for (const Value& inner : x.items()) {
          for (const Value& v : inner.items()) {
            out->mutable_data()[n++] = v;
          }
        }
        return Value::List(out);
      }
    }
    return Value();
  }

 private:
  // Arguments 2 and 3 of the working-day builtins: the holidays and the extra working days.
  // Set values stay alive in their arena for the whole evaluation, so spans into them are safe.
  auto Calendar(Frame& f) const -> WorkingCalendar {
    const Value holidays = args_[2]->Eval(f);
    const Value extra = args_[3]->Eval(f);
    return WorkingCalendar{DateSet(holidays.items()), DateSet(extra.items())};
  }

  void CheckListSize(size_t n) const {
    if (n > kMaxGeneratedItems) {
      Fail(DiagCode::kBadRange, span(),
           fmt::format("the list would have {} items, more than the limit of {}", n, kMaxGeneratedItems));
    }
  }

  auto DatesEveryValue(Frame& f, Date first) const -> Value {
    const Date last = args_[1]->Eval(f).as_date();
    const Duration step = args_[2]->Eval(f).as_duration();
    DatesEveryError error = DatesEveryError::kNone;
    const std::vector<Date> dates = DatesEvery(first, last, step, kMaxGeneratedItems, &error);
    if (error == DatesEveryError::kStepNotPositive) {
      Fail(DiagCode::kBadRange, span(),
           fmt::format("`dates_every` needs a positive step, got `{}`", step.ToText()));
    }
    if (error == DatesEveryError::kTooMany) {
      Fail(DiagCode::kBadRange, span(),
           fmt::format("`dates_every` from {} to {} every {} gives more than {} dates", first.ToString(),
                       last.ToString(), step.ToText(), kMaxGeneratedItems));
    }
    AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(dates.size()));
    for (size_t i = 0; i < dates.size(); ++i) {
      out->mutable_data()[i] = Value::DateV(dates[i]);
    }
    return Value::List(out);
  }

  Builtin b_;
  std::vector<CodePtr> args_;
  bool decimal_;
};

// ---- the compiler ----------------------------------------------------------------------------

class Compiler {
 public:
  Compiler(const ir::Program& ir, CompiledProgram::Impl& impl) : ir_(ir), impl_(impl) {}

  auto Compile(const ir::Node& n) -> CodePtr {
    const TypeTable& types = ir_.types;
    const Span s = n.span;
    switch (n.op) {
      case ir::Op::kConst:
        return std::make_unique<ConstCode>(s, ir_.constants[n.a]);
      case ir::Op::kLocal:
        return std::make_unique<LocalCode>(s, n.a);
      case ir::Op::kGlobal:
        return std::make_unique<GlobalCode>(s, impl_.globals, n.a);
      case ir::Op::kAsOf:
        return std::make_unique<AsOfCode>(s);
      case ir::Op::kField: {
        // Fuse local.f.g.h into one path read.
        std::vector<uint32_t> path;
        const ir::Node* cur = &n;
        while (cur->op == ir::Op::kField) {
          path.push_back(cur->a);
          cur = cur->kids[0].get();
        }
        if (cur->op == ir::Op::kLocal) {
          std::reverse(path.begin(), path.end());
          return std::make_unique<LocalPathCode>(s, cur->a, std::move(path));
        }
        return std::make_unique<FieldCode>(s, Compile(*n.kids[0]), n.a);
      }
      case ir::Op::kCallFunction:
        return std::make_unique<CallFunctionCode>(s, impl_.functions[n.a], CompileAll(n.kids));
      case ir::Op::kCallDecision:
        return std::make_unique<CallDecisionCode>(s, impl_, n.a, CompileAll(n.kids));
      case ir::Op::kCallBuiltin:
        return std::make_unique<BuiltinCode>(s, static_cast<Builtin>(n.a), CompileAll(n.kids),
                                             n.type == TypeTable::kDecimalId);
      case ir::Op::kNot:
        return std::make_unique<NotCode>(s, Compile(*n.kids[0]));
      case ir::Op::kNeg:
        return CompileNeg(n);
      case ir::Op::kAnd:
        return std::make_unique<AndCode>(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kOr:
        return std::make_unique<OrCode>(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kArith:
        return CompileArith(n);
      case ir::Op::kCompare:
        return CompileCompare(n);
      case ir::Op::kEq: {
        const bool ne = n.b != 0;
        const TypeId t = types.Unwrap(n.kids[0]->type);
        if ((t == TypeTable::kIntId || t == TypeTable::kBoolId || types.kind(t) == Kind::kEnum ||
             t == TypeTable::kDateId) &&
            !types.IsOptional(n.kids[0]->type) && !types.IsOptional(n.kids[1]->type)) {
          return MakeBinary(
              s, Compile(*n.kids[0]), Compile(*n.kids[1]),
              [ne](Frame&, Value x, Value y, Span) { return Value::Bool((x.as_int() == y.as_int()) != ne); });
        }
        return MakeBinary(s, Compile(*n.kids[0]), Compile(*n.kids[1]), [ne](Frame&, Value x, Value y, Span) {
          return Value::Bool(ValuesEqual(x, y) != ne);
        });
      }
      case ir::Op::kIn: {
        const ir::Node& coll = *n.kids[1];
        if (coll.op == ir::Op::kConst && types.kind(types.Unwrap(n.kids[0]->type)) == Kind::kEnum) {
          uint64_t mask = 0;
          bool fits = true;
          for (const Value& v : ir_.constants[coll.a].items()) {
            if (v.as_enum() >= 64) {
              fits = false;
            } else {
              mask |= uint64_t{1} << v.as_enum();
            }
          }
          if (fits) {
            return std::make_unique<EnumInMaskCode>(s, Compile(*n.kids[0]), mask, n.b != 0);
          }
        }
        return std::make_unique<InCode>(s, Compile(*n.kids[0]), Compile(coll), n.b != 0);
      }
      case ir::Op::kIsNone:
        return std::make_unique<IsNoneCode>(s, Compile(*n.kids[0]), n.b != 0);
      case ir::Op::kCoalesce:
        return std::make_unique<CoalesceCode>(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kIf:
        return std::make_unique<IfCode>(s, Compile(*n.kids[0]), Compile(*n.kids[1]), Compile(*n.kids[2]));
      case ir::Op::kDuration: {
        const auto unit = static_cast<DurationUnit>(n.a);
        return MakeBinary(s, Compile(*n.kids[0]), std::make_unique<ConstCode>(s, Value()),
                          [unit](Frame&, Value x, Value, Span) {
                            return Value::Dur({x.as_int(), unit});
                          });
      }
      case ir::Op::kRecord:
        return std::make_unique<MakeAggregateCode>(s, MakeAggregateCode::Kind::kRecord, CompileAll(n.kids));
      case ir::Op::kList:
        return std::make_unique<MakeAggregateCode>(s, MakeAggregateCode::Kind::kList, CompileAll(n.kids));
      case ir::Op::kSet:
        return std::make_unique<MakeAggregateCode>(s, MakeAggregateCode::Kind::kSet, CompileAll(n.kids));
      case ir::Op::kWith: {
        std::vector<CodePtr> values;
        for (size_t i = 1; i < n.kids.size(); ++i) {
          values.push_back(Compile(*n.kids[i]));
        }
        return std::make_unique<WithCode>(s, Compile(*n.kids[0]), n.paths, std::move(values));
      }
      case ir::Op::kAggregate:
        return std::make_unique<AggregateCode>(s, n.agg, n.a, Compile(*n.kids[0]), Compile(*n.kids[1]),
                                               types.Unwrap(n.type) == TypeTable::kDecimalId);
      case ir::Op::kMatchEnum: {
        std::vector<CodePtr> arms;
        for (size_t i = 1; i < n.kids.size(); ++i) {
          arms.push_back(Compile(*n.kids[i]));
        }
        return std::make_unique<MatchEnumCode>(s, Compile(*n.kids[0]), std::move(arms), n.table, n.b, n.bind);
      }
      case ir::Op::kMatchOptional:
        return std::make_unique<MatchOptionalCode>(s, Compile(*n.kids[0]), Compile(*n.kids[1]),
                                                   Compile(*n.kids[2]), n.a);
    }
    return std::make_unique<ConstCode>(s, Value());
  }

 private:
  auto CompileAll(const std::vector<ir::NodePtr>& kids) -> std::vector<CodePtr> {
    std::vector<CodePtr> out;
    for (const auto& k : kids) {
      out.push_back(Compile(*k));
    }
    return out;
  }

  auto CompileNeg(const ir::Node& n) -> CodePtr {
    const TypeId t = n.type;
    auto zero = std::make_unique<ConstCode>(n.span, Value());
    if (t == TypeTable::kDecimalId) {
      return MakeBinary(n.span, Compile(*n.kids[0]), std::move(zero), [](Frame&, Value x, Value, Span s) {
        return CheckedDecimal(Decimal::Negate(x.as_decimal()), s, "negation");
      });
    }
    if (t == TypeTable::kDurationId) {
      return MakeBinary(n.span, Compile(*n.kids[0]), std::move(zero), [](Frame&, Value x, Value, Span s) {
        const Duration d = x.as_duration();
        if (d.count == INT64_MIN) {
          Fail(DiagCode::kArithmeticError, s, "duration overflowed");
        }
        return Value::Dur({-d.count, d.unit});
      });
    }
    return MakeBinary(n.span, Compile(*n.kids[0]), std::move(zero), [](Frame&, Value x, Value, Span s) {
      if (x.as_int() == INT64_MIN) {
        Fail(DiagCode::kArithmeticError, s, "integer overflow in negation");
      }
      return Value::Int(-x.as_int());
    });
  }

  auto CompileArith(const ir::Node& n) -> CodePtr {
    const TypeTable& types = ir_.types;
    const TypeId l = n.kids[0]->type;
    const TypeId r = n.kids[1]->type;
    CodePtr a = Compile(*n.kids[0]);
    CodePtr b = Compile(*n.kids[1]);
    const Span s = n.span;
    using ir::ArithOp;
    if (l == TypeTable::kIntId && r == TypeTable::kIntId) {
      switch (n.arith) {
        case ArithOp::kAdd:
          return MakeBinary(s, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span sp) {
            int64_t out = 0;
            if (__builtin_add_overflow(x.as_int(), y.as_int(), &out)) {
              Fail(DiagCode::kArithmeticError, sp, "integer overflow in `+`");
            }
            return Value::Int(out);
          });
        case ArithOp::kSub:
          return MakeBinary(s, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span sp) {
            int64_t out = 0;
            if (__builtin_sub_overflow(x.as_int(), y.as_int(), &out)) {
              Fail(DiagCode::kArithmeticError, sp, "integer overflow in `-`");
            }
            return Value::Int(out);
          });
        case ArithOp::kMul:
          return MakeBinary(s, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span sp) {
            int64_t out = 0;
            if (__builtin_mul_overflow(x.as_int(), y.as_int(), &out)) {
              Fail(DiagCode::kArithmeticError, sp, "integer overflow in `*`");
            }
            return Value::Int(out);
          });
        case ArithOp::kDiv:
        case ArithOp::kMod: {
          const bool div = n.arith == ArithOp::kDiv;
          // Floor division and modulo: -7 / 2 = -4, -7 % 2 = 1 (documented in docs/language.md).
          return MakeBinary(s, std::move(a), std::move(b), [div](Frame&, Value x, Value y, Span sp) {
            const int64_t p = x.as_int();
            const int64_t q = y.as_int();
            if (q == 0) {
              Fail(DiagCode::kArithmeticError, sp, "division by zero");
            }
            if (p == INT64_MIN && q == -1) {
              Fail(DiagCode::kArithmeticError, sp, "integer overflow in division");
            }
            int64_t quot = p / q;
            int64_t rem = p % q;
            if (rem != 0 && ((rem < 0) != (q < 0))) {
              --quot;
              rem += q;
            }
            return Value::Int(div ? quot : rem);
          });
        }
      }
    }
    if (l == TypeTable::kDecimalId && r == TypeTable::kDecimalId) {
      const ArithOp op = n.arith;
      return MakeBinary(s, std::move(a), std::move(b), [op](Frame&, Value x, Value y, Span sp) {
        const Decimal p = x.as_decimal();
        const Decimal q = y.as_decimal();
        switch (op) {
          case ArithOp::kAdd:
            return CheckedDecimal(Decimal::Add(p, q), sp, "addition");
          case ArithOp::kSub:
            return CheckedDecimal(Decimal::Sub(p, q), sp, "subtraction");
          case ArithOp::kMul:
            return CheckedDecimal(Decimal::Mul(p, q), sp, "multiplication");
          case ArithOp::kDiv:
            return CheckedDecimal(Decimal::Div(p, q), sp, "division");
          case ArithOp::kMod: {
            const auto quot = Decimal::Div(p, q);
            if (!quot) {
              Fail(DiagCode::kArithmeticError, sp, "division by zero");
            }
            // p - q * floor(p / q)
            const Decimal qf =
                Decimal::Parse(quot->ToString().substr(0, quot->ToString().find('.'))).value_or(Decimal());
            const Decimal floor = quot->mantissa() < 0 && !quot->IsInteger()
                                      ? Decimal::Sub(qf, Decimal::FromInt(1)).value_or(qf)
                                      : qf;
            const auto prod = Decimal::Mul(q, floor);
            return CheckedDecimal(prod ? Decimal::Sub(p, *prod) : std::nullopt, sp, "modulo");
          }
        }
        return Value();
      });
    }
    if (l == TypeTable::kDateId && r == TypeTable::kDurationId) {
      const int sign = n.arith == ArithOp::kSub ? -1 : 1;
      return MakeBinary(s, std::move(a), std::move(b), [sign](Frame&, Value x, Value y, Span sp) {
        return AddDuration(x.as_date(), y.as_duration(), sign, sp);
      });
    }
    if (l == TypeTable::kDurationId && r == TypeTable::kIntId) {
      return MakeBinary(s, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span sp) {
        Duration d = x.as_duration();
        if (__builtin_mul_overflow(d.count, y.as_int(), &d.count)) {
          Fail(DiagCode::kArithmeticError, sp, "duration overflowed");
        }
        return Value::Dur(d);
      });
    }
    if (l == TypeTable::kTextId) {
      return MakeBinary(s, std::move(a), std::move(b), [](Frame& f, Value x, Value y, Span sp) {
        CheckBuiltSize(x.as_text().size() + y.as_text().size(), sp, "text", "bytes");
        std::string joined(x.as_text());
        joined += y.as_text();
        return CA::Scratch(f.ctx).NewText(joined);
      });
    }
    if (types.kind(l) == Kind::kSet) {
      const bool is_union = n.arith == ArithOp::kAdd;
      return MakeBinary(s, std::move(a), std::move(b),
                        [is_union](Frame& f, Value x, Value y, Span) { return SetOp(f, x, y, is_union); });
    }
    // List concatenation.
    return MakeBinary(s, std::move(a), std::move(b), [](Frame& f, Value x, Value y, Span sp) {
      const auto xs = x.items();
      const auto ys = y.items();
      CheckBuiltSize(xs.size() + ys.size(), sp, "list", "items");
      AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(xs.size() + ys.size()));
      std::copy(xs.begin(), xs.end(), out->mutable_data());
      std::copy(ys.begin(), ys.end(), out->mutable_data() + xs.size());
      return Value::List(out);
    });
  }

  auto CompileCompare(const ir::Node& n) -> CodePtr {
    const TypeId t = n.kids[0]->type;
    const ir::CmpOp op = n.cmp;
    CodePtr a = Compile(*n.kids[0]);
    CodePtr b = Compile(*n.kids[1]);
    if (t == TypeTable::kIntId || t == TypeTable::kDateId) {
      switch (op) {
        case ir::CmpOp::kLt:
          return MakeBinary(n.span, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span) {
            return Value::Bool(x.as_int() < y.as_int());
          });
        case ir::CmpOp::kLe:
          return MakeBinary(n.span, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span) {
            return Value::Bool(x.as_int() <= y.as_int());
          });
        case ir::CmpOp::kGt:
          return MakeBinary(n.span, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span) {
            return Value::Bool(x.as_int() > y.as_int());
          });
        case ir::CmpOp::kGe:
          return MakeBinary(n.span, std::move(a), std::move(b), [](Frame&, Value x, Value y, Span) {
            return Value::Bool(x.as_int() >= y.as_int());
          });
      }
    }
    if (t == TypeTable::kDurationId) {
      return MakeBinary(n.span, std::move(a), std::move(b), [op](Frame&, Value x, Value y, Span s) {
        return Value::Bool(ApplyCmp(op, CompareDurationsOrFail(x, y, s)));
      });
    }
    return MakeBinary(n.span, std::move(a), std::move(b), [op](Frame&, Value x, Value y, Span) {
      return Value::Bool(ApplyCmp(op, CompareValues(x, y)));
    });
  }

  const ir::Program& ir_;
  CompiledProgram::Impl& impl_;
};

// Slots a body needs: the declared count, or more if a node binds a higher slot.
void MaxSlot(const ir::Node& n, uint32_t& max) {
  if (n.op == ir::Op::kLocal || n.op == ir::Op::kAggregate ||
      (n.op == ir::Op::kMatchOptional && n.a != UINT32_MAX)) {
    max = std::max(max, n.a + 1);
  }
  for (const uint32_t b : n.bind) {
    if (b != UINT32_MAX) {
      max = std::max(max, b + 1);
    }
  }
  for (const auto& k : n.kids) {
    if (k) {
      MaxSlot(*k, max);
    }
  }
}

void Callees(const ir::Node& n, std::vector<std::pair<bool, uint32_t>>& out) {
  if (n.op == ir::Op::kCallFunction || n.op == ir::Op::kCallDecision) {
    out.emplace_back(n.op == ir::Op::kCallDecision, n.a);
  }
  for (const auto& k : n.kids) {
    if (k) {
      Callees(*k, out);
    }
  }
}

}  // namespace

// ---- decisions -----------------------------------------------------------------------------------

auto CompiledProgram::Impl::CallDecision(Context& ctx, uint32_t d, Value* slots, Span call_site,
                                         DecisionResult* top) const -> Value {
  const CompiledDecision& cd = decisions[d];
  const ir::Decision& id = ir->decisions[d];
  Frame frame{ctx, slots};
  Trace* trace = CA::GetTrace(ctx);
  const Date as_of = CA::AsOf(ctx);
  uint32_t& depth = CA::Depth(ctx);
  DecisionRecord record;
  if (trace != nullptr) {
    record.decision = d;
    record.depth = depth;
  }
  if (!id.InEffect(as_of)) {
    return NotInEffect(ctx, d, call_site, top, std::move(record));
  }
  ++depth;
  // Slots [num_slots, num_slots + mask_words) hold the bit set of rules defeated by an applicable
  // exception; they start cleared (SlotWindow zeroes them).
  Value* mask = slots + cd.num_slots;
  std::optional<Value> result;
  uint32_t first_rule = 0;
  std::vector<uint32_t> overridden_by;
  if (trace != nullptr) {
    overridden_by.assign(cd.rules.size(), UINT32_MAX);
  }
  for (uint32_t i = 0; i < cd.rules.size(); ++i) {
    const CompiledRule& rule = cd.rules[i];
    if (((static_cast<uint64_t>(mask[i / 64].as_int()) >> (i % 64)) & 1U) != 0) {
      if (trace != nullptr) {
        record.rules.push_back({RuleOutcome::Kind::kOverridden, i, 0, overridden_by[i]});
      }
      continue;
    }
    if (!rule.effective.Contains(as_of)) {
      if (trace != nullptr) {
        record.rules.push_back({RuleOutcome::Kind::kNotInEffect, i, 0, 0});
      }
      continue;
    }
    bool holds = true;
    uint32_t failed = 0;
    for (uint32_t k = 0; k < rule.conjuncts.size(); ++k) {
      if (!rule.conjuncts[k]->Eval(frame).as_bool()) {
        holds = false;
        failed = k;
        break;
      }
    }
    if (!holds) {
      if (trace != nullptr) {
        record.rules.push_back({RuleOutcome::Kind::kConditionFailed, i, failed, 0});
      }
      continue;
    }
    const Value v = rule.then->Eval(frame);
    for (const uint32_t o : rule.overrides) {
      mask[o / 64] = Value::Int(
          static_cast<int64_t>(static_cast<uint64_t>(mask[o / 64].as_int()) | (uint64_t{1} << (o % 64))));
      if (trace != nullptr && overridden_by[o] == UINT32_MAX) {
        overridden_by[o] = i;
      }
    }
    if (trace != nullptr) {
      record.rules.push_back({RuleOutcome::Kind::kApplied, i, 0, 0});
      record.deciding_rules.push_back(i);
    }
    if (!result) {
      result = v;
      first_rule = i;
      continue;
    }
    if (!ValuesEqual(*result, v)) {
      const ir::Rule& a = id.rules[first_rule];
      const ir::Rule& b = id.rules[i];
      const auto cite = [](const ir::Rule& r) {
        return r.source.empty() ? std::string() : fmt::format(" ({})", r.source);
      };
      EvalError err;
      err.code = DiagCode::kConflict;
      err.span = a.span;
      err.message = fmt::format("conflicting rules for `{}`: `{}`{} gives `{}`, `{}`{} gives `{}`", id.name,
                                a.name, cite(a), FormatValue(ir->types, id.result, *result), b.name, cite(b),
                                FormatValue(ir->types, id.result, v));
      err.labels.push_back(
          {a.span, false, fmt::format("gives `{}`", FormatValue(ir->types, id.result, *result))});
      err.labels.push_back(
          {b.span, false, fmt::format("gives `{}` for the same case", FormatValue(ir->types, id.result, v))});
      err.notes.push_back(
          fmt::format("add `exception {} to {}` (or the reverse) to say which one wins, or make their "
                      "conditions exclusive",
                      b.name, a.name));
      if (call_site.valid()) {
        err.labels.push_back({call_site, false, "needed here"});
      }
      --depth;
      throw EvalFailure{std::move(err)};
    }
  }
  DecisionRecord::Via via = DecisionRecord::Via::kRule;
  if (!result) {
    if (cd.default_value) {
      result = cd.default_value->Eval(frame);
      via = DecisionRecord::Via::kDefault;
    } else {
      via = DecisionRecord::Via::kNotApplicable;
    }
  }
  --depth;
  if (trace != nullptr) {
    record.via = via;
    record.value = result.value_or(Value());
    trace->records.push_back(std::move(record));
  }
  if (!result) {
    if (top != nullptr) {
      top->applicable = false;
      top->value = Value();
      return Value();
    }
    EvalError err;
    err.code = DiagCode::kNotApplicable;
    err.span = call_site;
    err.message =
        fmt::format("decision `{}` was needed, but none of its rules applied and it has no default", id.name);
    err.labels.push_back({id.span, false, "declared here"});
    err.notes.push_back("give it a `default`, or make the caller handle the case where it does not apply");
    throw EvalFailure{std::move(err)};
  }
  if (top != nullptr) {
    top->applicable = true;
    top->value = *result;
  }
  return *result;
}

// A decision evaluated on a date outside its effective period: not applicable, whatever its
// default says (issue: "a decision evaluated before any version of it took effect").
auto CompiledProgram::Impl::NotInEffect(Context& ctx, uint32_t d, Span call_site, DecisionResult* top,
                                        DecisionRecord record) const -> Value {
  const ir::Decision& id = ir->decisions[d];
  if (Trace* trace = CA::GetTrace(ctx); trace != nullptr) {
    record.via = DecisionRecord::Via::kNotInEffect;
    for (uint32_t i = 0; i < id.rules.size(); ++i) {
      record.rules.push_back({RuleOutcome::Kind::kNotInEffect, i, 0, 0});
    }
    trace->records.push_back(std::move(record));
  }
  if (top != nullptr) {
    top->applicable = false;
    top->in_effect = false;
    top->value = Value();
    return Value();
  }
  const std::string date = CA::AsOf(ctx).ToString();
  EvalError err;
  err.span = call_site;
  if (id.is_parameter) {
    err.code = DiagCode::kParameterNotInEffect;
    err.message = fmt::format("parameter `{}` has no value on {}", id.name, date);
    err.labels.push_back({id.span, false, "declared here"});
    err.notes.push_back(fmt::format("its values are in effect {}", EffectiveSummary(id)));
  } else {
    err.code = DiagCode::kNotApplicable;
    err.message = fmt::format("decision `{}` was needed, but it is not in effect on {}", id.name, date);
    err.labels.push_back({id.span, false, "declared here"});
    err.notes.push_back(fmt::format("it is in effect {}", EffectiveSummary(id)));
  }
  throw EvalFailure{std::move(err)};
}

auto EffectiveSummary(const ir::Decision& d) -> std::string {
  std::vector<Period> periods = d.InEffectPeriods();
  std::sort(periods.begin(), periods.end());
  std::string out;
  for (const Period& p : periods) {
    const std::string text = p.ToString();
    out += fmt::format("{}{}", out.empty() ? "" : ", and ", text.empty() ? "always" : text);
  }
  return out.empty() ? "always" : out;
}

// ---- CompiledProgram ---------------------------------------------------------------------------

CompiledProgram::~CompiledProgram() = default;

auto CompiledProgram::Compile(std::shared_ptr<const ir::Program> program, EvalError* error)
    -> std::unique_ptr<CompiledProgram> {
  std::unique_ptr<CompiledProgram> out(new CompiledProgram());
  out->ir_ = std::move(program);
  out->impl_ = std::make_unique<Impl>();
  Impl& impl = *out->impl_;
  const ir::Program& ir = *out->ir_;
  impl.ir = &ir;
  Compiler compiler(ir, impl);
  // Functions and decisions are referenced by address from call closures, so size the vectors
  // first and fill them in place.
  impl.functions.resize(ir.functions.size());
  impl.decisions.resize(ir.decisions.size());
  impl.globals.resize(ir.globals.size());
  std::vector<uint32_t> fn_slots(ir.functions.size());
  std::vector<uint32_t> dec_slots(ir.decisions.size());
  for (size_t i = 0; i < ir.functions.size(); ++i) {
    uint32_t slots = std::max(ir.functions[i].num_slots, ir.functions[i].num_params);
    MaxSlot(*ir.functions[i].body, slots);
    impl.functions[i].num_slots = slots;
    fn_slots[i] = slots;
    impl.functions[i].body = compiler.Compile(*ir.functions[i].body);
  }
  for (size_t i = 0; i < ir.decisions.size(); ++i) {
    const ir::Decision& d = ir.decisions[i];
    CompiledDecision& cd = impl.decisions[i];
    uint32_t slots = std::max(d.num_slots, static_cast<uint32_t>(d.params.size()));
    if (d.default_value) {
      MaxSlot(*d.default_value, slots);
      cd.default_value = compiler.Compile(*d.default_value);
    }
    for (const ir::Rule& r : d.rules) {
      CompiledRule cr;
      for (const ir::Conjunct& c : r.when) {
        MaxSlot(*c.cond, slots);
        cr.conjuncts.push_back(compiler.Compile(*c.cond));
      }
      MaxSlot(*r.then, slots);
      cr.then = compiler.Compile(*r.then);
      cr.effective = r.effective;
      cr.overrides = r.overrides;
      cd.rules.push_back(std::move(cr));
    }
    cd.num_slots = slots;
    cd.mask_words = static_cast<uint32_t>((d.rules.size() + 63) / 64);
    dec_slots[i] = slots + cd.mask_words;
  }
  // Stack plan: the deepest chain of nested windows. The call graph is acyclic (checked), so a
  // memoised walk is enough.
  std::vector<int64_t> fn_need(ir.functions.size(), -1);
  std::vector<int64_t> dec_need(ir.decisions.size(), -1);
  std::function<uint32_t(const ir::Node&)> need_of;
  std::function<uint32_t(bool, uint32_t)> need = [&](bool is_decision, uint32_t id) -> uint32_t {
    auto& memo = is_decision ? dec_need[id] : fn_need[id];
    if (memo >= 0) {
      return static_cast<uint32_t>(memo);
    }
    memo = 0;  // breaks cycles defensively; the checker rejects them
    uint32_t deepest = 0;
    if (is_decision) {
      const ir::Decision& d = ir.decisions[id];
      if (d.default_value) {
        deepest = std::max(deepest, need_of(*d.default_value));
      }
      for (const ir::Rule& r : d.rules) {
        for (const ir::Conjunct& c : r.when) {
          deepest = std::max(deepest, need_of(*c.cond));
        }
        deepest = std::max(deepest, need_of(*r.then));
      }
    } else {
      deepest = need_of(*ir.functions[id].body);
    }
    memo = (is_decision ? dec_slots[id] : fn_slots[id]) + deepest;
    return static_cast<uint32_t>(memo);
  };
  need_of = [&](const ir::Node& n) -> uint32_t {
    std::vector<std::pair<bool, uint32_t>> callees;
    Callees(n, callees);
    uint32_t deepest = 0;
    for (const auto& [is_decision, id] : callees) {
      deepest = std::max(deepest, need(is_decision, id));
    }
    return deepest;
  };
  uint32_t max_stack = 0;
  for (uint32_t i = 0; i < ir.decisions.size(); ++i) {
    max_stack = std::max(max_stack, need(true, i));
  }
  for (uint32_t i = 0; i < ir.functions.size(); ++i) {
    max_stack = std::max(max_stack, need(false, i));
  }
  for (const ir::Global& g : ir.globals) {
    uint32_t slots = 0;
    MaxSlot(*g.init, slots);
    impl.global_slots.push_back(slots);
    impl.global_code.push_back(compiler.Compile(*g.init));
    max_stack = std::max(max_stack, slots + need_of(*g.init));
  }
  for (const ir::Test& t : ir.tests) {
    CompiledTest ct;
    uint32_t slots = t.num_slots;
    uint32_t deepest = 0;
    for (const ir::TestStep& s : t.steps) {
      MaxSlot(*s.expr, slots);
      deepest = std::max(deepest, need_of(*s.expr));
      CompiledStep cs;
      cs.is_let = s.is_let;
      cs.slot = s.slot;
      cs.expr = compiler.Compile(*s.expr);
      if (s.expect_not_applicable) {
        cs.expect_not_applicable = true;
        cs.probe_decision = s.expr->a;
        for (const auto& arg : s.expr->kids) {
          cs.probe_args.push_back(compiler.Compile(*arg));
        }
      }
      if (s.lhs) {
        cs.lhs = compiler.Compile(*s.lhs);
        cs.rhs = compiler.Compile(*s.rhs);
        cs.lhs_type = s.lhs->type;
        MaxSlot(*s.lhs, slots);
        MaxSlot(*s.rhs, slots);
      }
      ct.steps.push_back(std::move(cs));
    }
    ct.num_slots = slots;
    max_stack = std::max(max_stack, slots + deepest);
    impl.tests.push_back(std::move(ct));
  }
  impl.max_stack = max_stack + 8;
  // Globals are evaluated once, in dependency order, into the context's scratch arena, which is
  // not reset between them; the arena then moves into the program (its blocks stay where they
  // are, so the values remain valid for the program's lifetime).
  Context ctx(*out);
  ctx.as_of_ = Date();  // never read: the checker rejects `as_of` in constants (E0406)
  for (size_t i = 0; i < impl.global_code.size(); ++i) {
    ctx.steps_ = 0;
    try {
      SlotWindow window(ctx, ctx.stack_, ctx.sp_, impl.global_slots[i]);
      Frame frame{ctx, window.slots()};
      impl.globals[i] = impl.global_code[i]->Eval(frame);
    } catch (EvalFailure& failure) {
      if (error != nullptr) {
        *error = std::move(failure.error);
        error->notes.push_back(fmt::format("while computing constant `{}`", ir.globals[i].name));
      }
      return nullptr;
    }
  }
  impl.global_arena = std::move(ctx.scratch_);
  return out;
}

auto CompiledProgram::Evaluate(Context& ctx, uint32_t decision, std::span<const Value> args, Date as_of,
                               Trace* trace, EvalError* error) const -> std::optional<DecisionResult> {
  const CompiledDecision& cd = impl_->decisions[decision];
  ctx.scratch_.Reset();
  ctx.sp_ = 0;
  ctx.depth_ = 0;
  ctx.steps_ = 0;
  ctx.as_of_ = as_of;
  ctx.trace_ = trace;
  if (trace != nullptr) {
    trace->records.clear();
  }
  if (const NativeFn entry = trace == nullptr ? impl_->NativeEntry(decision) : nullptr) {
    DecisionResult result;
    if (TryNative(ctx, entry, args.data(), as_of, &result)) {
      return result;
    }
    if (ctx.native_) {
      // Gave up: the interpreter evaluates the case again, on a clean scratch arena.
      ++ctx.native_bails_;
      ctx.scratch_.Reset();
    }
  }
  try {
    SlotWindow window(ctx, ctx.stack_, ctx.sp_, cd.num_slots + cd.mask_words);
    for (size_t i = 0; i < args.size(); ++i) {
      window.slots()[i] = args[i];
    }
    DecisionResult result;
    impl_->CallDecision(ctx, decision, window.slots(), Span{}, &result);
    ctx.trace_ = nullptr;
    return result;
  } catch (EvalFailure& failure) {
    ctx.trace_ = nullptr;
    if (error != nullptr) {
      *error = std::move(failure.error);
    }
    return std::nullopt;
  }
}

auto CompiledProgram::Decide(Context& ctx, uint32_t decision, const Value* args, Date as_of,
                             DecisionResult* out) const -> bool {
  if (const NativeFn entry = impl_->NativeEntry(decision);
      entry != nullptr && TryNative(ctx, entry, args, as_of, out)) {
    return true;
  }
  // No native code, or it gave up (an error, or a budget): Evaluate runs it again, counts the
  // bail and lets the interpreter answer. Bails are rare, so running native code twice is cheap.
  EvalError error;
  auto result =
      Evaluate(ctx, decision, {args, impl_->ir->decisions[decision].params.size()}, as_of, nullptr, &error);
  if (result) {
    *out = *result;
  }
  return result.has_value();
}

auto CompiledProgram::NativeEntryOf(uint32_t decision) const -> NativeFn {
  return impl_->NativeEntry(decision);
}

auto CompiledProgram::NativeSlotOf(uint32_t decision) const -> const std::atomic<NativeFn>* {
  return impl_->NativeSlot(decision);
}

auto CompiledProgram::RunTest(Context& ctx, uint32_t test, Date default_as_of, EvalError* error,
                              Trace* trace) const -> std::optional<TestStepResult> {
  const CompiledTest& ct = impl_->tests[test];
  const ir::Test& it = impl_->ir->tests[test];
  ctx.scratch_.Reset();
  ctx.sp_ = 0;
  ctx.depth_ = 0;
  ctx.steps_ = 0;
  ctx.as_of_ = it.as_of.value_or(default_as_of);
  ctx.trace_ = trace;
  struct ClearTrace {
    Context& c;
    ~ClearTrace() { c.trace_ = nullptr; }
  } clear_trace{ctx};
  try {
    SlotWindow window(ctx, ctx.stack_, ctx.sp_, ct.num_slots);
    Frame frame{ctx, window.slots()};
    for (uint32_t i = 0; i < ct.steps.size(); ++i) {
      const CompiledStep& s = ct.steps[i];
      if (s.expect_not_applicable) {
        const CompiledDecision& d = impl_->decisions[s.probe_decision];
        SlotWindow callee(ctx, ctx.stack_, ctx.sp_, d.num_slots + d.mask_words);
        for (size_t k = 0; k < s.probe_args.size(); ++k) {
          callee.slots()[k] = s.probe_args[k]->Eval(frame);
        }
        DecisionResult top;
        impl_->CallDecision(ctx, s.probe_decision, callee.slots(), s.expr->span(), &top);
        if (top.applicable) {
          TestStepResult r;
          r.step = i;
          r.actual = FormatValue(impl_->ir->types, impl_->ir->decisions[s.probe_decision].result, top.value);
          r.expected = "not applicable";
          return r;
        }
        continue;
      }
      const Value v = s.expr->Eval(frame);
      if (s.is_let) {
        window.slots()[s.slot] = v;
        continue;
      }
      if (!v.as_bool()) {
        TestStepResult r;
        r.step = i;
        if (s.lhs) {
          r.actual = FormatValue(impl_->ir->types, s.lhs_type, s.lhs->Eval(frame));
          r.expected = FormatValue(impl_->ir->types, s.lhs_type, s.rhs->Eval(frame));
        }
        return r;
      }
    }
    TestStepResult r;
    r.passed = true;
    return r;
  } catch (EvalFailure& failure) {
    if (error != nullptr) {
      *error = std::move(failure.error);
    }
    return std::nullopt;
  }
}

// ---- Context ---------------------------------------------------------------------------------

// ---- for the native backend ------------------------------------------------------------------

void CodeDeleter::operator()(const Code* code) const {
  delete code;
}

void CompiledProgram::AttachNative(std::shared_ptr<const NativeCode> native) {
  native_ = std::move(native);
  impl_->native_slots.assign(native_ != nullptr ? impl_->decisions.size() : 0, nullptr);
  for (uint32_t d = 0; d < impl_->native_slots.size(); ++d) {
    impl_->native_slots[d] = native_->Entry(d);
  }
}

auto CompiledProgram::global_values() const -> std::span<const Value> {
  return impl_->globals;
}

auto CompiledProgram::CompileOperation(const ir::Node& node) const -> OperationPtr {
  // Leaf operations never reach the functions, decisions or globals the compiler can refer to.
  Compiler compiler(*ir_, *impl_);
  return OperationPtr(compiler.Compile(node).release());
}

auto CompiledProgram::RunOperation(Context& ctx, const Code& op, Value* operands, Value* out) -> bool {
  try {
    Frame frame{ctx, operands};
    *out = op.Eval(frame);
  } catch (...) {  // EvalFailure, or bad_alloc: nothing may unwind through native frames
    return false;
  }
  return ctx.scratch_.bytes_allocated() <= kMaxEvaluationBytes;
}

Context::Context(const CompiledProgram& program) {
  stack_.resize(program.impl_ ? program.impl_->max_stack : 0);
}

Context::~Context() = default;

// ---- formatting --------------------------------------------------------------------------------

auto FormatValue(const TypeTable& types, TypeId type, const Value& value) -> std::string {
  if (value.is_none()) {
    return "none";
  }
  const TypeId t = types.Unwrap(type);
  switch (types.kind(t)) {
    case Kind::kBool:
      return value.as_bool() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(value.as_int());
    case Kind::kDecimal:
      return value.as_decimal().ToString();
    case Kind::kText:
      return fmt::format("\"{}\"", value.as_text());
    case Kind::kDate:
      return value.as_date().ToString();
    case Kind::kDuration:
      return value.as_duration().ToText();
    case Kind::kEnum: {
      const auto& vs = types.enum_info(t).variants;
      return value.as_enum() < vs.size() ? vs[value.as_enum()] : "?";
    }
    case Kind::kRecord: {
      const RecordInfo& rec = types.record_info(t);
      std::string out = types.Name(t) + " { ";
      const auto items = value.items();
      for (size_t i = 0; i < rec.fields.size() && i < items.size(); ++i) {
        out += fmt::format("{}{}: {}", i == 0 ? "" : ", ", rec.fields[i].name,
                           FormatValue(types, rec.fields[i].type, items[i]));
      }
      return out + " }";
    }
    case Kind::kList:
    case Kind::kSet: {
      const bool is_set = types.kind(t) == Kind::kSet;
      std::string out = is_set ? "{" : "[";
      bool first = true;
      for (const Value& v : value.items()) {
        out += (first ? "" : ", ") + FormatValue(types, types.Get(t).elem, v);
        first = false;
      }
      return out + (is_set ? "}" : "]");
    }
    default:
      return "?";
  }
}

}  // namespace policy::vm
