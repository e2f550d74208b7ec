// The expression checker's core. CheckExpr dispatches on the kind of expression, and this file
// holds what all kinds share: when a value of one type may stand where another is expected (and
// the Int -> Decimal coercion that makes it so), `is some` narrowing, unifying the types of
// branches, and the depth and uses recorded for the recursion check. The kinds with rules of
// their own are checked in the expr_*.cpp files.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace policy::check {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::RefKind;

// Whether a value of type `from` may stand where `to` is expected, possibly after Coerce().
auto Checker::Assignable(TypeId from, TypeId to) const -> bool {
  if (from == to || IsError(from) || IsError(to)) {
    return true;
  }
  const TypeTable& types = program_.types;
  if (types.IsOptional(to)) {
    return from == TypeTable::kNoneId || Assignable(from, types.Get(to).elem);
  }
  if (from == TypeTable::kEmptyId) {
    return Kind(to) == policy::Kind::kList || Kind(to) == policy::Kind::kSet;
  }
  return from == TypeTable::kIntId && to == TypeTable::kDecimalId;
}

// Inserts the one conversion that changes the representation: Int -> Decimal.
void Checker::Coerce(ExprPtr& e, TypeId to) {
  const TypeId target = program_.types.Unwrap(to);
  if (e->type == TypeTable::kIntId && target == TypeTable::kDecimalId) {
    auto call = std::make_unique<Expr>();
    call->kind = ExprKind::kCall;
    call->span = e->span;
    auto callee = std::make_unique<Expr>();
    callee->kind = ExprKind::kName;
    callee->text = "to_decimal";
    callee->span = e->span;
    callee->ref = {RefKind::kBuiltin, static_cast<uint32_t>(Builtin::kToDecimal), 0};
    call->kids.push_back(std::move(callee));
    call->kids.push_back(std::move(e));
    call->type = TypeTable::kDecimalId;
    e = std::move(call);
  }
}

// Reports a mismatch between e's type and `want`, and coerces when allowed.
void Checker::Require(ExprPtr& e, TypeId want, Body& /*body*/, const std::string& what) {
  if (Assignable(e->type, want)) {
    Coerce(e, want);
    return;
  }
  Diagnostic& d = diags_.Report(DiagCode::kTypeMismatch, e->span,
                                fmt::format("expected `{}`, found `{}`", Name(want), Name(e->type)),
                                fmt::format("this is `{}`", Name(e->type)));
  d.WithNote(fmt::format("`{}` is required by {}", Name(want), what));
  if (program_.types.IsOptional(e->type) && Assignable(program_.types.Get(e->type).elem, want)) {
    d.WithHelp(NoneHelp(*e, e->type));
  } else if (want == TypeTable::kDurationId && e->type == TypeTable::kIntId) {
    d.WithHelp("add a unit: `7 days`, `4 weeks`, `12 months`, `1 year`");
  } else if (want == TypeTable::kIntId && e->kind == ExprKind::kDecimalLit && !e->text.empty()) {
    d.WithHelp(fmt::format("`{}` is the Decimal `{}`: a percentage is always a `Decimal`", e->text,
                           e->decimal_value.ToString()));
  }
}

// The help for an optional value used where a plain one is needed, with the text to write:
// "`c.limit` may be `none`: test `c.limit is some` first, or give a fallback: `c.limit ?? 0`".
auto Checker::NoneHelp(const Expr& e, TypeId optional) const -> std::string {
  const bool named = e.kind == ExprKind::kName || e.kind == ExprKind::kField;
  const std::string text = named ? SourceText(e) : "";
  std::string fallback;
  switch (program_.types.kind(program_.types.Unwrap(optional))) {
    case policy::Kind::kInt:
    case policy::Kind::kDecimal:
      fallback = "0";
      break;
    case policy::Kind::kBool:
      fallback = "false";
      break;
    case policy::Kind::kText:
      fallback = "\"\"";
      break;
    default:
      break;
  }
  if (!named) {
    return "the value may be `none`: handle it with `??`, `match`, or test `is some` first";
  }
  return fallback.empty()
             ? fmt::format(
                   "`{0}` may be `none`: test `{0} is some` first, or give a fallback with `{0} ?? ...`",
                   text)
             : fmt::format("`{0}` may be `none`: test `{0} is some` first, or give a fallback: `{0} ?? {1}`",
                           text, fallback);
}

