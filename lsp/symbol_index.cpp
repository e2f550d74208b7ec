#include "lsp/symbol_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <tuple>

#include "compiler/syntax/ast.h"

namespace policy::lsp {

auto SymbolKindName(SymbolKind k) -> const char* {
  switch (k) {
    case SymbolKind::kModule:
      return "module";
    case SymbolKind::kEnum:
      return "enum";
    case SymbolKind::kVariant:
      return "enum value";
    case SymbolKind::kRecord:
      return "record";
    case SymbolKind::kField:
      return "field";
    case SymbolKind::kAlias:
      return "type";
    case SymbolKind::kConst:
      return "constant";
    case SymbolKind::kFunction:
      return "function";
    case SymbolKind::kDecision:
      return "decision";
    case SymbolKind::kParameter:
      return "parameter";
    case SymbolKind::kRule:
      return "rule";
    case SymbolKind::kLocal:
      return "local";
    case SymbolKind::kTest:
      return "test";
  }
  return "symbol";
}

namespace {

auto EffectiveText(const std::optional<Date>& from, const std::optional<Date>& until) -> std::string {
  std::string out;
  if (from) {
    out = fmt::format("effective from {}", from->ToString());
  }
  if (until) {
    out += fmt::format("{}until {}", out.empty() ? "effective " : " ", until->ToString());
  }
  return out;
}

}  // namespace

// Two passes over the typed trees: first every declaration becomes a Symbol (so that a use may
// come before its declaration in file order, or in another file), then every use is recorded.
class IndexBuilder {
 public:
  IndexBuilder(const CheckedSources& checked, const SourceManager& sources)
      : checked_(checked), program_(checked.program), types_(checked.program.types), sources_(sources) {}

  auto Run() -> SymbolIndex {
    for (TypeId t = 0; t < types_.size(); ++t) {
      if (types_.kind(t) == Kind::kEnum) {
        type_by_name_[types_.enum_info(t).name] = t;
      } else if (types_.kind(t) == Kind::kRecord) {
        type_by_name_[types_.record_info(t).name] = t;
      }
    }
    for (const ast::Module& m : checked_.modules) {
      DeclareModule(m);
    }
    for (const ast::Module& m : checked_.modules) {
      UseModule(m);
    }
    for (auto& [file, list] : index_.occurrences_) {
      std::sort(list.begin(), list.end(), [](const Occurrence& a, const Occurrence& b) {
        return std::tie(a.span.begin, a.span.end) < std::tie(b.span.begin, b.span.end);
      });
      // A name can be recorded twice (a rewritten `alias.member` node and its name); keep one.
      list.erase(std::unique(list.begin(), list.end(),
                             [](const Occurrence& a, const Occurrence& b) {
                               return a.span.begin == b.span.begin && a.span.end == b.span.end &&
                                      a.symbol == b.symbol;
                             }),
                 list.end());
    }
    return std::move(index_);
  }

 private:
  struct BodyContext {
    std::string container;
    std::map<uint32_t, uint32_t> locals;       // slot -> symbol, the binding in scope
    std::map<uint32_t, TypeId> record_params;  // slot -> record type, for JSON paths
    const ast::DecisionDecl* decision = nullptr;
    uint32_t decision_symbol = 0;
  };

  auto Add(Symbol s) -> uint32_t {
    if (s.name_span.valid()) {
      s.in_stdlib = sources_.Get(s.name_span.file).path().rfind("std/", 0) == 0;
    }
    std::string key = s.key;
    for (int n = 2; index_.by_key_.count(key) != 0; ++n) {
      key = fmt::format("{}#{}", s.key, n);  // a duplicate declaration (already an error)
    }
    s.key = key;
    const auto id = static_cast<uint32_t>(index_.symbols_.size());
    index_.by_key_[key] = id;
    if (s.name_span.valid()) {
      by_definition_[{s.name_span.file, s.name_span.begin}] = id;
      Record(s.name_span, id, true);
    }
    index_.symbols_.push_back(std::move(s));
    return id;
  }

