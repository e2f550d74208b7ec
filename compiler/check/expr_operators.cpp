// Operators: `and`, `or`, `??`, comparisons, arithmetic, negation, `in`, `is`, and durations
// (`7 days`): which operand types each accepts, and the coercions it inserts. Also the duration
// families (days against months, E0310), which comparisons and `min`/`max` share.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <tuple>

namespace policy::check {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::RefKind;

auto Checker::CheckDuration(Expr& e, Body& body) -> TypeId {
  const TypeId t = CheckExpr(e.kids[0], body, TypeTable::kIntId);
  if (!IsError(t) && t != TypeTable::kIntId) {
    diags_.Report(
        DiagCode::kBadOperands, e.kids[0]->span,
        fmt::format("a duration needs a whole number of {}, found `{}`", UnitName(e.unit, true), Name(t)),
        "not an `Int`");
    return TypeTable::kErrorId;
  }
  return TypeTable::kDurationId;
}

// `e as of d`: e on the date d (docs/language.md, "The law on a date of the case"). The date is
// a `Date`; an optional one must be resolved first (`?? as_of`, `match`), because which law a
// missing date stands for is the policy writer's choice, not the language's. The value is e's.
auto Checker::CheckAsOfDate(Expr& e, Body& body, TypeId expected) -> TypeId {
  CheckExpr(e.kids[1], body, TypeTable::kDateId);
  Require(e.kids[1], TypeTable::kDateId, body, "`as of`");
  return CheckExpr(e.kids[0], body, expected);
}

auto Checker::CheckNeg(Expr& e, Body& body, TypeId expected) -> TypeId {
  const TypeId t = CheckExpr(e.kids[0], body, expected);
  if (IsError(t) || t == TypeTable::kIntId || t == TypeTable::kDecimalId || t == TypeTable::kDurationId) {
    return t;
  }
  diags_.Report(DiagCode::kBadOperands, e.span, fmt::format("cannot negate a `{}`", Name(t)), "here");
  return TypeTable::kErrorId;
}

auto Checker::CheckIn(Expr& e, Body& body) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId elem = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  const TypeId want = IsError(elem) ? TypeTable::kErrorId : types.Set(types.Unwrap(elem));
  const TypeId coll = CheckExpr(e.kids[1], body, want);
  if (IsError(elem) || IsError(coll)) {
    return TypeTable::kBoolId;
  }
  const policy::Kind ck = Kind(coll);
  if (coll == TypeTable::kEmptyId) {
    return TypeTable::kBoolId;
  }
  if (ck != policy::Kind::kSet && ck != policy::Kind::kList) {
    diags_.Report(DiagCode::kBadOperands, e.kids[1]->span,
                  fmt::format("`in` needs a set or list on its right, found `{}`", Name(coll)),
                  "not a collection");
    return TypeTable::kBoolId;
  }
  const TypeId ce = types.Get(coll).elem;
  if (!Assignable(types.Unwrap(elem), ce)) {
    diags_.Report(DiagCode::kTypeMismatch, e.span,
                  fmt::format("cannot look for a `{}` in a `{}`", Name(elem), Name(coll)), "types differ");
  } else {
    Coerce(e.kids[0], ce);
  }
  return TypeTable::kBoolId;
}

auto Checker::CheckIs(Expr& e, Body& body) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId t = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  if (!IsError(t) && !types.IsOptional(t)) {
    diags_
        .Report(DiagCode::kTypeMismatch, e.kids[0]->span,
                fmt::format("a `{}` is never `none`, so `is {}` is always {}", Name(t),
                            e.is_some ? "some" : "none", e.is_some != e.negated ? "true" : "false"),
                "not optional")
        .WithHelp("remove the test");
  }
  return TypeTable::kBoolId;
}

