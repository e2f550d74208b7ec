// Collections and `match`: list and set literals, aggregates over a collection (`all`, `any`,
// `count`, `filter`, `sum`, `min`, `max`, `map`), and `match` over enums and optionals, with its
// exhaustiveness and unreachable-pattern checks. Aggregates and `match` are the expressions that
// bind variables of their own (the element, `some(x)`), in slots released after them.
#include "compiler/check/checker.h"

#include <fmt/format.h>

namespace policy::check {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

auto Checker::CheckCollectionLit(Expr& e, Body& body, TypeId expected) -> TypeId {
  TypeTable& types = program_.types;
  const bool is_set = e.kind == ExprKind::kSetLit;
  if (e.kids.empty()) {
    const policy::Kind want = is_set ? policy::Kind::kSet : policy::Kind::kList;
    const TypeId u = types.Unwrap(expected);
    return Kind(u) == want ? u : TypeTable::kEmptyId;
  }
  TypeId elem_expected = TypeTable::kErrorId;
  const TypeId u = types.Unwrap(expected);
  if (Kind(u) == policy::Kind::kSet || Kind(u) == policy::Kind::kList) {
    elem_expected = types.Get(u).elem;
  }
  std::vector<ExprPtr*> items;
  for (ExprPtr& k : e.kids) {
    CheckExpr(k, body, elem_expected);
    items.push_back(&k);
  }
  const TypeId elem = UnifyBranches(items, elem_expected, body, "the elements of this collection", e.span);
  if (IsError(elem)) {
    return elem;
  }
  if (elem == TypeTable::kNoneId || elem == TypeTable::kEmptyId) {
    diags_.Report(DiagCode::kCannotInfer, e.span, "cannot tell the element type of this collection", "here");
    return TypeTable::kErrorId;
  }
  return is_set ? types.Set(elem) : types.List(elem);
}

auto Checker::CheckAggregate(Expr& e, Body& body, TypeId expected) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId coll = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  TypeId elem = TypeTable::kErrorId;
  if (!IsError(coll)) {
    if (Kind(coll) == policy::Kind::kList || Kind(coll) == policy::Kind::kSet) {
      elem = types.Get(coll).elem;
    } else {
      Diagnostic& d =
          diags_.Report(DiagCode::kBadOperands, e.kids[0]->span,
                        fmt::format("`{}` needs a list or set, found `{}`", ast::AggText(e.agg), Name(coll)),
                        "not a collection");
      if (types.IsOptional(coll)) {
        d.WithHelp("the collection may be `none`: use `?? []` or test `is some` first");
      }
    }
  }
  const size_t locals_before = body.locals.size();
  const uint32_t slot_before = body.next_slot;
  e.slot = body.Bind(e.text, elem);
  TypeId result = TypeTable::kErrorId;
  const TypeId item_expected = e.agg == ast::AggKind::kMap ? types.Unwrap(expected) : TypeTable::kErrorId;
  TypeId item = CheckExpr(e.kids[1], body,
                          e.agg == ast::AggKind::kAll || e.agg == ast::AggKind::kAny ||
                                  e.agg == ast::AggKind::kCount || e.agg == ast::AggKind::kFilter
                              ? TypeTable::kBoolId
                              : item_expected);
  switch (e.agg) {
    case ast::AggKind::kAll:
    case ast::AggKind::kAny:
    case ast::AggKind::kCount:
    case ast::AggKind::kFilter:
      Require(e.kids[1], TypeTable::kBoolId, body, fmt::format("the condition of `{}`", ast::AggText(e.agg)));
      result = e.agg == ast::AggKind::kCount    ? TypeTable::kIntId
               : e.agg == ast::AggKind::kFilter ? (IsError(coll) ? coll : types.Unwrap(coll))
                                                : TypeTable::kBoolId;
      break;
    case ast::AggKind::kSum:
      if (!IsError(item) && item != TypeTable::kIntId && item != TypeTable::kDecimalId) {
        diags_.Report(DiagCode::kBadOperands, e.kids[1]->span,
                      fmt::format("`sum` adds numbers; this is a `{}`", Name(item)), "not a number");
        item = TypeTable::kErrorId;
      }
      result = item;
      break;
    case ast::AggKind::kMin:
    case ast::AggKind::kMax: {
      const policy::Kind k = Kind(item);
      if (!IsError(item) && k != policy::Kind::kInt && k != policy::Kind::kDecimal &&
          k != policy::Kind::kDate && k != policy::Kind::kText && k != policy::Kind::kDuration) {
        diags_.Report(DiagCode::kBadOperands, e.kids[1]->span,
                      fmt::format("`{}` needs values that can be ordered; this is a `{}`",
                                  ast::AggText(e.agg), Name(item)),
                      "cannot be ordered");
        item = TypeTable::kErrorId;
      }
      // The empty collection has no minimum: the result is optional.
      result = IsError(item) ? item : types.Optional(item);
      break;
    }
    case ast::AggKind::kMap:
      if (item == TypeTable::kNoneId || item == TypeTable::kEmptyId) {
        diags_.Report(DiagCode::kCannotInfer, e.kids[1]->span, "cannot tell the type of the mapped values",
                      "here");
        item = TypeTable::kErrorId;
      }
      result = IsError(item) ? item : types.List(item);
      break;
  }
  body.locals.resize(locals_before);
  body.next_slot = slot_before;
  return result;
}