  void Record(Span span, uint32_t symbol, bool definition, std::string json_path = "") {
    if (!span.valid() || span.end <= span.begin) {
      return;
    }
    index_.occurrences_[span.file].push_back({span, symbol, definition, std::move(json_path)});
  }

  auto TypeName(TypeId t) const -> std::string { return types_.Name(t); }

  // ---- declarations ----------------------------------------------------------------------------

  void DeclareModule(const ast::Module& m) {
    const std::string module = m.QualifiedName();
    if (module.empty()) {
      return;
    }
    Symbol ms;
    ms.kind = SymbolKind::kModule;
    ms.key = "module " + module;
    ms.name = module;
    ms.qualified = module;
    ms.name_span = m.path_span;
    ms.extent = m.path_span;
    ms.signature = "module " + module;
    const uint32_t module_symbol = Add(ms);
    module_symbols_[module] = module_symbol;
    auto& members = members_[module];

    for (const ast::EnumDecl& e : m.enums) {
      const std::string q = module + "." + e.name.text;
      const auto t = type_by_name_.find(q);
      Symbol s;
      s.kind = SymbolKind::kEnum;
      s.key = "type " + q;
      s.name = e.name.text;
      s.qualified = q;
      s.container = module;
      s.name_span = e.name.span;
      s.extent = e.variants.empty() ? e.name.span : Span::Cover(e.name.span, e.variants.back().span);
      s.doc = &e.doc.text;
      s.type = t == type_by_name_.end() ? TypeTable::kErrorId : t->second;
      std::string values;
      for (const ast::Name& v : e.variants) {
        values += (values.empty() ? "" : ", ") + v.text;
      }
      s.signature = fmt::format("enum {} {{ {} }}", e.name.text, values);
      const uint32_t id = Add(s);
      members[e.name.text] = id;
      for (size_t vi = 0; vi < e.variants.size(); ++vi) {
        Symbol v;
        v.kind = SymbolKind::kVariant;
        v.key = fmt::format("variant {}.{}", q, e.variants[vi].text);
        v.name = e.variants[vi].text;
        v.qualified = q + "." + v.name;
        v.container = q;
        v.name_span = e.variants[vi].span;
        v.extent = v.name_span;
        v.type = s.type;
        v.json_name = vi < e.json_names.size() && !e.json_names[vi].empty() ? e.json_names[vi] : v.name;
        v.signature = fmt::format("{}.{}", e.name.text, v.name);
        v.parent = static_cast<int32_t>(id);
        Add(v);
      }
    }
    for (const ast::RecordDecl& r : m.records) {
      const std::string q = module + "." + r.name.text;
      const auto t = type_by_name_.find(q);
      Symbol s;
      s.kind = SymbolKind::kRecord;
      s.key = "type " + q;
      s.name = r.name.text;
      s.qualified = q;
      s.container = module;
      s.name_span = r.name.span;
      s.extent = r.fields.empty() ? r.name.span : Span::Cover(r.name.span, r.fields.back().type.span);
      s.doc = &r.doc.text;
      s.type = t == type_by_name_.end() ? TypeTable::kErrorId : t->second;
      s.signature = "record " + r.name.text;
      const uint32_t id = Add(s);
      members[r.name.text] = id;
      for (size_t fi = 0; fi < r.fields.size(); ++fi) {
        const ast::FieldDecl& f = r.fields[fi];
        Symbol fs;
        fs.kind = SymbolKind::kField;
        fs.key = fmt::format("field {}.{}", q, f.name.text);
        fs.name = f.name.text;
        fs.qualified = q + "." + f.name.text;
        fs.container = q;
        fs.name_span = f.name.span;
        fs.extent = Span::Cover(f.name.span, f.type.span);
        fs.doc = &f.doc.text;
        fs.json_name = f.name.text;
        if (s.type != TypeTable::kErrorId) {
          const RecordInfo& info = types_.record_info(s.type);
          if (const auto idx = info.FieldIndex(f.name.text)) {
            fs.type = info.fields[*idx].type;
          }
        }
        fs.signature = fmt::format("{}{}{}: {}", f.fixed ? "fixed " : "", f.name.text,
                                   f.may_be_absent ? "?" : "", TypeName(fs.type));
        fs.parent = static_cast<int32_t>(id);
        Add(fs);
      }
    }
    for (const ast::AliasDecl& a : m.aliases) {
      Symbol s;
      s.kind = SymbolKind::kAlias;
      s.key = fmt::format("alias {}.{}", module, a.name.text);
      s.name = a.name.text;
      s.qualified = module + "." + a.name.text;
      s.container = module;
      s.name_span = a.name.span;
      s.extent = Span::Cover(a.name.span, a.type.span);
      s.doc = &a.doc.text;
      s.signature =
          fmt::format("type {} = {}", a.name.text, sources_.Get(a.type.span.file).Slice(a.type.span));
      members[a.name.text] = Add(s);
    }
    for (uint32_t i = 0; i < program_.consts.size(); ++i) {
      const check::ConstInfo& c = program_.consts[i];
      if (&checked_.modules[c.module] != &m) {
        continue;
      }
      Symbol s;
      s.kind = SymbolKind::kConst;
      s.key = "const " + c.name;
      s.name = c.decl->name.text;
      s.qualified = c.name;
      s.container = module;
      s.name_span = c.decl->name.span;
      s.extent = c.decl->value ? Span::Cover(c.decl->name.span, c.decl->value->span) : c.decl->name.span;
      s.doc = &c.decl->doc.text;
      s.type = c.type;
      s.signature = fmt::format("const {}: {}", s.name, TypeName(c.type));
      const_symbols_[i] = Add(s);
      members[s.name] = const_symbols_[i];
    }
    for (uint32_t i = 0; i < program_.functions.size(); ++i) {
      const check::FunctionInfo& f = program_.functions[i];
      if (&checked_.modules[f.module] != &m) {
        continue;
      }
      Symbol s;
      s.kind = SymbolKind::kFunction;
      s.key = "function " + f.name;
      s.name = f.decl->name.text;
      s.qualified = f.name;
      s.container = module;
      s.name_span = f.decl->name.span;
      s.extent = f.decl->body ? Span::Cover(f.decl->name.span, f.decl->body->span) : f.decl->name.span;
      s.doc = &f.decl->doc.text;
      s.type = f.result;
      s.signature =
          fmt::format("def {}({}) -> {}", s.name, ParamList(f.decl->params, f.params), TypeName(f.result));
      function_symbols_[i] = Add(s);
      members[s.name] = function_symbols_[i];
    }
    for (uint32_t i = 0; i < program_.decisions.size(); ++i) {
      const check::DecisionInfo& d = program_.decisions[i];
      if (&checked_.modules[d.module] != &m) {
        continue;
      }
      const ast::DecisionDecl& decl = *d.decl;
      Symbol s;
      s.kind = decl.is_parameter ? SymbolKind::kParameter : SymbolKind::kDecision;
      s.key = "decision " + d.name;
      s.name = decl.name.text;
      s.qualified = d.name;
      s.container = module;
      s.name_span = decl.name.span;
      s.extent = Span::Cover(decl.name.span, decl.span);
      s.doc = &decl.doc.text;
      s.type = d.result;
      s.source = decl.source ? decl.source->text : "";
      s.effective = EffectiveText(decl.effective_from, decl.effective_until);
      s.signature = decl.is_parameter ? fmt::format("parameter {}: {}", s.name, TypeName(d.result))
                                      : fmt::format("decision {}({}) -> {}", s.name,
                                                    ParamList(decl.params, d.params), TypeName(d.result));
      const uint32_t id = Add(s);
      decision_symbols_[i] = id;
      members[s.name] = id;
      if (decl.is_parameter) {
        continue;  // its versions are not rules anyone names
      }
      for (const ast::RuleDecl& r : decl.rules) {
        Symbol rs;
        rs.kind = SymbolKind::kRule;
        rs.key = fmt::format("rule {}.{}", d.name, r.name.text);
        rs.name = r.name.text;
        rs.qualified = d.name + "." + r.name.text;
        rs.container = d.name;
        rs.name_span = r.name.span;
        rs.extent = Span::Cover(r.name.span, r.span);
        rs.doc = &r.doc.text;
        rs.type = d.result;
        rs.source = r.source ? r.source->text : "";
        rs.effective = EffectiveText(r.effective_from, r.effective_until);
        std::string targets;
        for (const ast::Name& t : r.targets) {
          targets += (targets.empty() ? "" : ", ") + t.text;
        }
        rs.signature = r.is_exception ? fmt::format("exception {} to {}", r.name.text, targets)
                                      : fmt::format("rule {}", r.name.text);
        rs.parent = static_cast<int32_t>(id);
        Add(rs);
      }
    }
    for (const ast::TestDecl& t : m.tests) {
      Symbol s;
      s.kind = SymbolKind::kTest;
      s.key = fmt::format("test {}:{}", module, t.name);
      s.name = t.name;
      s.qualified = module + ": " + t.name;
      s.container = module;
      s.name_span = t.span;
      s.extent = t.stmts.empty() ? t.span : Span::Cover(t.span, t.stmts.back().span);
      s.signature = fmt::format("test \"{}\"", t.name);
      Add(s);
    }
  }