auto Checker::CheckBinary(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
  Expr& e = *ep;
  TypeTable& types = program_.types;
  using ast::BinOp;
  if (e.op == BinOp::kAnd || e.op == BinOp::kOr) {
    CheckExpr(e.kids[0], body, TypeTable::kBoolId);
    Require(e.kids[0], TypeTable::kBoolId, body, fmt::format("`{}`", ast::BinOpText(e.op)));
    // `x is some and x.f` / `x is none or x.f`: the right side sees x narrowed.
    const size_t before = body.narrowed.size();
    CollectNarrowing(*e.kids[0], e.op == BinOp::kAnd, body.narrowed);
    CheckExpr(e.kids[1], body, TypeTable::kBoolId);
    body.narrowed.resize(before);
    Require(e.kids[1], TypeTable::kBoolId, body, fmt::format("`{}`", ast::BinOpText(e.op)));
    return TypeTable::kBoolId;
  }
  if (e.op == BinOp::kCoalesce) {
    const TypeId l = CheckExpr(e.kids[0], body, types.IsOptional(expected) ? expected : TypeTable::kErrorId);
    if (IsError(l)) {
      CheckExpr(e.kids[1], body, TypeTable::kErrorId);
      return TypeTable::kErrorId;
    }
    if (l == TypeTable::kNoneId) {
      // `none ?? x` is just x.
      return CheckExpr(e.kids[1], body, expected);
    }
    if (!types.IsOptional(l)) {
      diags_
          .Report(DiagCode::kTypeMismatch, e.kids[0]->span,
                  fmt::format("a `{}` is never `none`, so `??` has nothing to replace", Name(l)),
                  "not optional")
          .WithHelp("remove `?? ...`");
      CheckExpr(e.kids[1], body, l);
      return l;
    }
    const TypeId inner = types.Get(l).elem;
    const TypeId r = CheckExpr(e.kids[1], body, l);
    if (IsError(r)) {
      return TypeTable::kErrorId;
    }
    if (Assignable(r, inner)) {
      Coerce(e.kids[1], inner);
      return inner;
    }
    // With an optional fallback the result stays optional: `a ?? b ?? 0`.
    if (r == TypeTable::kNoneId || (types.IsOptional(r) && Assignable(types.Get(r).elem, inner))) {
      return l;
    }
    diags_.Report(DiagCode::kTypeMismatch, e.kids[1]->span,
                  fmt::format("the fallback after `??` must be a `{}`, found `{}`", Name(inner), Name(r)),
                  fmt::format("this is `{}`", Name(r)));
    return TypeTable::kErrorId;
  }
  // Comparisons and arithmetic: check the left side first, then use its type as the context for
  // the right side (so `mode == full_time` resolves `full_time`), and vice versa.
  TypeId l = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  TypeId r = CheckExpr(e.kids[1], body, l);
  if (l == TypeTable::kErrorId && e.kids[0]->kind == ExprKind::kName &&
      e.kids[0]->ref.kind == RefKind::kUnresolved) {
    return TypeTable::kErrorId;
  }
  if (IsError(l) || IsError(r)) {
    return TypeTable::kErrorId;
  }
  const policy::Kind lk = Kind(types.Unwrap(l));
  const bool is_compare =
      e.op == BinOp::kLt || e.op == BinOp::kLe || e.op == BinOp::kGt || e.op == BinOp::kGe;
  const bool is_equality = e.op == BinOp::kEq || e.op == BinOp::kNe;
  auto bad = [&](const std::string& help) {
    Diagnostic& d = diags_.Report(
        DiagCode::kBadOperands, e.span,
        fmt::format("cannot apply `{}` to `{}` and `{}`", ast::BinOpText(e.op), Name(l), Name(r)), "here");
    d.WithLabel(e.kids[0]->span, fmt::format("`{}`", Name(l)))
        .WithLabel(e.kids[1]->span, fmt::format("`{}`", Name(r)));
    if (!help.empty()) {
      d.WithHelp(help);
    }
    return TypeTable::kErrorId;
  };
  if (is_equality) {
    if (Assignable(r, l)) {
      Coerce(e.kids[1], l);
    } else if (Assignable(l, r)) {
      Coerce(e.kids[0], r);
    } else {
      return bad(MismatchHelp(*e.kids[0], l, *e.kids[1], r));
    }
    return TypeTable::kBoolId;
  }
  if (is_compare) {
    if (types.IsOptional(l) || types.IsOptional(r)) {
      return bad(types.IsOptional(l) ? NoneHelp(*e.kids[0], l) : NoneHelp(*e.kids[1], r));
    }
    const bool numeric = types.IsNumeric(l) && types.IsNumeric(r);
    if (numeric) {
      Coerce(e.kids[0], r == TypeTable::kDecimalId ? r : l);
      Coerce(e.kids[1], l == TypeTable::kDecimalId ? l : r);
      return TypeTable::kBoolId;
    }
    if (l == r && lk == policy::Kind::kDuration) {
      CheckDurationFamilies(e, *e.kids[0], *e.kids[1]);
      return TypeTable::kBoolId;
    }
    if (l == r && (lk == policy::Kind::kDate || lk == policy::Kind::kText)) {
      return TypeTable::kBoolId;
    }
    return bad(l == r ? fmt::format("`{}` values have no order", Name(l))
                      : MismatchHelp(*e.kids[0], l, *e.kids[1], r));
  }
  if (types.IsOptional(l) || types.IsOptional(r)) {
    return bad(types.IsOptional(l) ? NoneHelp(*e.kids[0], l) : NoneHelp(*e.kids[1], r));
  }
  // Arithmetic.
  const bool numeric = types.IsNumeric(l) && types.IsNumeric(r);
  if (numeric) {
    const TypeId t =
        l == TypeTable::kDecimalId || r == TypeTable::kDecimalId ? TypeTable::kDecimalId : TypeTable::kIntId;
    Coerce(e.kids[0], t);
    Coerce(e.kids[1], t);
    return t;
  }
  switch (e.op) {
    case BinOp::kAdd:
      if (l == TypeTable::kDateId && r == TypeTable::kDurationId) {
        return TypeTable::kDateId;
      }
      if (l == TypeTable::kDurationId && r == TypeTable::kDateId) {
        return bad("write the date first: `date + duration`");
      }
      if (l == TypeTable::kTextId && r == TypeTable::kTextId) {
        return TypeTable::kTextId;
      }
      if (l == r && (lk == policy::Kind::kSet || lk == policy::Kind::kList)) {
        return l;
      }
      if ((lk == policy::Kind::kSet || lk == policy::Kind::kList) && r == TypeTable::kEmptyId) {
        return l;
      }
      if (l == TypeTable::kDateId && r == TypeTable::kIntId) {
        return bad(fmt::format("a number alone has no unit: write `{} days`", SourceTextOrN(*e.kids[1])));
      }
      return bad("");
    case BinOp::kSub:
      if (l == TypeTable::kDateId && r == TypeTable::kDurationId) {
        return TypeTable::kDateId;
      }
      if (l == r && lk == policy::Kind::kSet) {
        return l;
      }
      if (l == TypeTable::kDateId && r == TypeTable::kIntId) {
        return bad(fmt::format("a number alone has no unit: write `{} days`", SourceTextOrN(*e.kids[1])));
      }
      if (l == TypeTable::kDateId && r == TypeTable::kDateId) {
        return bad("use `days_between(earlier, later)` for the number of days between two dates");
      }
      return bad("");
    case BinOp::kMul:
      if (l == TypeTable::kDurationId && r == TypeTable::kIntId) {
        return TypeTable::kDurationId;
      }
      return bad("");
    default:
      return bad("");
  }
  (void)expected;
}

