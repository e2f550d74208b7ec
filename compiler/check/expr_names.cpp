// Names in expressions: locals, `as_of`, constants, parameters read by name, enum values,
// `module.name`, `Enum.value` and record fields, each rewritten into a resolved reference. The
// order of lookup is a rule of the language, kept in one place: locals, then `as_of`, then a value
// of the expected enum, then module-level names, then a value of any visible enum if unambiguous.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace policy::check {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

// The enum type a bare variant name should be looked up in, given the expected type.
auto Checker::ExpectedEnum(TypeId expected) const -> std::optional<TypeId> {
  TypeId t = program_.types.Unwrap(expected);
  if (Kind(t) == policy::Kind::kSet || Kind(t) == policy::Kind::kList) {
    t = program_.types.Get(t).elem;
  }
  if (Kind(t) == policy::Kind::kEnum) {
    return t;
  }
  return std::nullopt;
}

auto Checker::VariantIndex(TypeId enum_type, const std::string& name) const -> std::optional<uint32_t> {
  const auto& vs = program_.types.enum_info(enum_type).variants;
  for (uint32_t i = 0; i < vs.size(); ++i) {
    if (vs[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

// Enums whose values may be written bare in `module`: its own and those of imported modules.
auto Checker::VisibleEnums(uint32_t module) const -> std::vector<TypeId> {
  std::vector<TypeId> out;
  auto add_from = [&](uint32_t m) {
    for (const auto& [n, s] : scopes_[m].own) {
      if (s.kind == SymKind::kEnum && std::find(out.begin(), out.end(), s.id) == out.end()) {
        out.push_back(s.id);
      }
    }
  };
  add_from(module);
  for (const uint32_t m : scopes_[module].imports) {
    add_from(m);
  }
  return out;
}

auto Checker::CheckName(Expr& e, Body& body, TypeId expected) -> TypeId {
  // Locals, innermost first.
  for (auto it = body.locals.rbegin(); it != body.locals.rend(); ++it) {
    if (it->name == e.text) {
      e.ref = {RefKind::kLocal, it->slot, 0};
      e.type = it->type;
      return Narrow(e, body);
    }
  }
  if (e.text == "as_of") {
    e.ref = {RefKind::kAsOf, 0, 0};
    if (body.owner && body.owner->kind == SymKind::kConst) {
      // Constants are computed once, when the policies are loaded, not per evaluation.
      diags_
          .Report(DiagCode::kAsOfInConstant, e.span, "a constant cannot depend on the evaluation date",
                  "`as_of` differs from one evaluation to the next")
          .WithHelp("use a `def` (a function) or a decision instead of a `const`");
      return TypeTable::kErrorId;
    }
    return TypeTable::kDateId;
  }
  // An enum value named by the expected type wins over globals: `mode == full_time`.
  if (const auto en = ExpectedEnum(expected)) {
    if (const auto v = VariantIndex(*en, e.text)) {
      e.ref = {RefKind::kEnumVariant, *en, *v};
      return *en;
    }
  }
  if (const auto sym = LookupGlobal(body.module, e.text)) {
    return ResolveSymbolAsValue(e, *sym, body);
  }
  // A bare enum value of any visible enum, if unambiguous.
  std::vector<std::pair<TypeId, uint32_t>> matches;
  for (const TypeId t : VisibleEnums(body.module)) {
    if (const auto v = VariantIndex(t, e.text)) {
      matches.emplace_back(t, *v);
    }
  }
  if (matches.size() == 1) {
    e.ref = {RefKind::kEnumVariant, matches[0].first, matches[0].second};
    return matches[0].first;
  }
  if (matches.size() > 1) {
    std::string options;
    for (const auto& [t, v] : matches) {
      options += fmt::format("{}`{}.{}`", options.empty() ? "" : " or ", Name(t), e.text);
    }
    diags_
        .Report(DiagCode::kAmbiguousName, e.span, fmt::format("`{}` is a value of several enums", e.text),
                "ambiguous")
        .WithHelp(fmt::format("write {}", options));
    return TypeTable::kErrorId;
  }
  if (FindBuiltin(e.text)) {
    diags_
        .Report(DiagCode::kBadCall, e.span, fmt::format("builtin `{}` must be called", e.text), "not called")
        .WithHelp(fmt::format("write `{}(...)`; {}", e.text, FindBuiltin(e.text)->signature));
    return TypeTable::kErrorId;
  }
  if (scopes_[body.module].broken) {
    return TypeTable::kErrorId;
  }
  ReportUnknownName(e, body, expected);
  return TypeTable::kErrorId;
}

void Checker::ReportUnknownName(const Expr& e, const Body& body, TypeId expected) {
  std::vector<std::string> candidates = GlobalCandidates(body.module);
  for (const Local& l : body.locals) {
    candidates.push_back(l.name);
  }
  if (const auto en = ExpectedEnum(expected)) {
    for (const std::string& v : program_.types.enum_info(*en).variants) {
      candidates.push_back(v);
    }
  }
  for (const TypeId t : VisibleEnums(body.module)) {
    for (const std::string& v : program_.types.enum_info(t).variants) {
      candidates.push_back(v);
    }
  }
  Diagnostic& d = diags_.Report(DiagCode::kUnknownName, e.span, fmt::format("unknown name `{}`", e.text),
                                "not declared or imported");
  if (const std::string s = SuggestName(e.text, candidates); !s.empty()) {
    d.WithSuggestion(s);
  } else if (const auto en = ExpectedEnum(expected)) {
    const auto& vs = program_.types.enum_info(*en).variants;
    std::string list;
    for (size_t i = 0; i < vs.size() && i < 8; ++i) {
      list += fmt::format("{}`{}`", i == 0 ? "" : ", ", vs[i]);
    }
    d.WithHelp(fmt::format("`{}` has the values {}{}", Name(*en), list, vs.size() > 8 ? ", ..." : ""));
  }
}

auto Checker::ResolveSymbolAsValue(Expr& e, const Symbol& sym, Body& body) -> TypeId {
  switch (sym.kind) {
    case SymKind::kConst:
      e.ref = {RefKind::kConst, sym.id, 0};
      AddEdge(body, {SymKind::kConst, sym.id});
      e.type = ConstType(sym.id);
      return Narrow(e, body);
    case SymKind::kModule:
      e.ref = {RefKind::kModule, sym.id, 0};
      return TypeTable::kErrorId;
    case SymKind::kEnum:
    case SymKind::kRecord:
      e.ref = {RefKind::kType, sym.id, 0};
      return TypeTable::kErrorId;
    case SymKind::kAlias:
      e.ref = {RefKind::kType, ResolveAlias(sym.id), 0};
      return TypeTable::kErrorId;
    case SymKind::kDecision:
      if (program_.decisions[sym.id].decl->is_parameter) {
        return ReadParameter(e, sym, body);
      }
      [[fallthrough]];
    case SymKind::kFunction:
      diags_
          .Report(DiagCode::kBadCall, e.span,
                  fmt::format("{} `{}` must be called with its arguments", SymKindName(sym.kind), e.text),
                  "not called")
          .WithHelp(fmt::format("write `{}(...)`", e.text));
      return TypeTable::kErrorId;
  }
  return TypeTable::kErrorId;
}

// A parameter is read by name; it is evaluated like a call of a decision without arguments, so
// the name node becomes a call node (see ast::DecisionDecl::is_parameter).
auto Checker::ReadParameter(Expr& e, const Symbol& sym, Body& body) -> TypeId {
  if (RejectInConstant(e.span, fmt::format("parameter `{}`", e.text), body)) {
    return TypeTable::kErrorId;
  }
  auto callee = std::make_unique<Expr>();
  callee->kind = ExprKind::kName;
  callee->text = e.text;
  callee->span = e.span;
  callee->ref = {RefKind::kDecision, sym.id, 0};
  e.kind = ExprKind::kCall;
  e.kids.clear();
  e.kids.push_back(std::move(callee));
  AddEdge(body, {SymKind::kDecision, sym.id});
  return program_.decisions[sym.id].result;
}

// E0406: constants are computed once, at load time, before any evaluation date is known, so
// they cannot use anything whose value depends on it.
auto Checker::RejectInConstant(Span span, const std::string& what, const Body& body) -> bool {
  if (!body.owner || body.owner->kind != SymKind::kConst) {
    return false;
  }
  diags_
      .Report(DiagCode::kAsOfInConstant, span,
              fmt::format("a constant cannot depend on the evaluation date, and {} does", what),
              "its value depends on the evaluation date")
      .WithHelp("use a `def` (a function), a `parameter` or a decision instead of a `const`");
  return true;
}

// Names used as the object of `.`: module aliases and enum types are not values on their own.
auto Checker::IsNamespaceRef(const Expr& e) const -> bool {
  return e.kind == ExprKind::kName && (e.ref.kind == RefKind::kModule || e.ref.kind == RefKind::kType);
}

auto Checker::CheckField(Expr& e, Body& body, TypeId expected) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId obj = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  Expr& base = *e.kids[0];
  if (IsNamespaceRef(base)) {
    if (base.ref.kind == RefKind::kModule) {
      const uint32_t m = base.ref.id;
      const auto& own = scopes_[m].own;
      const auto it = own.find(e.text);
      if (it == own.end()) {
        if (!scopes_[m].broken) {
          std::vector<std::string> names;
          for (const auto& [n, s] : own) {
            names.push_back(n);
          }
          Diagnostic& d = diags_.Report(
              DiagCode::kUnknownMember, e.name_span,
              fmt::format("module `{}` has no declaration `{}`", program_.module_names[m], e.text),
              "not found");
          if (const std::string s = SuggestName(e.text, names); !s.empty()) {
            d.WithSuggestion(s);
          }
        }
        return TypeTable::kErrorId;
      }
      // Rewrite `alias.name` into a resolved name node.
      e.kind = ExprKind::kName;
      e.kids.clear();
      return ResolveSymbolAsValue(e, it->second, body);
    }
    const TypeId t = base.ref.id;
    if (Kind(t) == policy::Kind::kEnum) {
      if (const auto v = VariantIndex(t, e.text)) {
        e.ref = {RefKind::kEnumVariant, t, *v};
        e.kind = ExprKind::kName;
        e.kids.clear();
        return t;
      }
      Diagnostic& d =
          diags_.Report(DiagCode::kUnknownVariant, e.name_span,
                        fmt::format("enum `{}` has no value `{}`", Name(t), e.text), "not a value of it");
      if (const std::string s = SuggestName(e.text, types.enum_info(t).variants); !s.empty()) {
        d.WithSuggestion(s);
      }
      return TypeTable::kErrorId;
    }
    diags_.Report(DiagCode::kBadOperands, e.span, fmt::format("`{}` is a type, not a value", Name(t)),
                  "here");
    return TypeTable::kErrorId;
  }
  if (IsError(obj)) {
    return TypeTable::kErrorId;
  }
  if (types.IsOptional(obj) && Kind(types.Get(obj).elem) == policy::Kind::kRecord) {
    diags_
        .Report(DiagCode::kOptionalNotHandled, base.span,
                fmt::format("`{}` may be `none`, so it has no field `{}` for sure", SourceText(base), e.text),
                fmt::format("this is `{}`", Name(obj)))
        .WithHelp(fmt::format("test it first: `{} is some and {}.{} ...`, or use `match`", SourceText(base),
                              SourceText(base), e.text));
    return TypeTable::kErrorId;
  }
  if (Kind(obj) != policy::Kind::kRecord) {
    diags_.Report(DiagCode::kBadOperands, e.name_span,
                  fmt::format("a `{}` has no fields; cannot read `{}`", Name(obj), e.text), "no such field");
    return TypeTable::kErrorId;
  }
  const RecordInfo& rec = types.record_info(obj);
  const auto index = rec.FieldIndex(e.text);
  if (!index) {
    std::vector<std::string> names;
    for (const FieldInfo& f : rec.fields) {
      names.push_back(f.name);
    }
    Diagnostic& d =
        diags_.Report(DiagCode::kUnknownField, e.name_span,
                      fmt::format("unknown field `{}` on `{}`", e.text, Name(obj)), "no such field");
    if (const std::string s = SuggestName(e.text, names); !s.empty()) {
      d.WithSuggestion(s);
    }
    d.WithLabel(rec.span, fmt::format("`{}` is declared here", Name(obj)));
    return TypeTable::kErrorId;
  }
  e.ref = {RefKind::kField, 0, *index};
  e.type = rec.fields[*index].type;
  (void)expected;
  return Narrow(e, body);
}

auto Checker::SourceText(const Expr& e) const -> std::string {
  if (e.kind == ExprKind::kName) {
    return e.text;
  }
  if (e.kind == ExprKind::kField) {
    return SourceText(*e.kids[0]) + "." + e.text;
  }
  return "the value";
}

}  // namespace policy::check