auto Checker::CheckMatch(Expr& e, Body& body, TypeId expected) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId scrut = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  const bool optional = types.IsOptional(scrut);
  const TypeId inner = types.Unwrap(scrut);
  const bool is_enum = Kind(inner) == policy::Kind::kEnum;
  if (!IsError(scrut) && !optional && !is_enum) {
    diags_
        .Report(DiagCode::kBadOperands, e.kids[0]->span,
                fmt::format("`match` works on enums and optional values; this is a `{}`", Name(scrut)),
                "cannot match on this")
        .WithHelp("use `if ... then ... else ...`");
  }
  const size_t n_variants = is_enum ? types.enum_info(inner).variants.size() : 0;
  std::vector<bool> covered(n_variants, false);
  bool none_covered = false;
  bool some_covered = false;
  bool wildcard = false;
  std::vector<ExprPtr*> bodies;
  for (ast::MatchArm& arm : e.arms) {
    const size_t locals_before = body.locals.size();
    const uint32_t slot_before = body.next_slot;
    for (ast::Pattern& p : arm.patterns) {
      if (IsError(scrut)) {
        continue;
      }
      bool fresh = !wildcard;
      switch (p.kind) {
        case ast::Pattern::Kind::kWildcard:
          fresh = !wildcard;
          wildcard = true;
          break;
        case ast::Pattern::Kind::kNone:
          if (!optional) {
            diags_.Report(DiagCode::kTypeMismatch, p.span, fmt::format("a `{}` is never `none`", Name(scrut)),
                          "cannot match");
          }
          fresh = fresh && !none_covered;
          none_covered = true;
          break;
        case ast::Pattern::Kind::kSome:
          if (!optional) {
            diags_.Report(DiagCode::kTypeMismatch, p.span, fmt::format("a `{}` is not optional", Name(scrut)),
                          "cannot match `some`");
          }
          fresh = fresh && !some_covered;
          some_covered = true;
          p.slot = body.Bind(p.name, inner);
          break;
        case ast::Pattern::Kind::kName: {
          if (!is_enum) {
            diags_
                .Report(DiagCode::kTypeMismatch, p.span,
                        fmt::format("`{}` is not a pattern for a `{}`", p.name, Name(scrut)), "not a pattern")
                .WithHelp(optional ? "use `none`, `some(x)` or `_`" : "use `_`");
            break;
          }
          const auto v = VariantIndex(inner, p.name);
          if (!v) {
            Diagnostic& d = diags_.Report(DiagCode::kUnknownVariant, p.span,
                                          fmt::format("enum `{}` has no value `{}`", Name(inner), p.name),
                                          "not a value of it");
            if (const std::string s = SuggestName(p.name, types.enum_info(inner).variants); !s.empty()) {
              d.WithSuggestion(s);
            }
            break;
          }
          p.ordinal = *v;
          fresh = fresh && !covered[*v] && !some_covered;
          covered[*v] = true;
          break;
        }
      }
      if (!fresh) {
        diags_
            .Report(DiagCode::kUnreachablePattern, p.span, "this pattern can never match",
                    "already covered by an earlier arm")
            .WithHelp("remove it");
      }
    }
    CheckExpr(arm.body, body, expected);
    bodies.push_back(&arm.body);
    body.locals.resize(locals_before);
    body.next_slot = slot_before;
  }
  if (!IsError(scrut) && !wildcard) {
    std::string missing;
    if (optional && !none_covered) {
      missing += "`none`";
    }
    if (optional && !is_enum && !some_covered) {
      missing += fmt::format("{}`some(_)`", missing.empty() ? "" : ", ");
    }
    if (is_enum && !some_covered) {
      for (size_t v = 0; v < n_variants; ++v) {
        if (!covered[v]) {
          missing += fmt::format("{}`{}`", missing.empty() ? "" : ", ", types.enum_info(inner).variants[v]);
        }
      }
    }
    if (!missing.empty()) {
      diags_
          .Report(DiagCode::kNotExhaustive, e.kids[0]->span,
                  fmt::format("`match` does not cover {}", missing), "some cases are missing")
          .WithHelp("add an arm for each missing case, or `_ => ...` for all the rest");
    }
  }
  return UnifyBranches(bodies, expected, body, "the arms of this `match`", e.span);
}

}  // namespace policy::check