// What to write when the two sides of a comparison are of types that do not meet: the members
// of an enum compared with something else, or the one type both sides must share (Int and
// Decimal mix, so they never reach here).
auto Checker::MismatchHelp(const Expr& lhs, TypeId l, const Expr& rhs, TypeId r) const -> std::string {
  const TypeTable& types = program_.types;
  for (const auto& [side, t, other, which] :
       {std::tuple{&lhs, l, r, "left"}, std::tuple{&rhs, r, l, "right"}}) {
    const TypeId plain = types.Unwrap(t);
    if (types.kind(plain) != policy::Kind::kEnum || types.Unwrap(other) == plain) {
      continue;
    }
    const EnumInfo& info = types.enum_info(plain);
    std::string members;
    for (size_t i = 0; i < info.variants.size() && i < 8; ++i) {
      members += fmt::format("{}`{}`", i == 0 ? "" : ", ", info.variants[i]);
    }
    if (info.variants.size() > 8) {
      members += fmt::format(" and {} more", info.variants.size() - 8);
    }
    const bool named = side->kind == ExprKind::kName || side->kind == ExprKind::kField;
    const std::string subject =
        named ? fmt::format("`{}`", SourceText(*side)) : fmt::format("the {} side", which);
    const std::string example = named ? fmt::format("`{} == {}`", SourceText(*side), info.variants.front())
                                      : fmt::format("`== {}`", info.variants.front());
    return fmt::format("{} is a `{}`, one of {}: compare it with one of them, e.g. {}", subject, Name(plain),
                       members, example);
  }
  return "both sides must be of one type; only `Int` and `Decimal` mix";
}

