// The arithmetic, comparison and equality closures, each specialised at compile time on its operand
// types (a BinaryCode over a lambda for integer comparison, a date plus months, decimal
// arithmetic, set union, text and list concatenation), with the overflow and range checks of the
// language.
#include <algorithm>
#include <string>

#include "runtime/vm/program.h"

namespace policy::vm::detail {
namespace {

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

// Concatenation is the one way a value can grow without bound (doubling a list in each of a
// chain of functions); lists and texts built during evaluation stay within kMaxGeneratedItems.
void CheckBuiltSize(size_t n, Span span, const char* what, const char* unit) {
  if (n > kMaxGeneratedItems) {
    Fail(
        DiagCode::kBadRange, span,
        fmt::format("the {} would have {} {}, more than the limit of {}", what, n, unit, kMaxGeneratedItems));
  }
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

}  // namespace

void FailDecimal(Span s, std::string_view operation, std::string_view operands, bool by_zero) {
  if (by_zero) {
    Fail(DiagCode::kArithmeticError, s, fmt::format("decimal {} by zero: `{}`", operation, operands));
  }
  Fail(DiagCode::kArithmeticError, s,
       fmt::format("decimal {} overflowed: the integer part of `{}` needs more than {} digits (a Decimal "
                   "is less than 10^{} in magnitude)",
                   operation, operands, Decimal::kIntegerDigits, Decimal::kIntegerDigits));
}

auto MakeNeg(Span span, TypeId t, CodePtr a) -> CodePtr {
  auto zero = MakeConst(span, Value());
  if (t == TypeTable::kDecimalId) {
    return MakeBinary(span, std::move(a), std::move(zero), [](Frame&, Value x, Value, Span) {
      return Value::Dec(Decimal::Negate(x.as_decimal()));
    });
  }
  if (t == TypeTable::kDurationId) {
    return MakeBinary(span, std::move(a), std::move(zero), [](Frame&, Value x, Value, Span s) {
      const Duration d = x.as_duration();
      if (d.count == INT64_MIN) {
        Fail(DiagCode::kArithmeticError, s, "duration overflowed");
      }
      return Value::Dur({-d.count, d.unit});
    });
  }
  return MakeBinary(span, std::move(a), std::move(zero), [](Frame&, Value x, Value, Span s) {
    if (x.as_int() == INT64_MIN) {
      Fail(DiagCode::kArithmeticError, s, "integer overflow in negation");
    }
    return Value::Int(-x.as_int());
  });
}

auto MakeArith(const TypeTable& types, const ir::Node& n, CodePtr a, CodePtr b) -> CodePtr {
  const TypeId l = n.kids[0]->type;
  const TypeId r = n.kids[1]->type;
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
          return CheckedDecimal(Decimal::Add(p, q), sp, "addition", p, "+", q);
        case ArithOp::kSub:
          return CheckedDecimal(Decimal::Sub(p, q), sp, "subtraction", p, "-", q);
        case ArithOp::kMul:
          return CheckedDecimal(Decimal::Mul(p, q), sp, "multiplication", p, "*", q);
        case ArithOp::kDiv:
          return CheckedDecimal(Decimal::Div(p, q), sp, "division", p, "/", q);
        case ArithOp::kMod:
          return CheckedDecimal(Decimal::Mod(p, q), sp, "remainder", p, "%", q);
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

auto MakeCompare(const ir::Node& n, CodePtr a, CodePtr b) -> CodePtr {
  const TypeId t = n.kids[0]->type;
  const ir::CmpOp op = n.cmp;
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

auto MakeEquals(Span s, CodePtr a, CodePtr b, bool ne, bool as_int) -> CodePtr {
  if (as_int) {
    return MakeBinary(s, std::move(a), std::move(b), [ne](Frame&, Value x, Value y, Span) {
      return Value::Bool((x.as_int() == y.as_int()) != ne);
    });
  }
  return MakeBinary(s, std::move(a), std::move(b),
                    [ne](Frame&, Value x, Value y, Span) { return Value::Bool(ValuesEqual(x, y) != ne); });
}

auto MakeDuration(Span s, CodePtr count, DurationUnit unit) -> CodePtr {
  return MakeBinary(s, std::move(count), MakeConst(s, Value()), [unit](Frame&, Value x, Value, Span) {
    return Value::Dur({x.as_int(), unit});
  });
}

}  // namespace policy::vm::detail
