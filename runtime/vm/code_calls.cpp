// The call closures: calls of functions and decisions (each in its own slot window, a decision
// through native code when there is some), and the builtins.
#include "core/calendar.h"
#include "runtime/vm/program.h"

namespace policy::vm::detail {
namespace {

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
        const int c = x.tag() == Kind::kDuration ? CompareDurationsOrFail(x, y, span()) : CompareValues(x, y);
        return (b_ == Builtin::kMin) == (c <= 0) ? x : y;
      }
      case Builtin::kAbs:
        if (decimal_) {
          const Decimal d = x.as_decimal();
          return d.IsNegative() ? Value::Dec(Decimal::Negate(d)) : x;
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
        if (const auto d = Decimal::FromInt(x.as_int())) {
          return Value::Dec(*d);
        }
        Fail(DiagCode::kArithmeticError, span(),
             fmt::format("`to_decimal({})` overflowed: a Decimal is less than 10^{} in magnitude", x.as_int(),
                         Decimal::kIntegerDigits));
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

}  // namespace

auto MakeCallFunction(Span s, const CompiledFunction& fn, std::vector<CodePtr> args) -> CodePtr {
  return std::make_unique<CallFunctionCode>(s, fn, std::move(args));
}
auto MakeCallDecision(Span s, const CompiledProgram::Impl& impl, uint32_t decision, std::vector<CodePtr> args)
    -> CodePtr {
  return std::make_unique<CallDecisionCode>(s, impl, decision, std::move(args));
}
auto MakeBuiltin(Span s, Builtin b, std::vector<CodePtr> args, bool decimal) -> CodePtr {
  return std::make_unique<BuiltinCode>(s, b, std::move(args), decimal);
}

}  // namespace policy::vm::detail
