#include "compiler/check/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/builtins.h"

namespace policy::check {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::RefKind;

enum class SymKind : uint8_t { kEnum, kRecord, kAlias, kConst, kFunction, kDecision, kModule };

struct Symbol {
  SymKind kind;
  uint32_t id;  // TypeId (enum/record), alias index, const/function/decision index, module index
  Span span;
};

auto SymKindName(SymKind k) -> const char* {
  switch (k) {
    case SymKind::kEnum:
      return "enum";
    case SymKind::kRecord:
      return "record";
    case SymKind::kAlias:
      return "type";
    case SymKind::kConst:
      return "constant";
    case SymKind::kFunction:
      return "function";
    case SymKind::kDecision:
      return "decision";
    case SymKind::kModule:
      return "module";
  }
  return "name";
}

struct ModuleScope {
  std::map<std::string, Symbol> own;       // declared in the module
  std::map<std::string, Symbol> imported;  // names and aliases brought in by imports
  std::vector<uint32_t> imports;           // imported module indices
  bool broken = false;                     // had syntax errors: suppress follow-on errors
};

struct Local {
  std::string name;
  uint32_t slot;
  TypeId type;
};

// Dependency-graph node for the recursion check.
struct Node {
  SymKind kind;
  uint32_t id;
  auto operator<(const Node& o) const -> bool { return std::tie(kind, id) < std::tie(o.kind, o.id); }
  auto operator==(const Node& o) const -> bool { return kind == o.kind && id == o.id; }
};

// Per-body state: locals in scope, slot allocation, optional paths proven non-none.
struct Body {
  uint32_t module = 0;
  std::optional<Node> owner;  // the declaration whose body this is (for the recursion graph)
  std::vector<Local> locals;
  uint32_t next_slot = 0;
  uint32_t max_slots = 0;
  std::vector<std::string> narrowed;
  int depth = 0;  // expressions open in CheckExpr: how deeply evaluation nests at this point

  auto Bind(std::string name, TypeId type) -> uint32_t {
    const uint32_t slot = next_slot++;
    max_slots = std::max(max_slots, next_slot);
    locals.push_back({std::move(name), slot, type});
    return slot;
  }
};

class Checker {
 public:
  Checker(std::vector<ast::Module>& modules, DiagnosticSink& diags) : modules_(modules), diags_(diags) {}

  auto Run() -> Program {
    RegisterModules();
    DeclareSymbols();
    ResolveImports();
    DetectImportCycles();
    ResolveTypeDecls();
    ResolveSignatures();
    CheckBodies();
    if (DetectRecursion()) {
      LimitEvaluationDepth();
    }
    return std::move(program_);
  }

 private:
  // ---- modules and symbols -------------------------------------------------------------------

  void RegisterModules() {
    scopes_.resize(modules_.size());
    for (uint32_t i = 0; i < modules_.size(); ++i) {
      ast::Module& m = modules_[i];
      scopes_[i].broken = m.has_syntax_errors;
      const std::string name = m.QualifiedName();
      program_.module_names.push_back(name);
      if (name.empty()) {
        continue;
      }
      if (const auto it = module_index_.find(name); it != module_index_.end()) {
        diags_
            .Report(DiagCode::kDuplicateModule, m.path_span,
                    fmt::format("module `{}` is declared twice", name), "declared again here")
            .WithLabel(modules_[it->second].path_span, "first declared here")
            .WithHelp("each module lives in exactly one file; rename one of them");
        continue;
      }
      module_index_[name] = i;
    }
  }

  void Declare(uint32_t module, const std::string& name, Symbol sym) {
    auto& own = scopes_[module].own;
    if (const auto it = own.find(name); it != own.end()) {
      diags_
          .Report(DiagCode::kDuplicateDeclaration, sym.span,
                  fmt::format("`{}` is declared twice in module `{}`", name, program_.module_names[module]),
                  "declared again here")
          .WithLabel(it->second.span,
                     fmt::format("first declared here as a {}", SymKindName(it->second.kind)))
          .WithHelp("rename one of the declarations");
      return;
    }
    own.emplace(name, sym);
  }

  void DeclareSymbols() {
    for (uint32_t mi = 0; mi < modules_.size(); ++mi) {
      ast::Module& m = modules_[mi];
      const std::string prefix = m.QualifiedName() + ".";
      for (ast::EnumDecl& e : m.enums) {
        const TypeId t = program_.types.NewEnum({prefix + e.name.text, {}, {}, e.name.span});
        Declare(mi, e.name.text, {SymKind::kEnum, t, e.name.span});
        enum_decls_[t] = &e;
      }
      for (ast::RecordDecl& r : m.records) {
        const TypeId t = program_.types.NewRecord({prefix + r.name.text, {}, r.name.span});
        Declare(mi, r.name.text, {SymKind::kRecord, t, r.name.span});
        record_decls_.push_back({t, &r, mi});
      }
      for (ast::AliasDecl& a : m.aliases) {
        aliases_.push_back({&a, mi, TypeTable::kErrorId, 0});
        Declare(mi, a.name.text, {SymKind::kAlias, static_cast<uint32_t>(aliases_.size() - 1), a.name.span});
      }
      for (ast::ConstDecl& c : m.consts) {
        program_.consts.push_back({prefix + c.name.text, &c, TypeTable::kErrorId, mi});
        const_state_.push_back(0);
        Declare(mi, c.name.text,
                {SymKind::kConst, static_cast<uint32_t>(program_.consts.size() - 1), c.name.span});
      }
      for (ast::FunctionDecl& f : m.functions) {
        program_.functions.push_back({prefix + f.name.text, &f, {}, TypeTable::kErrorId, 0, mi});
        Declare(mi, f.name.text,
                {SymKind::kFunction, static_cast<uint32_t>(program_.functions.size() - 1), f.name.span});
      }
      for (ast::DecisionDecl& d : m.decisions) {
        DecisionInfo info;
        info.name = prefix + d.name.text;
        info.decl = &d;
        info.module = mi;
        program_.decisions.push_back(std::move(info));
        Declare(mi, d.name.text,
                {SymKind::kDecision, static_cast<uint32_t>(program_.decisions.size() - 1), d.name.span});
      }
      for (ast::TestDecl& t : m.tests) {
        program_.tests.push_back({m.QualifiedName(), &t, 0, mi});
      }
    }
  }

  auto ModuleCandidates() const -> std::vector<std::string> {
    std::vector<std::string> names;
    for (const auto& [name, index] : module_index_) {
      names.push_back(name);
    }
    return names;
  }