// A stable key for a pure path (local, constant, field chain) used for `is some` narrowing.
auto Checker::PathKey(const Expr& e) const -> std::optional<std::string> {
  if (e.kind == ExprKind::kName && e.ref.kind == RefKind::kLocal) {
    return fmt::format("${}", e.ref.id);
  }
  if (e.kind == ExprKind::kName && e.ref.kind == RefKind::kConst) {
    return fmt::format("#{}", e.ref.id);
  }
  if (e.kind == ExprKind::kField && e.ref.kind == RefKind::kField) {
    if (const auto base = PathKey(*e.kids[0])) {
      return *base + "." + e.text;
    }
  }
  return std::nullopt;
}

// Paths known to be `some` when `e` evaluates to `when_true`.
void Checker::CollectNarrowing(const Expr& e, bool when_true, std::vector<std::string>& out) {
  if (e.kind == ExprKind::kIs) {
    const bool proves_some = e.is_some != e.negated;  // `is some` / `is not none`
    if (proves_some == when_true) {
      if (const auto key = PathKey(*e.kids[0])) {
        out.push_back(*key);
      }
    }
  } else if (e.kind == ExprKind::kBinary && e.op == ast::BinOp::kAnd && when_true) {
    CollectNarrowing(*e.kids[0], true, out);
    CollectNarrowing(*e.kids[1], true, out);
  } else if (e.kind == ExprKind::kBinary && e.op == ast::BinOp::kOr && !when_true) {
    CollectNarrowing(*e.kids[0], false, out);
    CollectNarrowing(*e.kids[1], false, out);
  } else if (e.kind == ExprKind::kNot) {
    CollectNarrowing(*e.kids[0], !when_true, out);
  }
}

// After checking a path expression, drop the optional if a guard proved it present.
auto Checker::Narrow(Expr& e, Body& body) -> TypeId {
  if (program_.types.IsOptional(e.type)) {
    if (const auto key = PathKey(e)) {
      if (std::find(body.narrowed.begin(), body.narrowed.end(), *key) != body.narrowed.end()) {
        e.type = program_.types.Get(e.type).elem;
      }
    }
  }
  return e.type;
}

void Checker::AddEdge(Body& body, Node to) {
  if (body.owner) {
    edges_[*body.owner].insert(to);
    int& depth = call_depth_[{*body.owner, to}];
    depth = std::max(depth, body.depth);
  }
}

auto Checker::CheckExpr(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
  Expr& e = *ep;
  ++body.depth;
  if (body.owner) {
    int& own = own_depth_[*body.owner];
    own = std::max(own, body.depth);
  }
  e.type = CheckExprInner(ep, body, expected);
  --body.depth;
  return ep->type;
}

auto Checker::Error(Expr& e) -> TypeId {
  e.type = TypeTable::kErrorId;
  return e.type;
}