auto Checker::SourceTextOrN(const Expr& e) const -> std::string {
  if (e.kind == ExprKind::kIntLit) {
    return std::to_string(e.int_value);
  }
  return "N";
}

// Whether a Duration expression is day-based (days, weeks) or month-based (months, years), when
// that can be read from the program text: a unit literal, arithmetic and choices built from
// them, a constant, or a parameter all of whose values agree. Durations read from a case have
// no static family; comparing those is checked when it happens (E0913).
auto Checker::DurationFamily(const Expr& e, int depth) const -> Family {
  if (depth > 16) {
    return Family::kUnknown;  // constants referring to constants: enough is enough
  }
  switch (e.kind) {
    case ExprKind::kName:
      if (e.ref.kind == RefKind::kConst && program_.consts[e.ref.id].decl->value) {
        return DurationFamily(*program_.consts[e.ref.id].decl->value, depth + 1);
      }
      return Family::kUnknown;
    case ExprKind::kCall: {
      const Expr& callee = *e.kids[0];
      if (callee.ref.kind != RefKind::kDecision || !program_.decisions[callee.ref.id].decl->is_parameter) {
        return Family::kUnknown;
      }
      const auto& versions = program_.decisions[callee.ref.id].decl->rules;
      Family f = versions.empty() ? Family::kUnknown : DurationFamily(*versions[0].then, depth + 1);
      for (const ast::RuleDecl& v : versions) {
        f = DurationFamily(*v.then, depth + 1) == f ? f : Family::kUnknown;
      }
      return f;
    }
    case ExprKind::kDuration:
      return e.unit == DurationUnit::kDays || e.unit == DurationUnit::kWeeks ? Family::kDays
                                                                             : Family::kMonths;
    case ExprKind::kNeg:
      return DurationFamily(*e.kids[0], depth + 1);
    case ExprKind::kBinary:
      return e.op == ast::BinOp::kMul ? DurationFamily(*e.kids[0], depth + 1) : Family::kUnknown;
    case ExprKind::kIf: {
      const Family a = DurationFamily(*e.kids[1], depth + 1);
      return a == DurationFamily(*e.kids[2], depth + 1) ? a : Family::kUnknown;
    }
    default:
      return Family::kUnknown;
  }
}

// E0310: `4 weeks < 1 month` has no single answer, and the checker can see both units.
void Checker::CheckDurationFamilies(const Expr& e, const Expr& a, const Expr& b) {
  const Family fa = DurationFamily(a);
  const Family fb = DurationFamily(b);
  if (fa == Family::kUnknown || fb == Family::kUnknown || fa == fb) {
    return;
  }
  auto what = [](Family f) { return f == Family::kDays ? "days or weeks" : "months or years"; };
  diags_
      .Report(DiagCode::kMixedDurations, e.span,
              "cannot order a duration in days or weeks against one in months or years", "here")
      .WithLabel(a.span, what(fa))
      .WithLabel(b.span, what(fb))
      .WithNote("how many days a month has depends on the month, so there is no single answer")
      .WithHelp("compare the dates they lead to instead: `d + 4 weeks < d + 1 month`");
}

}  // namespace policy::check
