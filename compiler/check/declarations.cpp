// What declared types mean: type references and aliases (an alias defined in terms of itself is
// an error), enum values, record fields, and the parameter and result types of functions and
// decisions. Every body is checked against these, so all of them are resolved before any body.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <map>

namespace policy::check {

auto Checker::ResolveTypeRef(const ast::TypeRef& ref, uint32_t module) -> TypeId {
  TypeTable& types = program_.types;
  switch (ref.kind) {
    case ast::TypeRef::Kind::kOptional:
      return types.Optional(ResolveTypeRef(*ref.arg, module));
    case ast::TypeRef::Kind::kGeneric: {
      const TypeId elem = ResolveTypeRef(*ref.arg, module);
      if (ref.path[0] == "List") {
        return elem == TypeTable::kErrorId ? elem : types.List(elem);
      }
      if (ref.path[0] == "Set") {
        return elem == TypeTable::kErrorId ? elem : types.Set(elem);
      }
      diags_
          .Report(DiagCode::kUnknownType, ref.span, fmt::format("unknown generic type `{}`", ref.path[0]),
                  "not a collection type")
          .WithHelp("the collection types are `List<T>` and `Set<T>`");
      return TypeTable::kErrorId;
    }
    case ast::TypeRef::Kind::kNamed:
      break;
  }
  if (ref.path.size() == 1) {
    static const std::map<std::string, TypeId> kBuiltinTypes = {
        {"Bool", TypeTable::kBoolId}, {"Int", TypeTable::kIntId},   {"Decimal", TypeTable::kDecimalId},
        {"Text", TypeTable::kTextId}, {"Date", TypeTable::kDateId}, {"Duration", TypeTable::kDurationId}};
    if (const auto it = kBuiltinTypes.find(ref.path[0]); it != kBuiltinTypes.end()) {
      return it->second;
    }
  }
  // Qualified: alias.Type, or a single name.
  uint32_t scope_module = module;
  std::optional<Symbol> sym;
  if (ref.path.size() == 1) {
    sym = LookupGlobal(module, ref.path[0]);
  } else if (ref.path.size() == 2) {
    const auto m = LookupGlobal(module, ref.path[0]);
    if (m && m->kind == SymKind::kModule) {
      scope_module = m->id;
      const auto& own = scopes_[m->id].own;
      if (const auto it = own.find(ref.path[1]); it != own.end()) {
        sym = it->second;
      }
    }
  }
  if (sym && sym->kind == SymKind::kAlias) {
    ref.declaration = aliases_[sym->id].decl->name.span;
    return ResolveAlias(sym->id);
  }
  if (sym && sym->kind == SymKind::kEnum) {
    ref.declaration = types.enum_info(sym->id).span;
    return sym->id;
  }
  if (sym && sym->kind == SymKind::kRecord) {
    ref.declaration = types.record_info(sym->id).span;
    return sym->id;
  }
  if (scopes_[scope_module].broken) {
    return TypeTable::kErrorId;
  }
  const std::string name = ast::JoinPath(ref.path);
  Diagnostic& d = diags_.Report(
      DiagCode::kUnknownType, ref.span, fmt::format("unknown type `{}`", name),
      sym ? fmt::format("this is a {}, not a type", SymKindName(sym->kind)) : "not declared or imported");
  std::vector<std::string> candidates = {"Bool", "Int", "Decimal", "Text", "Date", "Duration", "List", "Set"};
  for (const auto& [n, s] : scopes_[module].own) {
    if (s.kind == SymKind::kEnum || s.kind == SymKind::kRecord || s.kind == SymKind::kAlias) {
      candidates.push_back(n);
    }
  }
  for (const auto& [n, s] : scopes_[module].imported) {
    if (s.kind == SymKind::kEnum || s.kind == SymKind::kRecord || s.kind == SymKind::kAlias) {
      candidates.push_back(n);
    }
  }
  if (const std::string s = SuggestName(ref.path.back(), candidates); !s.empty()) {
    d.WithHelp(fmt::format("did you mean `{}`?", s));
  } else if (!sym) {
    d.WithHelp(fmt::format("declare it, or import it: `import some.module ({})`", ref.path.back()));
  }
  return TypeTable::kErrorId;
}

auto Checker::ResolveAlias(uint32_t index) -> TypeId {
  AliasState& a = aliases_[index];
  if (a.state == 2) {
    return a.type;
  }
  if (a.state == 1) {
    diags_.Report(DiagCode::kRecursiveDefinition, a.decl->name.span,
                  fmt::format("type `{}` is defined in terms of itself", a.decl->name.text),
                  "refers to itself");
    a.state = 2;
    a.type = TypeTable::kErrorId;
    return a.type;
  }
  a.state = 1;
  const TypeId t = ResolveTypeRef(a.decl->type, a.module);
  if (a.state == 1) {
    a.type = t;
    a.state = 2;
  }
  return a.type;
}

void Checker::ResolveTypeDecls() {
  for (auto& [type, decl] : enum_decls_) {
    EnumInfo& info = const_cast<EnumInfo&>(program_.types.enum_info(type));
    std::map<std::string, Span> seen;
    for (size_t vi = 0; vi < decl->variants.size(); ++vi) {
      const ast::Name& v = decl->variants[vi];
      if (const auto it = seen.find(v.text); it != seen.end()) {
        diags_
            .Report(DiagCode::kDuplicateDeclaration, v.span,
                    fmt::format("enum `{}` lists `{}` twice", decl->name.text, v.text), "listed again here")
            .WithLabel(it->second, "first listed here");
        continue;
      }
      seen[v.text] = v.span;
      info.variants.push_back(v.text);
      info.json_names.push_back(decl->json_names[vi].empty() ? v.text : decl->json_names[vi]);
    }
  }
  for (uint32_t i = 0; i < aliases_.size(); ++i) {
    ResolveAlias(i);
  }
  for (const RecordDeclRef& r : record_decls_) {
    std::vector<FieldInfo> fields;
    std::map<std::string, Span> seen;
    for (const ast::FieldDecl& f : r.decl->fields) {
      if (const auto it = seen.find(f.name.text); it != seen.end()) {
        diags_
            .Report(DiagCode::kDuplicateField, f.name.span,
                    fmt::format("record `{}` declares field `{}` twice", r.decl->name.text, f.name.text),
                    "declared again here")
            .WithLabel(it->second, "first declared here");
        continue;
      }
      seen[f.name.text] = f.name.span;
      TypeId ft = ResolveTypeRef(f.type, r.module);
      if (f.may_be_absent) {
        ft = program_.types.Optional(ft);
      }
      fields.push_back({f.name.text, ft, f.name.span, f.may_be_absent, f.fixed});
    }
    program_.types.mutable_record_info(r.type).fields = std::move(fields);
  }
}

void Checker::ResolveSignatures() {
  for (FunctionInfo& f : program_.functions) {
    for (const ast::Param& p : f.decl->params) {
      f.params.push_back(ResolveTypeRef(p.type, f.module));
    }
    f.result = ResolveTypeRef(f.decl->result, f.module);
  }
  for (DecisionInfo& d : program_.decisions) {
    for (const ast::Param& p : d.decl->params) {
      d.params.push_back(ResolveTypeRef(p.type, d.module));
    }
    d.result = ResolveTypeRef(d.decl->result, d.module);
  }
}

}  // namespace policy::check