auto Checker::CheckExprInner(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
  Expr& e = *ep;
  TypeTable& types = program_.types;
  switch (e.kind) {
    case ExprKind::kError:
      return TypeTable::kErrorId;
    case ExprKind::kIntLit:
      return TypeTable::kIntId;
    case ExprKind::kDecimalLit:
      return TypeTable::kDecimalId;
    case ExprKind::kTextLit:
      return TypeTable::kTextId;
    case ExprKind::kDateLit:
      return TypeTable::kDateId;
    case ExprKind::kBoolLit:
      return TypeTable::kBoolId;
    case ExprKind::kNoneLit:
      return types.IsOptional(expected) ? expected : TypeTable::kNoneId;
    case ExprKind::kSome: {
      const TypeId inner = CheckExpr(e.kids[0], body, types.Unwrap(expected));
      if (types.IsOptional(expected)) {
        Require(e.kids[0], types.Get(expected).elem, body, "the expected optional type");
        return expected;
      }
      return IsError(inner) ? inner : types.Optional(inner);
    }
    case ExprKind::kName:
      return CheckName(e, body, expected);
    case ExprKind::kField:
      return CheckField(e, body, expected);
    case ExprKind::kCall:
      return CheckCall(e, body);
    case ExprKind::kWith:
      return CheckWith(e, body);
    case ExprKind::kDuration:
      return CheckDuration(e, body);
    case ExprKind::kAsOfDate:
      return CheckAsOfDate(e, body, expected);
    case ExprKind::kNeg:
      return CheckNeg(e, body, expected);
    case ExprKind::kNot: {
      CheckExpr(e.kids[0], body, TypeTable::kBoolId);
      Require(e.kids[0], TypeTable::kBoolId, body, "`not`");
      return TypeTable::kBoolId;
    }
    case ExprKind::kBinary:
      return CheckBinary(ep, body, expected);
    case ExprKind::kIn:
      return CheckIn(e, body);
    case ExprKind::kIs:
      return CheckIs(e, body);
    case ExprKind::kIf: {
      CheckExpr(e.kids[0], body, TypeTable::kBoolId);
      Require(e.kids[0], TypeTable::kBoolId, body, "an `if` condition");
      const size_t before = body.narrowed.size();
      CollectNarrowing(*e.kids[0], true, body.narrowed);
      const TypeId a = CheckExpr(e.kids[1], body, expected);
      body.narrowed.resize(before);
      CollectNarrowing(*e.kids[0], false, body.narrowed);
      CheckExpr(e.kids[2], body, IsError(expected) ? a : expected);
      body.narrowed.resize(before);
      return UnifyBranches({&e.kids[1], &e.kids[2]}, expected, body, "the branches of this `if`", e.span);
    }
    case ExprKind::kAggregate:
      return CheckAggregate(e, body, expected);
    case ExprKind::kRecordLit:
      return CheckRecordLit(e, body);
    case ExprKind::kListLit:
    case ExprKind::kSetLit:
      return CheckCollectionLit(e, body, expected);
    case ExprKind::kMatch:
      return CheckMatch(e, body, expected);
  }
  return TypeTable::kErrorId;
}

// Unifies branch types (if/match arms, collection elements), coercing each branch; reports
// a mismatch once.
auto Checker::UnifyBranches(const std::vector<ExprPtr*>& branches, TypeId expected, Body& body,
                            const std::string& what, Span span) -> TypeId {
  TypeTable& types = program_.types;
  TypeId result = TypeTable::kNoneId;
  bool first = true;
  bool any_none = false;
  for (ExprPtr* b : branches) {
    const TypeId t = (*b)->type;
    if (IsError(t)) {
      return TypeTable::kErrorId;
    }
    if (t == TypeTable::kNoneId) {
      any_none = true;
      continue;
    }
    if (first || result == TypeTable::kNoneId || result == TypeTable::kEmptyId) {
      if (!(t == TypeTable::kEmptyId && !first && result != TypeTable::kNoneId)) {
        result = t;
      }
      first = false;
      continue;
    }
    if (t == result || t == TypeTable::kEmptyId) {
      continue;
    }
    if (Assignable(t, result)) {
      continue;
    }
    if (Assignable(result, t)) {
      result = t;
      continue;
    }
    diags_
        .Report(DiagCode::kTypeMismatch, (*b)->span,
                fmt::format("{} disagree: `{}` and `{}`", what, Name(result), Name(t)),
                fmt::format("this is `{}`", Name(t)))
        .WithLabel(span, "in this expression");
    return TypeTable::kErrorId;
  }
  if (any_none) {
    result = result == TypeTable::kNoneId ? (types.IsOptional(expected) ? expected : TypeTable::kNoneId)
                                          : types.Optional(result);
  }
  if (result == TypeTable::kEmptyId) {
    const TypeId u = types.Unwrap(expected);
    if (Kind(u) == policy::Kind::kList || Kind(u) == policy::Kind::kSet) {
      result = u;
    }
  }
  for (ExprPtr* b : branches) {
    Coerce(*b, result);
  }
  (void)body;
  return result;
}

}  // namespace policy::check