  auto ParamList(const std::vector<ast::Param>& params, const std::vector<TypeId>& types) const
      -> std::string {
    std::string out;
    for (size_t i = 0; i < params.size(); ++i) {
      out += fmt::format("{}{}: {}", i == 0 ? "" : ", ", params[i].name.text,
                         i < types.size() ? TypeName(types[i]) : "?");
    }
    return out;
  }

  // ---- uses ------------------------------------------------------------------------------------

  auto SymbolAtDefinition(Span declaration) const -> std::optional<uint32_t> {
    if (!declaration.valid()) {
      return std::nullopt;
    }
    const auto it = by_definition_.find({declaration.file, declaration.begin});
    return it == by_definition_.end() ? std::nullopt : std::optional(it->second);
  }

  void UseType(const ast::TypeRef& ref) {
    if (ref.arg) {
      UseType(*ref.arg);
    }
    if (ref.kind != ast::TypeRef::Kind::kNamed) {
      return;
    }
    if (const auto s = SymbolAtDefinition(ref.declaration)) {
      // `alias.Type`: the last name is the type's; the module alias before it is the import's.
      Span span = ref.span;
      if (ref.path.size() > 1) {
        span.begin = span.end - static_cast<uint32_t>(ref.path.back().size());
      }
      Record(span, *s, false);
    }
  }

