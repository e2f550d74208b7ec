// The SMT encoding of the calendar (the formulas of core/date.cpp in integer arithmetic) and of
// the builtins, one case per entry of core/builtins.def as its `smt` column says.
#include "runtime/analysis/encode.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/builtins.h"
#include "runtime/analysis/encode_support.h"

namespace policy::analysis {

// ---- the calendar ------------------------------------------------------------------------------
// The same formulas as core/date.cpp, in integer arithmetic that Z3 decides exactly
// (division and remainder by constants only). For a positive divisor Z3's `div`/`mod` are floor
// division and a non-negative remainder, which is what the formulas need.

auto Encoder::DaysFromCivil(const z3::expr& y, const z3::expr& m, const z3::expr& d) -> z3::expr {
  const z3::expr yy = z3::ite(m <= 2, y - 1, y);
  const z3::expr era = yy / 400;
  const z3::expr yoe = yy - era * 400;
  const z3::expr mp = z3::ite(m > 2, m - 3, m + 9);
  const z3::expr doy = (153 * mp + 2) / 5 + d - 1;
  const z3::expr doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

auto Encoder::DaysInMonth(const z3::expr& y, const z3::expr& m) -> z3::expr {
  const z3::expr leap = (z3::mod(y, 4) == 0 && z3::mod(y, 100) != 0) || z3::mod(y, 400) == 0;
  return z3::ite(m == 2, z3::ite(leap, ctx_.int_val(29), ctx_.int_val(28)),
                 z3::ite(m == 4 || m == 6 || m == 9 || m == 11, ctx_.int_val(30), ctx_.int_val(31)));
}

auto Encoder::CivilOf(const z3::expr& days) -> Civil {
  if (calendar_ != this) {
    return calendar_->CivilOf(days);
  }
  if (auto it = civil_memo_.find(days.id()); it != civil_memo_.end()) {
    return it->second;
  }
  const unsigned n = pool_.NextId();
  Civil c{ctx_.int_const(fmt::format("year#{}", n).c_str()),
          ctx_.int_const(fmt::format("month#{}", n).c_str()),
          ctx_.int_const(fmt::format("day#{}", n).c_str())};
  // Every day number has exactly one (year, month, day), so this definition never constrains
  // `days` itself.
  axioms_.push_back(c.m >= 1 && c.m <= 12 && c.d >= 1 && c.d <= DaysInMonth(c.y, c.m) &&
                    DaysFromCivil(c.y, c.m, c.d) == days);
  civil_memo_.emplace(days.id(), c);
  return c;
}

auto Encoder::AddMonths(const z3::expr& days, const z3::expr& n, bool overflow) -> z3::expr {
  const Civil c = CivilOf(days);
  const z3::expr t = c.y * 12 + (c.m - 1) + n;
  const z3::expr y2 = t / 12;
  const z3::expr m2 = z3::mod(t, 12) + 1;
  if (overflow) {
    return DaysFromCivil(y2, m2, ctx_.int_val(1)) + c.d - 1;
  }
  const z3::expr dim = DaysInMonth(y2, m2);
  return DaysFromCivil(y2, m2, z3::ite(c.d > dim, dim, c.d));
}

auto Encoder::FloorDiv(const z3::expr& p, const z3::expr& q) -> z3::expr {
  if (q.is_numeral()) {
    int64_t v = 0;
    if (q.is_numeral_i64(v) && v > 0) {
      return p / q;
    }
  }
  return z3::ite(q > 0, p / q, (-p) / (-q));
}

// Decimal::Mul and Decimal::Div's rounding: p / q to the nearest integer, a tie to the even one.
// With the divisor made positive, integer division is floor division and the remainder r is in
// [0, q): round up when r is more than half of q, or exactly half and the quotient is odd.
auto Encoder::RoundHalfEven(const z3::expr& p, const z3::expr& q, bool positive) -> z3::expr {
  const z3::expr n = positive ? p : z3::ite(q < 0, -p, p);
  const z3::expr d = positive ? q : z3::ite(q < 0, -q, q);
  const z3::expr floor = n / d;
  const z3::expr twice_rest = 2 * (n - d * floor);
  const z3::expr up = twice_rest > d || (twice_rest == d && z3::mod(floor, 2) == 1);
  return floor + z3::ite(up, ctx_.int_val(1), ctx_.int_val(0));
}

auto Encoder::EncodeBuiltin(const ir::Node& n, Frame& f) -> Sym {
  const auto builtin = static_cast<Builtin>(n.a);
  const std::string name(GetBuiltin(builtin).name);
  std::vector<Sym> args;
  for (const auto& k : n.kids) {
    args.push_back(Encode(*k, f));
  }
  const auto scalar = [&](size_t i) -> std::optional<z3::expr> {
    const Sym s = Plain(args[i]);
    if (s.shape == Shape::kScalar) {
      return s.e[0];
    }
    return std::nullopt;
  };
  switch (builtin) {
    case Builtin::kMin:
    case Builtin::kMax: {
      const auto lt = builtin == Builtin::kMin ? Less(args[0], args[1], n.kids[0]->type)
                                               : Less(args[1], args[0], n.kids[0]->type);
      if (!lt) {
        break;
      }
      return Ite(!*lt, Plain(args[1]), Plain(args[0]));
    }
    case Builtin::kAbs:
      if (auto x = scalar(0)) {
        return MkScalar(z3::ite(*x < 0, -*x, *x));
      }
      break;
    case Builtin::kLength: {
      const TypeId t = program_.types.Unwrap(n.kids[0]->type);
      const Sym c = Plain(args[0]);
      if (c.shape == Shape::kEnumSet || (c.shape == Shape::kList && program_.types.kind(t) == Kind::kList)) {
        std::vector<z3::expr> terms;
        for (const auto& p : c.e) {
          terms.push_back(z3::ite(p, ctx_.int_val(1), ctx_.int_val(0)));
        }
        return MkScalar(Sum(ctx_, terms));
      }
      break;
    }
    case Builtin::kYear:
    case Builtin::kMonth:
    case Builtin::kDay:
      if (auto x = scalar(0)) {
        const Civil c = CivilOf(*x);
        return MkScalar(builtin == Builtin::kYear ? c.y : builtin == Builtin::kMonth ? c.m : c.d);
      }
      break;
    case Builtin::kWeekday:
      if (auto x = scalar(0)) {
        return MkScalar(z3::mod(*x + 4, 7));  // 1970-01-01 was a Thursday (4)
      }
      break;
    case Builtin::kDaysBetween:
      if (auto a = scalar(0), b = scalar(1); a && b) {
        return MkScalar(*b - *a);
      }
      break;
    case Builtin::kToDecimal:
      if (auto x = scalar(0)) {
        return MkScalar(*x * DecimalUnit(ctx_));
      }
      break;
    case Builtin::kAddMonthsOverflow:
      if (auto a = scalar(0), b = scalar(1); a && b) {
        return MkScalar(AddMonths(*a, *b, true));
      }
      break;
    case Builtin::kToList:
      if (auto l = AsKnownList(Plain(args[0])); l && Plain(args[0]).shape == Shape::kEnumSet) {
        return *l;
      }
      break;
    case Builtin::kDistinct:
      if (IsEnumSet(program_.types, n.type) && Plain(args[0]).shape == Shape::kList) {
        return Plain(args[0]);  // Normalize makes the membership bits
      }
      break;
    case Builtin::kFlatten: {
      const Sym outer = Plain(args[0]);
      if (outer.shape != Shape::kList) {
        break;
      }
      Sym s;
      s.shape = Shape::kList;
      bool ok = true;
      for (size_t i = 0; i < outer.items.size() && ok; ++i) {
        const auto inner = AsKnownList(Plain(outer.items[i]));
        if (!inner) {
          ok = false;
          break;
        }
        for (size_t k = 0; k < inner->items.size(); ++k) {
          s.items.push_back(inner->items[k]);
          s.e.push_back(outer.e[i] && inner->e[k]);
        }
      }
      if (ok) {
        return s;
      }
      break;
    }
    case Builtin::kAddWorkingDays:
    case Builtin::kWorkingDaysBetween:
    case Builtin::kDatesEvery:
      break;  // kHavoc in core/builtins.def: stepping through a calendar is not modelled
  }
  return Havoc(n.type, fmt::format("`{}`", name));
}

}  // namespace policy::analysis
