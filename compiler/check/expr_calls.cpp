// Calls of functions and decisions (arity, argument types, and the use recorded for the recursion
// check), and of builtins, whose signatures are either fixed or depend on the argument types.
// A name in call position is looked up differently from other names: it is a builtin only when no
// local or module-level name hides it.
#include "compiler/check/checker.h"

#include <fmt/format.h>

namespace policy::check {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

auto Checker::CheckCall(Expr& e, Body& body) -> TypeId {
  Expr& callee = *e.kids[0];
  std::optional<Symbol> target;
  if (callee.kind == ExprKind::kName) {
    bool is_local = false;
    for (const Local& l : body.locals) {
      is_local |= l.name == callee.text;
    }
    if (!is_local) {
      if (const auto b = FindBuiltin(callee.text); b && !LookupGlobal(body.module, callee.text)) {
        callee.ref = {RefKind::kBuiltin, static_cast<uint32_t>(b->id), 0};
        return CheckBuiltinCall(e, *b, body);
      }
      target = LookupGlobal(body.module, callee.text);
    }
  } else if (callee.kind == ExprKind::kField && callee.kids[0]->kind == ExprKind::kName) {
    const auto m = LookupGlobal(body.module, callee.kids[0]->text);
    if (m && m->kind == SymKind::kModule) {
      const auto& own = scopes_[m->id].own;
      if (const auto it = own.find(callee.text); it != own.end()) {
        target = it->second;
      } else if (!scopes_[m->id].broken) {
        diags_.Report(
            DiagCode::kUnknownMember, callee.name_span,
            fmt::format("module `{}` has no declaration `{}`", program_.module_names[m->id], callee.text),
            "not found");
        CheckArgs(e, body, {});
        return TypeTable::kErrorId;
      } else {
        return TypeTable::kErrorId;
      }
    }
  }
  if (!target || (target->kind != SymKind::kFunction && target->kind != SymKind::kDecision)) {
    if (!target && callee.kind == ExprKind::kName && !scopes_[body.module].broken) {
      std::vector<std::string> names = GlobalCandidates(body.module);
      Diagnostic& d = diags_.Report(DiagCode::kUnknownName, callee.span,
                                    fmt::format("unknown function or decision `{}`", callee.text),
                                    "not declared or imported");
      if (const std::string s = SuggestName(callee.text, names); !s.empty()) {
        d.WithSuggestion(s);
      }
    } else if (target || callee.kind != ExprKind::kName) {
      const TypeId t = target ? TypeTable::kErrorId : CheckExpr(e.kids[0], body, TypeTable::kErrorId);
      if (target || !IsError(t)) {
        diags_.Report(DiagCode::kBadCall, callee.span, "only functions, decisions and builtins can be called",
                      target ? fmt::format("this is a {}", SymKindName(target->kind)) : "not callable");
      }
    }
    CheckArgs(e, body, {});
    return TypeTable::kErrorId;
  }
  const bool is_decision = target->kind == SymKind::kDecision;
  if (is_decision && program_.decisions[target->id].decl->is_parameter) {
    diags_
        .Report(DiagCode::kBadCall, e.span, fmt::format("parameter `{}` is not called", callee.text),
                "called here")
        .WithLabel(target->span, "declared here")
        .WithHelp(fmt::format("read it by name: `{}`", callee.text));
    CheckArgs(e, body, {});
    return TypeTable::kErrorId;
  }
  if (is_decision && RejectInConstant(callee.span, fmt::format("decision `{}`", callee.text), body)) {
    CheckArgs(e, body, {});
    return TypeTable::kErrorId;
  }
  const std::vector<TypeId>& params =
      is_decision ? program_.decisions[target->id].params : program_.functions[target->id].params;
  const TypeId result =
      is_decision ? program_.decisions[target->id].result : program_.functions[target->id].result;
  callee.ref = {is_decision ? RefKind::kDecision : RefKind::kFunction, target->id, 0};
  callee.kind = ExprKind::kName;
  callee.kids.clear();
  AddEdge(body, {target->kind, target->id});
  if (e.kids.size() - 1 != params.size()) {
    diags_
        .Report(DiagCode::kBadCall, e.span,
                fmt::format("`{}` takes {} argument{}, but {} {} given", callee.text, params.size(),
                            params.size() == 1 ? "" : "s", e.kids.size() - 1,
                            e.kids.size() == 2 ? "was" : "were"),
                "wrong number of arguments")
        .WithLabel(target->span, "declared here");
    CheckArgs(e, body, {});
    return result;
  }
  CheckArgs(e, body, params);
  return result;
}

void Checker::CheckArgs(Expr& e, Body& body, const std::vector<TypeId>& params) {
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const TypeId want = i - 1 < params.size() ? params[i - 1] : TypeTable::kErrorId;
    CheckExpr(e.kids[i], body, want);
    if (i - 1 < params.size()) {
      Require(e.kids[i], want, body, fmt::format("argument {} of the call", i));
    }
  }
}