  auto NewLocal(const std::string& name, Span span, TypeId type, BodyContext& ctx, uint32_t slot)
      -> uint32_t {
    Symbol s;
    s.kind = SymbolKind::kLocal;
    s.key = fmt::format("local {}:{}", span.file, span.begin);
    s.name = name;
    s.qualified = name;
    s.container = ctx.container;
    s.name_span = span;
    s.extent = span;
    s.type = type;
    s.signature = fmt::format("{}: {}", name, TypeName(type));
    const uint32_t id = Add(s);
    ctx.locals[slot] = id;
    return id;
  }

  // Where `name` is written inside `within` (a pattern `some(x)`, a `with` path): the last match.
  auto NameSpanIn(Span within, const std::string& name, size_t from = 0) const -> Span {
    if (!within.valid()) {
      return {};
    }
    const std::string_view text = sources_.Get(within.file).Slice(within);
    const size_t at = from == 0 ? text.rfind(name) : text.find(name, from);
    if (at == std::string_view::npos) {
      return {};
    }
    return {within.file, within.begin + static_cast<uint32_t>(at),
            within.begin + static_cast<uint32_t>(at + name.size())};
  }

  auto JsonPath(const ast::Expr& e, const BodyContext& ctx) const -> std::optional<std::string> {
    if (e.kind == ast::ExprKind::kName && e.ref.kind == ast::RefKind::kLocal) {
      if (ctx.record_params.count(e.ref.id) != 0) {
        return std::string("$");
      }
      return std::nullopt;
    }
    if (e.kind == ast::ExprKind::kField && e.ref.kind == ast::RefKind::kField && !e.kids.empty()) {
      if (auto base = JsonPath(*e.kids[0], ctx)) {
        return *base + "." + e.text;
      }
    }
    return std::nullopt;
  }