  void ResolveImports() {
    for (uint32_t mi = 0; mi < modules_.size(); ++mi) {
      for (ast::Import& imp : modules_[mi].imports) {
        const std::string target = ast::JoinPath(imp.path);
        const auto it = module_index_.find(target);
        if (it == module_index_.end()) {
          Diagnostic& d =
              diags_.Report(DiagCode::kUnknownModule, imp.span,
                            fmt::format("no loaded file declares module `{}`", target), "imported here");
          if (const std::string s = SuggestName(target, ModuleCandidates()); !s.empty()) {
            d.WithHelp(fmt::format("did you mean `{}`?", s));
          } else {
            d.WithHelp("pass the file or its directory to the command, e.g. `policy check policies/`");
          }
          continue;
        }
        const uint32_t ti = it->second;
        scopes_[mi].imports.push_back(ti);
        const std::string alias = imp.alias ? imp.alias->text : imp.path.back();
        const Span alias_span = imp.alias ? imp.alias->span : imp.span;
        scopes_[mi].imported[alias] = {SymKind::kModule, ti, alias_span};
        for (const ast::Name& n : imp.names) {
          const auto& target_own = scopes_[ti].own;
          const auto sym = target_own.find(n.text);
          if (sym == target_own.end()) {
            if (scopes_[ti].broken) {
              continue;
            }
            std::vector<std::string> candidates;
            for (const auto& [name, s] : target_own) {
              candidates.push_back(name);
            }
            Diagnostic& d = diags_.Report(DiagCode::kUnknownMember, n.span,
                                          fmt::format("module `{}` has no declaration `{}`", target, n.text),
                                          "not found");
            if (const std::string s = SuggestName(n.text, candidates); !s.empty()) {
              d.WithHelp(fmt::format("did you mean `{}`?", s));
            }
            continue;
          }
          Symbol imported = sym->second;
          imported.span = n.span;
          scopes_[mi].imported[n.text] = imported;
        }
      }
    }
  }

  void DetectImportCycles() {
    // Colour DFS over the import graph; each cycle is reported once, at the import that closes it.
    std::vector<int> colour(modules_.size(), 0);
    std::vector<uint32_t> stack;
    std::function<void(uint32_t)> visit = [&](uint32_t m) {
      colour[m] = 1;
      stack.push_back(m);
      for (ast::Import& imp : modules_[m].imports) {
        const auto it = module_index_.find(ast::JoinPath(imp.path));
        if (it == module_index_.end()) {
          continue;
        }
        const uint32_t t = it->second;
        if (colour[t] == 1) {
          std::string cycle;
          const auto from = std::find(stack.begin(), stack.end(), t);
          for (auto s = from; s != stack.end(); ++s) {
            cycle += fmt::format("`{}` imports ", program_.module_names[*s]);
          }
          cycle += fmt::format("`{}`", program_.module_names[t]);
          diags_
              .Report(DiagCode::kCyclicImport, imp.span,
                      fmt::format("import of `{}` creates a cycle", program_.module_names[t]),
                      "closes the cycle")
              .WithNote(cycle)
              .WithHelp("move the shared declarations into a module that both can import");
        } else if (colour[t] == 0) {
          visit(t);
        }
      }
      stack.pop_back();
      colour[m] = 2;
    };
    for (uint32_t m = 0; m < modules_.size(); ++m) {
      if (colour[m] == 0) {
        visit(m);
      }
    }
  }

