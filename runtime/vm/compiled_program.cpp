// The program API: evaluating a decision (Evaluate, Decide), running a test (RunTest), the hooks
// for native code (AttachNative, RunOperation), and the Context. Compile() and CompileOperation()
// are in compiler.cpp.
#include <fmt/format.h>

#include "runtime/vm/program.h"

namespace policy::vm {

// ---- CompiledProgram ---------------------------------------------------------------------------

CompiledProgram::~CompiledProgram() = default;

auto CompiledProgram::Evaluate(Context& ctx, uint32_t decision, std::span<const Value> args, Date as_of,
                               Trace* trace, EvalError* error) const -> std::optional<DecisionResult> {
  const CompiledDecision& cd = impl_->decisions[decision];
  ctx.scratch_.Reset();
  ctx.sp_ = 0;
  ctx.depth_ = 0;
  ctx.steps_ = 0;
  ctx.SetDate(as_of);
  ctx.as_of_reason_ = {};
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
      ctx.SetDate(as_of);  // native code puts it back when it gives up inside `as of`; to be sure
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
  ctx.SetDate(it.as_of.value_or(default_as_of));
  ctx.as_of_reason_ = {};
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

Context::Context(const CompiledProgram& program) {
  stack_.resize(program.impl_ ? program.impl_->max_stack : 0);
}

Context::~Context() = default;

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

auto CompiledProgram::RunOperation(Context& ctx, const Code& op, Value* operands, Value* out) -> bool {
  try {
    Frame frame{ctx, operands};
    *out = op.Eval(frame);
  } catch (...) {  // EvalFailure, or bad_alloc: nothing may unwind through native frames
    return false;
  }
  return ctx.scratch_.bytes_allocated() <= kMaxEvaluationBytes;
}

}  // namespace policy::vm