  void UseName(const ast::Expr& e, BodyContext& ctx) {
    // A rewritten `alias.member` keeps the whole span; the member's own name is name_span.
    const Span span = e.name_span.valid() ? e.name_span : e.span;
    switch (e.ref.kind) {
      case ast::RefKind::kLocal:
        if (const auto it = ctx.locals.find(e.ref.id); it != ctx.locals.end()) {
          Record(span, it->second, false);
        }
        break;
      case ast::RefKind::kConst:
        if (const auto it = const_symbols_.find(e.ref.id); it != const_symbols_.end()) {
          Record(span, it->second, false);
        }
        break;
      case ast::RefKind::kFunction:
        if (const auto it = function_symbols_.find(e.ref.id); it != function_symbols_.end()) {
          Record(span, it->second, false);
        }
        break;
      case ast::RefKind::kDecision:
        if (const auto it = decision_symbols_.find(e.ref.id); it != decision_symbols_.end()) {
          Record(span, it->second, false);
        }
        break;
      case ast::RefKind::kEnumVariant: {
        if (types_.kind(e.ref.id) != Kind::kEnum) {
          break;
        }
        const EnumInfo& info = types_.enum_info(e.ref.id);
        if (e.ref.index < info.variants.size()) {
          if (const auto s =
                  index_.Find(fmt::format("variant {}.{}", info.name, info.variants[e.ref.index]))) {
            Record(span, *s, false);
          }
        }
        break;
      }
      case ast::RefKind::kModule:
        if (e.ref.id < program_.module_names.size()) {
          if (const auto it = module_symbols_.find(program_.module_names[e.ref.id]);
              it != module_symbols_.end()) {
            Record(span, it->second, false);
          }
        }
        break;
      case ast::RefKind::kType:
        if (const auto s = TypeSymbol(e.ref.id)) {
          Record(span, *s, false);
        }
        break;
      default:
        break;
    }
  }

  auto TypeSymbol(TypeId t) const -> std::optional<uint32_t> {
    if (types_.kind(t) == Kind::kEnum) {
      return index_.Find("type " + types_.enum_info(t).name);
    }
    if (types_.kind(t) == Kind::kRecord) {
      return index_.Find("type " + types_.record_info(t).name);
    }
    return std::nullopt;
  }

  auto FieldSymbol(TypeId record, uint32_t field) const -> std::optional<uint32_t> {
    record = types_.Unwrap(record);
    if (types_.kind(record) != Kind::kRecord) {
      return std::nullopt;
    }
    const RecordInfo& info = types_.record_info(record);
    if (field >= info.fields.size()) {
      return std::nullopt;
    }
    return index_.Find(fmt::format("field {}.{}", info.name, info.fields[field].name));
  }