  // Looks a name up at module level: own declarations first, then imports.
  auto LookupGlobal(uint32_t module, const std::string& name) const -> std::optional<Symbol> {
    const ModuleScope& s = scopes_[module];
    if (const auto it = s.own.find(name); it != s.own.end()) {
      return it->second;
    }
    if (const auto it = s.imported.find(name); it != s.imported.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  auto GlobalCandidates(uint32_t module) const -> std::vector<std::string> {
    std::vector<std::string> names;
    for (const auto& [n, s] : scopes_[module].own) {
      names.push_back(n);
    }
    for (const auto& [n, s] : scopes_[module].imported) {
      names.push_back(n);
    }
    return names;
  }

  // ---- types ---------------------------------------------------------------------------------

  auto ResolveTypeRef(const ast::TypeRef& ref, uint32_t module) -> TypeId {
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
      return ResolveAlias(sym->id);
    }
    if (sym && (sym->kind == SymKind::kEnum || sym->kind == SymKind::kRecord)) {
      return sym->id;
    }
    if (scopes_[scope_module].broken) {
      return TypeTable::kErrorId;
    }
    const std::string name = ast::JoinPath(ref.path);
    Diagnostic& d = diags_.Report(
        DiagCode::kUnknownType, ref.span, fmt::format("unknown type `{}`", name),
        sym ? fmt::format("this is a {}, not a type", SymKindName(sym->kind)) : "not declared or imported");
    std::vector<std::string> candidates = {"Bool", "Int",      "Decimal", "Text",
                                           "Date", "Duration", "List",    "Set"};
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

  struct AliasState {
    ast::AliasDecl* decl;
    uint32_t module;
    TypeId type;
    int state;  // 0 unresolved, 1 resolving, 2 done
  };

  auto ResolveAlias(uint32_t index) -> TypeId {
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

  void ResolveTypeDecls() {
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
        fields.push_back({f.name.text, ft, f.name.span, f.may_be_absent});
      }
      program_.types.mutable_record_info(r.type).fields = std::move(fields);
    }
  }

  void ResolveSignatures() {
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

  // ---- bodies --------------------------------------------------------------------------------

  void CheckBodies() {
    for (uint32_t i = 0; i < program_.consts.size(); ++i) {
      ConstType(i);
    }
    for (uint32_t i = 0; i < program_.functions.size(); ++i) {
      CheckFunction(i);
    }
    for (uint32_t i = 0; i < program_.decisions.size(); ++i) {
      CheckDecision(i);
    }
    for (TestInfo& t : program_.tests) {
      CheckTest(t);
    }
  }

  // Checks a constant on first use so constants may refer to each other in any order.
  auto ConstType(uint32_t index) -> TypeId {
    ConstInfo& c = program_.consts[index];
    if (const_state_[index] == 2) {
      return c.type;
    }
    if (const_state_[index] == 1) {
      // Reported by the recursion check; break the loop here.
      return c.decl->type ? ResolveTypeRef(*c.decl->type, c.module) : TypeTable::kErrorId;
    }
    const_state_[index] = 1;
    Body body;
    body.module = c.module;
    body.owner = Node{SymKind::kConst, index};
    ast::ConstDecl& decl = const_cast<ast::ConstDecl&>(*c.decl);
    TypeId declared = TypeTable::kErrorId;
    if (decl.type) {
      declared = ResolveTypeRef(*decl.type, c.module);
      CheckExpr(decl.value, body, declared);
      Require(decl.value, declared, body, "the constant's declared type");
      c.type = declared;
    } else {
      c.type = CheckExpr(decl.value, body, TypeTable::kErrorId);
      if (c.type == TypeTable::kNoneId || c.type == TypeTable::kEmptyId) {
        diags_
            .Report(DiagCode::kCannotInfer, decl.value->span,
                    fmt::format("cannot tell the type of constant `{}`", decl.name.text), "type unknown")
            .WithHelp(fmt::format("give it a type: `const {}: Set<Text> = ...`", decl.name.text));
        c.type = TypeTable::kErrorId;
      }
    }
    const_state_[index] = 2;
    return c.type;
  }

  void CheckFunction(uint32_t index) {
    FunctionInfo& f = program_.functions[index];
    Body body;
    body.module = f.module;
    body.owner = Node{SymKind::kFunction, index};
    BindParams(f.decl->params, f.params, body);
    ast::FunctionDecl& decl = const_cast<ast::FunctionDecl&>(*f.decl);
    CheckExpr(decl.body, body, f.result);
    Require(decl.body, f.result, body, fmt::format("the result type of `{}`", decl.name.text));
    f.num_slots = body.max_slots;
  }

  void BindParams(const std::vector<ast::Param>& params, const std::vector<TypeId>& types, Body& body) {
    std::set<std::string> seen;
    for (size_t i = 0; i < params.size(); ++i) {
      if (!seen.insert(params[i].name.text).second) {
        diags_.Report(DiagCode::kDuplicateDeclaration, params[i].name.span,
                      fmt::format("parameter `{}` is declared twice", params[i].name.text),
                      "declared again here");
      }
      body.Bind(params[i].name.text, types[i]);
    }
  }

  void CheckDecision(uint32_t index) {
    DecisionInfo& d = program_.decisions[index];
    ast::DecisionDecl& decl = const_cast<ast::DecisionDecl&>(*d.decl);
    Body body;
    body.module = d.module;
    body.owner = Node{SymKind::kDecision, index};
    BindParams(decl.params, d.params, body);
    const std::string result_what = fmt::format("the result type of decision `{}`", decl.name.text);
    if (decl.default_value) {
      CheckExpr(decl.default_value, body, d.result);
      Require(decl.default_value, d.result, body, result_what);
    }
    // Rules: names, bodies, targets.
    std::map<std::string, uint32_t> by_name;
    for (uint32_t i = 0; i < decl.rules.size(); ++i) {
      ast::RuleDecl& rule = decl.rules[i];
      if (const auto it = by_name.find(rule.name.text); it != by_name.end()) {
        diags_
            .Report(DiagCode::kDuplicateDeclaration, rule.name.span,
                    fmt::format("decision `{}` has two rules named `{}`", decl.name.text, rule.name.text),
                    "declared again here")
            .WithLabel(decl.rules[it->second].name.span, "first declared here");
      } else {
        by_name[rule.name.text] = i;
      }
      if (rule.effective_from && rule.effective_until && *rule.effective_until < *rule.effective_from) {
        diags_
            .Report(DiagCode::kEmptyEffectivePeriod, rule.effective_span,
                    decl.is_parameter
                        ? fmt::format("value {} of parameter `{}` stops being effective before it starts",
                                      i + 1, decl.name.text)
                        : fmt::format("rule `{}` stops being effective before it starts", rule.name.text),
                    fmt::format("{} is before {}", rule.effective_until->ToString(),
                                rule.effective_from->ToString()))
            .WithHelp("swap the dates, or remove `until`");
      }
      const size_t narrowed_before = body.narrowed.size();
      if (rule.when) {
        CheckExpr(rule.when, body, TypeTable::kBoolId);
        Require(rule.when, TypeTable::kBoolId, body, "a `when` condition");
        CollectNarrowing(*rule.when, /*when_true=*/true, body.narrowed);
      }
      CheckExpr(rule.then, body, d.result);
      Require(rule.then, d.result, body, result_what);
      body.narrowed.resize(narrowed_before);
    }
    if (decl.effective_from && decl.effective_until && *decl.effective_until < *decl.effective_from) {
      diags_
          .Report(DiagCode::kEmptyEffectivePeriod, decl.effective_span,
                  fmt::format("decision `{}` stops being effective before it starts", decl.name.text),
                  fmt::format("{} is before {}", decl.effective_until->ToString(),
                              decl.effective_from->ToString()))
          .WithHelp("swap the dates, or remove `until`");
    }
    if (decl.is_parameter) {
      CheckVersionsDisjoint(decl);
    }
    if (decl.rules.empty() && !decl.default_value) {
      diags_
          .Report(DiagCode::kNeverApplicable, decl.name.span,
                  fmt::format("decision `{}` has no rules and no default", decl.name.text),
                  "can never decide anything")
          .WithHelp("add `default <value>` or at least one `rule ... then <value>`");
    }
    d.rules.resize(decl.rules.size());
    for (uint32_t i = 0; i < decl.rules.size(); ++i) {
      d.rules[i].decl = &decl.rules[i];
    }
    // Exception edges: exception -> each target.
    std::vector<std::vector<uint32_t>> targets(decl.rules.size());
    for (uint32_t i = 0; i < decl.rules.size(); ++i) {
      const ast::RuleDecl& rule = decl.rules[i];
      for (const ast::Name& t : rule.targets) {
        const auto it = by_name.find(t.text);
        if (it == by_name.end()) {
          std::vector<std::string> names;
          for (const auto& [n, idx] : by_name) {
            names.push_back(n);
          }
          Diagnostic& diag = diags_.Report(
              DiagCode::kUnknownRule, t.span,
              fmt::format("decision `{}` has no rule `{}`", decl.name.text, t.text), "no such rule");
          if (const std::string s = SuggestName(t.text, names); !s.empty()) {
            diag.WithHelp(fmt::format("did you mean `{}`?", s));
          }
          continue;
        }
        if (it->second == i) {
          diags_.Report(DiagCode::kExceptionCycle, t.span,
                        fmt::format("exception `{}` is an exception to itself", rule.name.text),
                        "refers to itself");
          continue;
        }
        targets[i].push_back(it->second);
      }
    }
    OrderRules(d, targets);
    d.num_slots = body.max_slots;
  }

  // E0407: on any date at most one version of a parameter is in effect, so that reading it never
  // depends on declaration order.
  void CheckVersionsDisjoint(const ast::DecisionDecl& decl) {
    const auto& v = decl.rules;
    for (size_t i = 0; i < v.size(); ++i) {
      for (size_t j = i + 1; j < v.size(); ++j) {
        // Periods [from, until] with open ends overlap unless one ends before the other starts.
        const bool i_before_j =
            v[i].effective_until && v[j].effective_from && *v[i].effective_until < *v[j].effective_from;
        const bool j_before_i =
            v[j].effective_until && v[i].effective_from && *v[j].effective_until < *v[i].effective_from;
        if (i_before_j || j_before_i) {
          continue;
        }
        const auto period = [](const ast::RuleDecl& r) {
          return fmt::format("from {} until {}",
                             r.effective_from ? r.effective_from->ToString() : "the start",
                             r.effective_until ? r.effective_until->ToString() : "further notice");
        };
        const Span at = [](const ast::RuleDecl& r) {
          return r.effective_span.valid() ? r.effective_span : r.span;
        }(v[j]);
        diags_
            .Report(
                DiagCode::kOverlappingVersions, at,
                fmt::format("two values of parameter `{}` are in effect on the same dates", decl.name.text),
                fmt::format("this value is in effect {}", period(v[j])))
            .WithLabel(v[i].effective_span.valid() ? v[i].effective_span : v[i].span,
                       fmt::format("and this one {}", period(v[i])))
            .WithHelp(
                "end the earlier value the day before the later one starts: `effective from A until B`");
      }
    }
  }

  // Topological order (exceptions before what they override) and transitive override sets.
  void OrderRules(DecisionInfo& d, const std::vector<std::vector<uint32_t>>& targets) {
    const auto n = static_cast<uint32_t>(targets.size());
    std::vector<int> colour(n, 0);
    std::vector<uint32_t> post;
    bool cycle = false;
    std::function<void(uint32_t)> visit = [&](uint32_t r) {
      colour[r] = 1;
      for (const uint32_t t : targets[r]) {
        if (colour[t] == 1) {
          if (!cycle) {
            const ast::RuleDecl& a = d.decl->rules[r];
            const ast::RuleDecl& b = d.decl->rules[t];
            diags_
                .Report(DiagCode::kExceptionCycle, a.name.span,
                        fmt::format("exceptions `{}` and `{}` override each other", a.name.text, b.name.text),
                        "overrides ...")
                .WithLabel(b.name.span, "... which overrides it back")
                .WithHelp(
                    "an exception must be more specific than the rule it overrides; remove one direction");
          }
          cycle = true;
        } else if (colour[t] == 0) {
          visit(t);
        }
      }
      colour[r] = 2;
      post.push_back(r);
    };
    for (uint32_t r = 0; r < n; ++r) {
      if (colour[r] == 0) {
        visit(r);
      }
    }
    // Evaluation order: every exception before the rules it overrides, otherwise declaration
    // order (so explanations and conflict messages follow the text).
    d.order.clear();
    std::vector<uint32_t> pending_overriders(n, 0);
    for (uint32_t r = 0; r < n; ++r) {
      for (const uint32_t t : targets[r]) {
        ++pending_overriders[t];
      }
    }
    std::vector<bool> placed(n, false);
    for (uint32_t round = 0; round < n; ++round) {
      uint32_t next = n;
      for (uint32_t r = 0; r < n && next == n; ++r) {
        if (!placed[r] && pending_overriders[r] == 0) {
          next = r;
        }
      }
      if (next == n) {
        // Only in a cycle (already reported): place the rest in declaration order.
        for (uint32_t r = 0; r < n; ++r) {
          if (!placed[r]) {
            placed[r] = true;
            d.order.push_back(r);
          }
        }
        break;
      }
      placed[next] = true;
      d.order.push_back(next);
      for (const uint32_t t : targets[next]) {
        --pending_overriders[t];
      }
    }
    if (cycle) {
      return;
    }
    // Transitive closure in reverse topological order (targets are finished first).
    std::vector<std::set<uint32_t>> closure(n);
    for (const uint32_t r : post) {
      for (const uint32_t t : targets[r]) {
        closure[r].insert(t);
        closure[r].insert(closure[t].begin(), closure[t].end());
      }
    }
    for (uint32_t r = 0; r < n; ++r) {
      d.rules[r].overrides.assign(closure[r].begin(), closure[r].end());
    }
  }

  void CheckTest(TestInfo& t) {
    ast::TestDecl& decl = const_cast<ast::TestDecl&>(*t.decl);
    Body body;
    body.module = t.module;
    for (ast::TestStmt& s : decl.stmts) {
      if (s.is_let) {
        TypeId declared = TypeTable::kErrorId;
        if (s.type) {
          declared = ResolveTypeRef(*s.type, t.module);
        }
        TypeId type = CheckExpr(s.expr, body, declared);
        if (s.type) {
          Require(s.expr, declared, body, fmt::format("the declared type of `{}`", s.name.text));
          type = declared;
        }
        // Bind after checking the value: `let x = x with {...}` refers to the outer x.
        s.slot = body.Bind(s.name.text, type);
      } else if (s.expect_not_applicable) {
        const TypeId type = CheckExpr(s.expr, body, TypeTable::kErrorId);
        const bool is_decision_call =
            s.expr->kind == ExprKind::kCall && s.expr->kids[0]->ref.kind == RefKind::kDecision;
        if (!IsError(type) && !is_decision_call) {
          diags_
              .Report(DiagCode::kBadOperands, s.expr->span,
                      "only a decision or a parameter can be `not applicable`", "not a decision")
              .WithHelp("write `expect some_decision(case) is not applicable`");
        }
      } else {
        CheckExpr(s.expr, body, TypeTable::kBoolId);
        Require(s.expr, TypeTable::kBoolId, body, "an `expect`");
      }
    }
    t.num_slots = body.max_slots;
  }

  // ---- expressions ---------------------------------------------------------------------------

  auto Name(TypeId t) const -> std::string { return program_.types.Name(t); }
  auto Kind(TypeId t) const -> Kind { return program_.types.kind(t); }
  auto IsError(TypeId t) const -> bool { return t == TypeTable::kErrorId; }

  // Whether a value of type `from` may stand where `to` is expected, possibly after Coerce().
  auto Assignable(TypeId from, TypeId to) const -> bool {
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
  void Coerce(ExprPtr& e, TypeId to) {
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
  void Require(ExprPtr& e, TypeId want, Body& /*body*/, const std::string& what) {
    if (Assignable(e->type, want)) {
      Coerce(e, want);
      return;
    }
    Diagnostic& d = diags_.Report(DiagCode::kTypeMismatch, e->span,
                                  fmt::format("expected `{}`, found `{}`", Name(want), Name(e->type)),
                                  fmt::format("this is `{}`", Name(e->type)));
    d.WithNote(fmt::format("`{}` is required by {}", Name(want), what));
    if (program_.types.IsOptional(e->type) && Assignable(program_.types.Get(e->type).elem, want)) {
      d.WithHelp("the value may be `none`: handle it with `??`, `match`, or test `is some` first");
    } else if (want == TypeTable::kDurationId && e->type == TypeTable::kIntId) {
      d.WithHelp("add a unit: `7 days`, `4 weeks`, `12 months`, `1 year`");
    }
  }

  // The enum type a bare variant name should be looked up in, given the expected type.
  auto ExpectedEnum(TypeId expected) const -> std::optional<TypeId> {
    TypeId t = program_.types.Unwrap(expected);
    if (Kind(t) == policy::Kind::kSet || Kind(t) == policy::Kind::kList) {
      t = program_.types.Get(t).elem;
    }
    if (Kind(t) == policy::Kind::kEnum) {
      return t;
    }
    return std::nullopt;
  }

  auto VariantIndex(TypeId enum_type, const std::string& name) const -> std::optional<uint32_t> {
    const auto& vs = program_.types.enum_info(enum_type).variants;
    for (uint32_t i = 0; i < vs.size(); ++i) {
      if (vs[i] == name) {
        return i;
      }
    }
    return std::nullopt;
  }

  // Enums whose values may be written bare in `module`: its own and those of imported modules.
  auto VisibleEnums(uint32_t module) const -> std::vector<TypeId> {
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

  // A stable key for a pure path (local, constant, field chain) used for `is some` narrowing.
  auto PathKey(const Expr& e) const -> std::optional<std::string> {
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
  void CollectNarrowing(const Expr& e, bool when_true, std::vector<std::string>& out) {
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
  auto Narrow(Expr& e, Body& body) -> TypeId {
    if (program_.types.IsOptional(e.type)) {
      if (const auto key = PathKey(e)) {
        if (std::find(body.narrowed.begin(), body.narrowed.end(), *key) != body.narrowed.end()) {
          e.type = program_.types.Get(e.type).elem;
        }
      }
    }
    return e.type;
  }

  void AddEdge(Body& body, Node to) {
    if (body.owner) {
      edges_[*body.owner].insert(to);
      int& depth = call_depth_[{*body.owner, to}];
      depth = std::max(depth, body.depth);
    }
  }

  auto CheckExpr(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
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

  auto Error(Expr& e) -> TypeId {
    e.type = TypeTable::kErrorId;
    return e.type;
  }

  auto CheckExprInner(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
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
      case ExprKind::kDuration: {
        const TypeId t = CheckExpr(e.kids[0], body, TypeTable::kIntId);
        if (!IsError(t) && t != TypeTable::kIntId) {
          diags_.Report(DiagCode::kBadOperands, e.kids[0]->span,
                        fmt::format("a duration needs a whole number of {}, found `{}`",
                                    UnitName(e.unit, true), Name(t)),
                        "not an `Int`");
          return TypeTable::kErrorId;
        }
        return TypeTable::kDurationId;
      }
      case ExprKind::kNeg: {
        const TypeId t = CheckExpr(e.kids[0], body, expected);
        if (IsError(t) || t == TypeTable::kIntId || t == TypeTable::kDecimalId ||
            t == TypeTable::kDurationId) {
          return t;
        }
        diags_.Report(DiagCode::kBadOperands, e.span, fmt::format("cannot negate a `{}`", Name(t)), "here");
        return TypeTable::kErrorId;
      }
      case ExprKind::kNot: {
        CheckExpr(e.kids[0], body, TypeTable::kBoolId);
        Require(e.kids[0], TypeTable::kBoolId, body, "`not`");
        return TypeTable::kBoolId;
      }
      case ExprKind::kBinary:
        return CheckBinary(ep, body, expected);
      case ExprKind::kIn: {
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
                        fmt::format("cannot look for a `{}` in a `{}`", Name(elem), Name(coll)),
                        "types differ");
        } else {
          Coerce(e.kids[0], ce);
        }
        return TypeTable::kBoolId;
      }
      case ExprKind::kIs: {
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
      case ExprKind::kSetLit: {
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
        const TypeId elem =
            UnifyBranches(items, elem_expected, body, "the elements of this collection", e.span);
        if (IsError(elem)) {
          return elem;
        }
        if (elem == TypeTable::kNoneId || elem == TypeTable::kEmptyId) {
          diags_.Report(DiagCode::kCannotInfer, e.span, "cannot tell the element type of this collection",
                        "here");
          return TypeTable::kErrorId;
        }
        return is_set ? types.Set(elem) : types.List(elem);
      }
      case ExprKind::kMatch:
        return CheckMatch(e, body, expected);
    }
    return TypeTable::kErrorId;
  }

  // Unifies branch types (if/match arms, collection elements), coercing each branch; reports
  // a mismatch once.
  auto UnifyBranches(const std::vector<ExprPtr*>& branches, TypeId expected, Body& body,
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

  auto CheckName(Expr& e, Body& body, TypeId expected) -> TypeId {
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
          .Report(DiagCode::kBadCall, e.span, fmt::format("builtin `{}` must be called", e.text),
                  "not called")
          .WithHelp(fmt::format("write `{}(...)`; {}", e.text, FindBuiltin(e.text)->signature));
      return TypeTable::kErrorId;
    }
    if (scopes_[body.module].broken) {
      return TypeTable::kErrorId;
    }
    ReportUnknownName(e, body, expected);
    return TypeTable::kErrorId;
  }

  void ReportUnknownName(const Expr& e, const Body& body, TypeId expected) {
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
      d.WithHelp(fmt::format("did you mean `{}`?", s));
    } else if (const auto en = ExpectedEnum(expected)) {
      const auto& vs = program_.types.enum_info(*en).variants;
      std::string list;
      for (size_t i = 0; i < vs.size() && i < 8; ++i) {
        list += fmt::format("{}`{}`", i == 0 ? "" : ", ", vs[i]);
      }
      d.WithHelp(fmt::format("`{}` has the values {}{}", Name(*en), list, vs.size() > 8 ? ", ..." : ""));
    }
  }

  auto ResolveSymbolAsValue(Expr& e, const Symbol& sym, Body& body) -> TypeId {
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
  auto ReadParameter(Expr& e, const Symbol& sym, Body& body) -> TypeId {
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
  auto RejectInConstant(Span span, const std::string& what, const Body& body) -> bool {
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
  auto IsNamespaceRef(const Expr& e) const -> bool {
    return e.kind == ExprKind::kName && (e.ref.kind == RefKind::kModule || e.ref.kind == RefKind::kType);
  }

  auto CheckField(Expr& e, Body& body, TypeId expected) -> TypeId {
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
              d.WithHelp(fmt::format("did you mean `{}`?", s));
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
          d.WithHelp(fmt::format("did you mean `{}`?", s));
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
          .Report(
              DiagCode::kOptionalNotHandled, base.span,
              fmt::format("`{}` may be `none`, so it has no field `{}` for sure", SourceText(base), e.text),
              fmt::format("this is `{}`", Name(obj)))
          .WithHelp(fmt::format("test it first: `{} is some and {}.{} ...`, or use `match`", SourceText(base),
                                SourceText(base), e.text));
      return TypeTable::kErrorId;
    }
    if (Kind(obj) != policy::Kind::kRecord) {
      diags_.Report(DiagCode::kBadOperands, e.name_span,
                    fmt::format("a `{}` has no fields; cannot read `{}`", Name(obj), e.text),
                    "no such field");
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
        d.WithHelp(fmt::format("did you mean `{}`?", s));
      }
      d.WithLabel(rec.span, fmt::format("`{}` is declared here", Name(obj)));
      return TypeTable::kErrorId;
    }
    e.ref = {RefKind::kField, 0, *index};
    e.type = rec.fields[*index].type;
    (void)expected;
    return Narrow(e, body);
  }

  auto SourceText(const Expr& e) const -> std::string {
    if (e.kind == ExprKind::kName) {
      return e.text;
    }
    if (e.kind == ExprKind::kField) {
      return SourceText(*e.kids[0]) + "." + e.text;
    }
    return "the value";
  }

  auto CheckCall(Expr& e, Body& body) -> TypeId {
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
          d.WithHelp(fmt::format("did you mean `{}`?", s));
        }
      } else if (target || callee.kind != ExprKind::kName) {
        const TypeId t = target ? TypeTable::kErrorId : CheckExpr(e.kids[0], body, TypeTable::kErrorId);
        if (target || !IsError(t)) {
          diags_.Report(DiagCode::kBadCall, callee.span,
                        "only functions, decisions and builtins can be called",
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

  void CheckArgs(Expr& e, Body& body, const std::vector<TypeId>& params) {
    for (size_t i = 1; i < e.kids.size(); ++i) {
      const TypeId want = i - 1 < params.size() ? params[i - 1] : TypeTable::kErrorId;
      CheckExpr(e.kids[i], body, want);
      if (i - 1 < params.size()) {
        Require(e.kids[i], want, body, fmt::format("argument {} of the call", i));
      }
    }
  }

  auto CheckBuiltinCall(Expr& e, const BuiltinInfo& b, Body& body) -> TypeId {
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
      diags_
          .Report(DiagCode::kBadCall, e.span, fmt::format("`{}` does not accept {}", b.name, ArgList(args)),
                  "wrong argument types")
          .WithHelp(std::string(b.signature));
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

  // Whether a Duration expression is day-based (days, weeks) or month-based (months, years), when
  // that can be read from the program text: a unit literal, arithmetic and choices built from
  // them, a constant, or a parameter all of whose values agree. Durations read from a case have
  // no static family; comparing those is checked when it happens (E0913).
  enum class Family : uint8_t { kUnknown, kDays, kMonths };
  auto DurationFamily(const Expr& e, int depth = 0) const -> Family {
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
  void CheckDurationFamilies(const Expr& e, const Expr& a, const Expr& b) {
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

  auto FixedSignature(Builtin b) -> std::optional<std::vector<TypeId>> {
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

  auto FixedResult(Builtin b) -> TypeId {
    switch (b) {
      case Builtin::kWorkingDaysBetween:
        return TypeTable::kIntId;
      case Builtin::kDatesEvery:
        return program_.types.List(TypeTable::kDateId);
      default:
        return TypeTable::kDateId;
    }
  }

  auto ArgList(const std::vector<TypeId>& args) const -> std::string {
    std::string out;
    for (const TypeId a : args) {
      out += fmt::format("{}`{}`", out.empty() ? "" : ", ", Name(a));
    }
    return out.empty() ? "no arguments" : out;
  }

  auto CheckWith(Expr& e, Body& body) -> TypeId {
    TypeTable& types = program_.types;
    const TypeId base = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
    if (IsError(base)) {
      for (size_t i = 1; i < e.kids.size(); ++i) {
        CheckExpr(e.kids[i], body, TypeTable::kErrorId);
      }
      return TypeTable::kErrorId;
    }
    if (Kind(base) != policy::Kind::kRecord) {
      diags_.Report(DiagCode::kBadOperands, e.kids[0]->span,
                    fmt::format("`with` updates records; this is a `{}`", Name(base)), "not a record");
      return TypeTable::kErrorId;
    }
    std::set<std::string> seen;
    for (size_t u = 0; u < e.paths.size(); ++u) {
      const auto& path = e.paths[u];
      const std::string joined = ast::JoinPath(path);
      if (!seen.insert(joined).second) {
        diags_.Report(DiagCode::kDuplicateField, e.name_spans[u],
                      fmt::format("`{}` is updated twice", joined), "updated again here");
      }
      TypeId cur = base;
      bool ok = true;
      for (size_t k = 0; k < path.size(); ++k) {
        if (types.IsOptional(cur) && Kind(types.Get(cur).elem) == policy::Kind::kRecord) {
          diags_
              .Report(DiagCode::kOptionalNotHandled, e.name_spans[u],
                      fmt::format("cannot update inside `{}`: it may be `none`",
                                  ast::JoinPath({path.begin(), path.begin() + static_cast<long>(k)})),
                      "optional on the way")
              .WithHelp("replace the whole optional record instead");
          ok = false;
          break;
        }
        if (Kind(cur) != policy::Kind::kRecord) {
          diags_.Report(DiagCode::kBadOperands, e.name_spans[u],
                        fmt::format("`{}` is a `{}`, which has no fields", path[k - 1], Name(cur)),
                        "no fields here");
          ok = false;
          break;
        }
        const RecordInfo& rec = types.record_info(cur);
        const auto idx = rec.FieldIndex(path[k]);
        if (!idx) {
          std::vector<std::string> names;
          for (const FieldInfo& f : rec.fields) {
            names.push_back(f.name);
          }
          Diagnostic& d =
              diags_.Report(DiagCode::kUnknownField, e.name_spans[u],
                            fmt::format("unknown field `{}` on `{}`", path[k], Name(cur)), "no such field");
          if (const std::string s = SuggestName(path[k], names); !s.empty()) {
            d.WithHelp(fmt::format("did you mean `{}`?", s));
          }
          ok = false;
          break;
        }
        e.field_indices.push_back(*idx);
        cur = rec.fields[*idx].type;
      }
      e.path_lengths.push_back(static_cast<uint32_t>(path.size()));
      CheckExpr(e.kids[u + 1], body, ok ? cur : TypeTable::kErrorId);
      if (ok) {
        Require(e.kids[u + 1], cur, body, fmt::format("field `{}`", joined));
      } else {
        return TypeTable::kErrorId;
      }
    }
    return base;
  }

  auto CheckRecordLit(Expr& e, Body& body) -> TypeId {
    TypeTable& types = program_.types;
    ast::TypeRef ref;
    ref.path = {e.text};
    ref.span = e.name_span;
    const TypeId t = ResolveTypeRef(ref, body.module);
    if (IsError(t) || Kind(t) != policy::Kind::kRecord) {
      if (!IsError(t)) {
        diags_.Report(DiagCode::kBadOperands, e.name_span, fmt::format("`{}` is not a record type", e.text),
                      "not a record");
      }
      for (ExprPtr& k : e.kids) {
        CheckExpr(k, body, TypeTable::kErrorId);
      }
      return TypeTable::kErrorId;
    }
    const RecordInfo& rec = types.record_info(t);
    std::vector<bool> given(rec.fields.size(), false);
    for (size_t i = 0; i < e.names.size(); ++i) {
      const auto idx = rec.FieldIndex(e.names[i]);
      if (!idx) {
        std::vector<std::string> names;
        for (const FieldInfo& f : rec.fields) {
          names.push_back(f.name);
        }
        Diagnostic& d =
            diags_.Report(DiagCode::kUnknownField, e.name_spans[i],
                          fmt::format("unknown field `{}` on `{}`", e.names[i], Name(t)), "no such field");
        if (const std::string s = SuggestName(e.names[i], names); !s.empty()) {
          d.WithHelp(fmt::format("did you mean `{}`?", s));
        }
        CheckExpr(e.kids[i], body, TypeTable::kErrorId);
        e.field_indices.push_back(UINT32_MAX);
        continue;
      }
      if (given[*idx]) {
        diags_.Report(DiagCode::kDuplicateField, e.name_spans[i],
                      fmt::format("field `{}` is given twice", e.names[i]), "given again here");
      }
      given[*idx] = true;
      e.field_indices.push_back(*idx);
      const TypeId ft = rec.fields[*idx].type;
      CheckExpr(e.kids[i], body, ft);
      Require(e.kids[i], ft, body, fmt::format("field `{}` of `{}`", e.names[i], Name(t)));
    }
    std::string missing;
    for (size_t f = 0; f < rec.fields.size(); ++f) {
      // Optional fields may be left out: they are `none`.
      if (!given[f] && !types.IsOptional(rec.fields[f].type)) {
        missing += fmt::format("{}`{}`", missing.empty() ? "" : ", ", rec.fields[f].name);
      }
    }
    if (!missing.empty()) {
      diags_
          .Report(DiagCode::kMissingField, e.span, fmt::format("`{}` is missing {}", Name(t), missing),
                  "incomplete record")
          .WithHelp("every field that is not optional (`T?`) must be given");
    }
    return t;
  }

  auto CheckAggregate(Expr& e, Body& body, TypeId expected) -> TypeId {
    TypeTable& types = program_.types;
    const TypeId coll = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
    TypeId elem = TypeTable::kErrorId;
    if (!IsError(coll)) {
      if (Kind(coll) == policy::Kind::kList || Kind(coll) == policy::Kind::kSet) {
        elem = types.Get(coll).elem;
      } else {
        Diagnostic& d = diags_.Report(
            DiagCode::kBadOperands, e.kids[0]->span,
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
        Require(e.kids[1], TypeTable::kBoolId, body,
                fmt::format("the condition of `{}`", ast::AggText(e.agg)));
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
        if (!IsError(item) && k != policy::Kind::kInt && k != policy::Kind::kDecimal && k != policy::Kind::kDate &&
            k != policy::Kind::kText && k != policy::Kind::kDuration) {
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

  auto CheckMatch(Expr& e, Body& body, TypeId expected) -> TypeId {
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
              diags_.Report(DiagCode::kTypeMismatch, p.span,
                            fmt::format("a `{}` is never `none`", Name(scrut)), "cannot match");
            }
            fresh = fresh && !none_covered;
            none_covered = true;
            break;
          case ast::Pattern::Kind::kSome:
            if (!optional) {
              diags_.Report(DiagCode::kTypeMismatch, p.span,
                            fmt::format("a `{}` is not optional", Name(scrut)), "cannot match `some`");
            }
            fresh = fresh && !some_covered;
            some_covered = true;
            p.slot = body.Bind(p.name, inner);
            break;
          case ast::Pattern::Kind::kName: {
            if (!is_enum) {
              diags_
                  .Report(DiagCode::kTypeMismatch, p.span,
                          fmt::format("`{}` is not a pattern for a `{}`", p.name, Name(scrut)),
                          "not a pattern")
                  .WithHelp(optional ? "use `none`, `some(x)` or `_`" : "use `_`");
              break;
            }
            const auto v = VariantIndex(inner, p.name);
            if (!v) {
              Diagnostic& d = diags_.Report(DiagCode::kUnknownVariant, p.span,
                                            fmt::format("enum `{}` has no value `{}`", Name(inner), p.name),
                                            "not a value of it");
              if (const std::string s = SuggestName(p.name, types.enum_info(inner).variants); !s.empty()) {
                d.WithHelp(fmt::format("did you mean `{}`?", s));
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

  auto CheckBinary(ExprPtr& ep, Body& body, TypeId expected) -> TypeId {
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
      const TypeId l =
          CheckExpr(e.kids[0], body, types.IsOptional(expected) ? expected : TypeTable::kErrorId);
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
        return bad("both sides must have the same type");
      }
      return TypeTable::kBoolId;
    }
    if (is_compare) {
      if (types.IsOptional(l) || types.IsOptional(r)) {
        return bad("one side may be `none`; handle it with `??` or test `is some` first");
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
                        : "both sides must have the same type");
    }
    if (types.IsOptional(l) || types.IsOptional(r)) {
      return bad("one side may be `none`; handle it with `??` or test `is some` first");
    }
    // Arithmetic.
    const bool numeric = types.IsNumeric(l) && types.IsNumeric(r);
    if (numeric) {
      const TypeId t = l == TypeTable::kDecimalId || r == TypeTable::kDecimalId ? TypeTable::kDecimalId
                                                                                : TypeTable::kIntId;
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

  auto SourceTextOrN(const Expr& e) const -> std::string {
    if (e.kind == ExprKind::kIntLit) {
      return std::to_string(e.int_value);
    }
    return "N";
  }

  // ---- recursion -----------------------------------------------------------------------------

  auto NodeName(Node n) const -> std::string {
    switch (n.kind) {
      case SymKind::kConst:
        return program_.consts[n.id].name;
      case SymKind::kFunction:
        return program_.functions[n.id].name;
      case SymKind::kDecision:
        return program_.decisions[n.id].name;
      default:
        return "?";
    }
  }

  auto NodeSpan(Node n) const -> Span {
    switch (n.kind) {
      case SymKind::kConst:
        return program_.consts[n.id].decl->name.span;
      case SymKind::kFunction:
        return program_.functions[n.id].decl->name.span;
      case SymKind::kDecision:
        return program_.decisions[n.id].decl->name.span;
      default:
        return {};
    }
  }

  // Colour DFS over the use graph, with an explicit stack (a chain of 100,000 functions must
  // not overflow the checker's own stack). Each cycle is reported once. Returns true when the
  // graph is acyclic.
  auto DetectRecursion() -> bool {
    std::map<Node, int> colour;
    std::set<Node> reported;
    struct Frame {
      Node node;
      std::set<Node>::const_iterator next;
    };
    std::vector<Frame> stack;
    const std::set<Node> no_edges;
    auto targets = [&](Node n) -> const std::set<Node>& {
      const auto it = edges_.find(n);
      return it == edges_.end() ? no_edges : it->second;
    };
    for (const auto& [root, root_targets] : edges_) {
      if (colour[root] != 0) {
        continue;
      }
      colour[root] = 1;
      stack.push_back({root, root_targets.begin()});
      while (!stack.empty()) {
        Frame& top = stack.back();
        if (top.next == targets(top.node).end()) {
          colour[top.node] = 2;
          stack.pop_back();
          continue;
        }
        const Node t = *top.next++;
        if (colour[t] == 1) {
          if (reported.insert(t).second) {
            std::string cycle;
            auto s = std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.node == t; });
            for (; s != stack.end(); ++s) {
              cycle += fmt::format("`{}` uses ", NodeName(s->node));
            }
            cycle += fmt::format("`{}`", NodeName(t));
            diags_
                .Report(DiagCode::kRecursiveDefinition, NodeSpan(t),
                        fmt::format("`{}` depends on itself", NodeName(t)), "part of a cycle")
                .WithNote(cycle)
                .WithHelp("policies must terminate, so recursion is not allowed; compute the value directly");
          }
        } else if (colour[t] == 0) {
          colour[t] = 1;
          stack.push_back({t, targets(t).begin()});
        }
      }
    }
    return reported.empty();
  }

  // How deeply evaluating each declaration can nest: its own deepest expression, or a call made
  // at some depth plus the callee's own evaluation depth. The graph is acyclic here, so this
  // bounds the evaluator's recursion before any case is evaluated; a declaration over the limit
  // is an error rather than a stack overflow at run time. Post-order with an explicit stack.
  void LimitEvaluationDepth() {
    std::map<Node, int> total;
    std::map<Node, Node> deepest_callee;
    std::vector<std::pair<Node, bool>> stack;
    std::vector<Node> all;
    for (const auto& [n, d] : own_depth_) {
      all.push_back(n);
    }
    for (const auto& [n, t] : edges_) {
      all.push_back(n);
    }
    for (const Node& root : all) {
      stack.push_back({root, false});
      while (!stack.empty()) {
        auto [n, expanded] = stack.back();
        stack.pop_back();
        if (total.count(n) != 0) {
          continue;
        }
        const auto edges = edges_.find(n);
        if (!expanded) {
          stack.push_back({n, true});
          if (edges != edges_.end()) {
            for (const Node& t : edges->second) {
              if (total.count(t) == 0) {
                stack.push_back({t, false});
              }
            }
          }
          continue;
        }
        int depth = own_depth_.count(n) != 0 ? own_depth_.at(n) : 0;
        if (edges != edges_.end()) {
          for (const Node& t : edges->second) {
            const int via = call_depth_.at({n, t}) + total.at(t);
            if (via > depth) {
              depth = via;
              deepest_callee[n] = t;
            }
          }
        }
        total[n] = depth;
        if (depth <= kMaxEvaluationDepth) {
          continue;
        }
        // Callers of an over-deep declaration are over the limit too; report only the first.
        const auto callee = deepest_callee.find(n);
        if (callee == deepest_callee.end() || total.at(callee->second) <= kMaxEvaluationDepth) {
          std::string chain = fmt::format("`{}`", NodeName(n));
          for (auto c = deepest_callee.find(n); c != deepest_callee.end() && chain.size() < 400;
               c = deepest_callee.find(c->second)) {
            chain += fmt::format(" calls `{}`", NodeName(c->second));
          }
          diags_
              .Report(
                  DiagCode::kEvaluationTooDeep, NodeSpan(n),
                  fmt::format("evaluating `{}` nests {} expressions deep through its calls; the limit is {}",
                              NodeName(n), depth, kMaxEvaluationDepth),
                  "declared here")
              .WithNote(chain.size() < 400 ? chain : chain + " ...")
              .WithHelp("shorten the chain of functions that call each other");
        }
      }
    }
  }

  struct RecordDeclRef {
    TypeId type;
    ast::RecordDecl* decl;
    uint32_t module;
  };

  std::vector<ast::Module>& modules_;
  DiagnosticSink& diags_;
  Program program_;
  std::vector<ModuleScope> scopes_;
  std::map<std::string, uint32_t> module_index_;
  std::map<TypeId, ast::EnumDecl*> enum_decls_;
  std::vector<RecordDeclRef> record_decls_;
  std::vector<AliasState> aliases_;
  std::vector<int> const_state_;
  std::map<Node, std::set<Node>> edges_;
  // Deepest expression in each declaration, and the depth of its deepest call to each callee.
  std::map<Node, int> own_depth_;
  std::map<std::pair<Node, Node>, int> call_depth_;
};

}  // namespace

auto Program::FindDecision(std::string_view qualified) const -> std::optional<uint32_t> {
  for (uint32_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].name == qualified) {
      return i;
    }
  }
  return std::nullopt;
}

auto Check(std::vector<ast::Module>& modules, DiagnosticSink& diags) -> Program {
  return Checker(modules, diags).Run();
}

}  // namespace policy::check