auto Checker::CheckBuiltinCall(Expr& e, const BuiltinInfo& b, Body& body) -> TypeId {
  const size_t argc = e.kids.size() - 1;
  if (static_cast<int>(argc) != b.arity) {
    diags_
        .Report(DiagCode::kBadCall, e.span,
                fmt::format("`{}` takes {} argument{}, but {} {} given", b.name, b.arity,
                            b.arity == 1 ? "" : "s", argc, argc == 1 ? "was" : "were"),
                "wrong number of arguments")
        .WithHelp(std::string(b.signature));
    CheckArgs(e, body, {});
    return TypeTable::kErrorId;
  }
  // Builtins with a fixed signature check their arguments like a function's, so `{}` and
  // bare enum values get their expected type and Int arguments coerce to Decimal.
  if (const std::optional<std::vector<TypeId>> fixed = FixedSignature(b.id)) {
    CheckArgs(e, body, *fixed);
    return FixedResult(b.id);
  }
  std::vector<TypeId> args;
  for (size_t i = 1; i < e.kids.size(); ++i) {
    args.push_back(CheckExpr(e.kids[i], body, i == 2 ? args[0] : TypeTable::kErrorId));
  }
  for (const TypeId a : args) {
    if (IsError(a)) {
      return TypeTable::kErrorId;
    }
  }
  auto bad = [&]() {
    Diagnostic& d =
        diags_.Report(DiagCode::kBadCall, e.span,
                      fmt::format("`{}` does not accept {}", b.name, ArgList(args)), "wrong argument types");
    // An optional argument is the usual reason: say which, and what to write.
    for (size_t i = 0; i < args.size(); ++i) {
      if (program_.types.IsOptional(args[i])) {
        d.WithLabel(e.kids[i + 1]->span, fmt::format("`{}`: may be `none`", Name(args[i])));
        d.WithHelp(NoneHelp(*e.kids[i + 1], args[i]));
        break;
      }
    }
    d.WithHelp(std::string(b.signature));
    return TypeTable::kErrorId;
  };
  switch (b.id) {
    case Builtin::kMin:
    case Builtin::kMax: {
      TypeId t = args[0];
      if (args[0] != args[1]) {
        if (Assignable(args[0], args[1])) {
          t = args[1];
        } else if (!Assignable(args[1], args[0])) {
          return bad();
        }
      }
      const policy::Kind k = Kind(t);
      if (k != policy::Kind::kInt && k != policy::Kind::kDecimal && k != policy::Kind::kDate &&
          k != policy::Kind::kDuration && k != policy::Kind::kText) {
        return bad();
      }
      Coerce(e.kids[1], t);
      Coerce(e.kids[2], t);
      if (k == policy::Kind::kDuration) {
        CheckDurationFamilies(e, *e.kids[1], *e.kids[2]);
      }
      return t;
    }
    case Builtin::kAbs:
      return program_.types.IsNumeric(args[0]) ? args[0] : bad();
    case Builtin::kLength: {
      const policy::Kind k = Kind(args[0]);
      return k == policy::Kind::kList || k == policy::Kind::kSet || k == policy::Kind::kText ||
                     args[0] == TypeTable::kEmptyId
                 ? TypeTable::kIntId
                 : bad();
    }
    case Builtin::kYear:
    case Builtin::kMonth:
    case Builtin::kDay:
    case Builtin::kWeekday:
      return args[0] == TypeTable::kDateId ? TypeTable::kIntId : bad();
    case Builtin::kDaysBetween:
      return args[0] == TypeTable::kDateId && args[1] == TypeTable::kDateId ? TypeTable::kIntId : bad();
    case Builtin::kToDecimal:
      return args[0] == TypeTable::kIntId ? TypeTable::kDecimalId : bad();
    case Builtin::kDistinct:
      return Kind(args[0]) == policy::Kind::kList ? program_.types.Set(program_.types.Get(args[0]).elem)
                                                  : bad();
    case Builtin::kToList:
      return Kind(args[0]) == policy::Kind::kSet ? program_.types.List(program_.types.Get(args[0]).elem)
                                                 : bad();
    case Builtin::kFlatten: {
      if (Kind(args[0]) != policy::Kind::kList) {
        return bad();
      }
      const TypeId inner = program_.types.Get(args[0]).elem;
      return Kind(inner) == policy::Kind::kList || Kind(inner) == policy::Kind::kSet
                 ? program_.types.List(program_.types.Get(inner).elem)
                 : bad();
    }
    case Builtin::kAddWorkingDays:
    case Builtin::kWorkingDaysBetween:
    case Builtin::kAddMonthsOverflow:
    case Builtin::kDatesEvery:
      break;  // fixed signatures, handled above
  }
  return bad();
}

auto Checker::FixedSignature(Builtin b) -> std::optional<std::vector<TypeId>> {
  TypeTable& types = program_.types;
  const TypeId dates = types.Set(TypeTable::kDateId);
  switch (b) {
    case Builtin::kAddWorkingDays:
      return std::vector<TypeId>{TypeTable::kDateId, TypeTable::kIntId, dates, dates};
    case Builtin::kWorkingDaysBetween:
      return std::vector<TypeId>{TypeTable::kDateId, TypeTable::kDateId, dates, dates};
    case Builtin::kAddMonthsOverflow:
      return std::vector<TypeId>{TypeTable::kDateId, TypeTable::kIntId};
    case Builtin::kDatesEvery:
      return std::vector<TypeId>{TypeTable::kDateId, TypeTable::kDateId, TypeTable::kDurationId};
    default:
      return std::nullopt;
  }
}

auto Checker::FixedResult(Builtin b) -> TypeId {
  switch (b) {
    case Builtin::kWorkingDaysBetween:
      return TypeTable::kIntId;
    case Builtin::kDatesEvery:
      return program_.types.List(TypeTable::kDateId);
    default:
      return TypeTable::kDateId;
  }
}

auto Checker::ArgList(const std::vector<TypeId>& args) const -> std::string {
  std::string out;
  for (const TypeId a : args) {
    out += fmt::format("{}`{}`", out.empty() ? "" : ", ", Name(a));
  }
  return out.empty() ? "no arguments" : out;
}

}  // namespace policy::check