  void Walk(const ast::Expr& e, BodyContext& ctx) {
    using ast::ExprKind;
    switch (e.kind) {
      case ExprKind::kName:
        UseName(e, ctx);
        break;
      case ExprKind::kField:
        if (e.ref.kind == ast::RefKind::kField && !e.kids.empty()) {
          if (const auto s = FieldSymbol(e.kids[0]->type, e.ref.index)) {
            Record(e.name_span, *s, false, JsonPath(e, ctx).value_or(""));
          }
        } else {
          UseName(e, ctx);
        }
        break;
      case ExprKind::kAggregate: {
        Walk(*e.kids[0], ctx);
        const Span var = e.name_span;
        TypeId elem = types_.Unwrap(e.kids[0]->type);
        elem = types_.kind(elem) == Kind::kList || types_.kind(elem) == Kind::kSet ? types_.Get(elem).elem
                                                                                   : TypeTable::kErrorId;
        NewLocal(e.text, var, elem, ctx, e.slot);
        Walk(*e.kids[1], ctx);
        return;
      }
      case ExprKind::kRecordLit: {
        if (const auto s = TypeSymbol(e.type)) {
          Record(e.name_span, *s, false);
        }
        for (size_t i = 0; i < e.names.size() && i < e.field_indices.size(); ++i) {
          if (const auto s = FieldSymbol(e.type, e.field_indices[i])) {
            Record(e.name_spans[i], *s, false);
          }
        }
        break;
      }
      case ExprKind::kWith: {
        size_t flat = 0;
        for (size_t p = 0; p < e.paths.size() && p < e.path_lengths.size(); ++p) {
          TypeId record = e.kids.empty() ? TypeTable::kErrorId : e.kids[0]->type;
          size_t from = 0;
          for (size_t k = 0; k < e.path_lengths[p] && flat < e.field_indices.size(); ++k, ++flat) {
            const auto s = FieldSymbol(record, e.field_indices[flat]);
            if (p < e.name_spans.size() && k < e.paths[p].size()) {
              const Span name = NameSpanIn(e.name_spans[p], e.paths[p][k], from);
              if (name.valid()) {
                from = name.end - e.name_spans[p].begin;
                if (s) {
                  Record(name, *s, false);
                }
              }
            }
            if (!s) {
              break;
            }
            record = index_.symbol(*s).type;
          }
        }
        break;
      }
      case ExprKind::kMatch: {
        Walk(*e.kids[0], ctx);
        const TypeId scrut = types_.Unwrap(e.kids[0]->type);
        for (const ast::MatchArm& arm : e.arms) {
          for (const ast::Pattern& p : arm.patterns) {
            if (p.kind == ast::Pattern::Kind::kName && types_.kind(scrut) == Kind::kEnum) {
              const EnumInfo& info = types_.enum_info(scrut);
              if (p.ordinal < info.variants.size()) {
                if (const auto s =
                        index_.Find(fmt::format("variant {}.{}", info.name, info.variants[p.ordinal]))) {
                  Record(p.span, *s, false);
                }
              }
            } else if (p.kind == ast::Pattern::Kind::kSome) {
              NewLocal(p.name, NameSpanIn(p.span, p.name), scrut, ctx, p.slot);
            }
          }
          if (arm.body) {
            Walk(*arm.body, ctx);
          }
        }
        return;
      }
      default:
        break;
    }
    for (const ast::ExprPtr& k : e.kids) {
      if (k) {
        Walk(*k, ctx);
      }
    }
  }

  void BindParams(const std::vector<ast::Param>& params, const std::vector<TypeId>& types, BodyContext& ctx) {
    for (uint32_t i = 0; i < params.size(); ++i) {
      const TypeId t = i < types.size() ? types[i] : TypeTable::kErrorId;
      NewLocal(params[i].name.text, params[i].name.span, t, ctx, i);
      if (types_.kind(t) == Kind::kRecord) {
        ctx.record_params[i] = t;
      }
      UseType(params[i].type);
    }
  }

  void UseModule(const ast::Module& m) {
    const std::string module = m.QualifiedName();
    for (const ast::Import& imp : m.imports) {
      const std::string target = ast::JoinPath(imp.path);
      if (const auto it = module_symbols_.find(target); it != module_symbols_.end()) {
        Record(imp.span, it->second, false);
      }
      for (const ast::Name& n : imp.names) {
        const auto members = members_.find(target);
        if (members == members_.end()) {
          continue;
        }
        if (const auto it = members->second.find(n.text); it != members->second.end()) {
          Record(n.span, it->second, false);
        }
      }
    }
    for (const ast::RecordDecl& r : m.records) {
      for (const ast::FieldDecl& f : r.fields) {
        UseType(f.type);
      }
    }
    for (const ast::AliasDecl& a : m.aliases) {
      UseType(a.type);
    }
    for (uint32_t i = 0; i < program_.consts.size(); ++i) {
      const check::ConstInfo& c = program_.consts[i];
      if (&checked_.modules[c.module] != &m) {
        continue;
      }
      BodyContext ctx;
      ctx.container = c.name;
      if (c.decl->type) {
        UseType(*c.decl->type);
      }
      if (c.decl->value) {
        Walk(*c.decl->value, ctx);
      }
    }
    for (uint32_t i = 0; i < program_.functions.size(); ++i) {
      const check::FunctionInfo& f = program_.functions[i];
      if (&checked_.modules[f.module] != &m) {
        continue;
      }
      BodyContext ctx;
      ctx.container = f.name;
      BindParams(f.decl->params, f.params, ctx);
      UseType(f.decl->result);
      if (f.decl->body) {
        Walk(*f.decl->body, ctx);
      }
    }
    for (uint32_t i = 0; i < program_.decisions.size(); ++i) {
      const check::DecisionInfo& d = program_.decisions[i];
      if (&checked_.modules[d.module] != &m) {
        continue;
      }
      const ast::DecisionDecl& decl = *d.decl;
      BodyContext ctx;
      ctx.container = d.name;
      BindParams(decl.params, d.params, ctx);
      UseType(decl.result);
      if (decl.default_value) {
        Walk(*decl.default_value, ctx);
      }
      for (const ast::RuleDecl& r : decl.rules) {
        for (const ast::Name& t : r.targets) {
          if (const auto s = index_.Find(fmt::format("rule {}.{}", d.name, t.text))) {
            Record(t.span, *s, false);
          }
        }
        if (r.when) {
          Walk(*r.when, ctx);
        }
        if (r.then) {
          Walk(*r.then, ctx);
        }
      }
    }
    for (const ast::TestDecl& t : m.tests) {
      BodyContext ctx;
      ctx.container = module;
      for (const ast::TestStmt& s : t.stmts) {
        if (s.type) {
          UseType(*s.type);
        }
        if (s.expr) {
          Walk(*s.expr, ctx);
        }
        if (s.is_let) {
          NewLocal(s.name.text, s.name.span, s.expr ? s.expr->type : TypeTable::kErrorId, ctx, s.slot);
        }
      }
    }
    (void)module;
  }

  const CheckedSources& checked_;
  const check::Program& program_;
  const TypeTable& types_;
  const SourceManager& sources_;
  SymbolIndex index_;
  std::map<std::string, TypeId> type_by_name_;
  std::map<std::pair<FileId, uint32_t>, uint32_t> by_definition_;
  std::map<std::string, uint32_t> module_symbols_;
  std::map<std::string, std::map<std::string, uint32_t>> members_;  // module -> own name -> symbol
  std::map<uint32_t, uint32_t> const_symbols_, function_symbols_, decision_symbols_;
};

auto SymbolIndex::Build(const CheckedSources& checked, const SourceManager& sources) -> SymbolIndex {
  return IndexBuilder(checked, sources).Run();
}

auto SymbolIndex::At(FileId file, uint32_t offset) const -> const Occurrence* {
  const auto it = occurrences_.find(file);
  if (it == occurrences_.end()) {
    return nullptr;
  }
  const Occurrence* best = nullptr;
  for (const Occurrence& o : it->second) {
    if (o.span.begin > offset) {
      break;
    }
    if (offset <= o.span.end) {
      // The innermost (latest-starting) occurrence that contains the offset wins; one that the
      // cursor is strictly inside beats one it only touches at its end.
      if (best == nullptr || offset < o.span.end || best->span.end == offset) {
        best = &o;
      }
    }
  }
  return best;
}

auto SymbolIndex::OccurrencesOf(uint32_t symbol) const -> std::vector<Occurrence> {
  std::vector<Occurrence> out;
  for (const auto& [file, list] : occurrences_) {
    for (const Occurrence& o : list) {
      if (o.symbol == symbol) {
        out.push_back(o);
      }
    }
  }
  return out;
}

auto SymbolIndex::InFile(FileId file) const -> const std::vector<Occurrence>& {
  static const std::vector<Occurrence> kNone;
  const auto it = occurrences_.find(file);
  return it == occurrences_.end() ? kNone : it->second;
}

auto SymbolIndex::Find(const std::string& key) const -> std::optional<uint32_t> {
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? std::nullopt : std::optional(it->second);
}

auto SymbolIndex::ModuleMembers(const std::string& module) const -> std::vector<uint32_t> {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < symbols_.size(); ++i) {
    const Symbol& s = symbols_[i];
    if (s.container == module && s.kind != SymbolKind::kLocal && s.kind != SymbolKind::kTest) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace policy::lsp
