// Modules and names: registers each module, declares its symbols, resolves imports (reporting
// unknown modules and names and import cycles) and looks names up at module level. It runs
// first, and every later pass only reads the tables it builds.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace policy::check {

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

void Checker::RegisterModules() {
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
          .Report(DiagCode::kDuplicateModule, m.path_span, fmt::format("module `{}` is declared twice", name),
                  "declared again here")
          .WithLabel(modules_[it->second].path_span, "first declared here")
          .WithHelp("each module lives in exactly one file; rename one of them");
      continue;
    }
    module_index_[name] = i;
  }
}

void Checker::Declare(uint32_t module, const std::string& name, Symbol sym) {
  auto& own = scopes_[module].own;
  if (const auto it = own.find(name); it != own.end()) {
    diags_
        .Report(DiagCode::kDuplicateDeclaration, sym.span,
                fmt::format("`{}` is declared twice in module `{}`", name, program_.module_names[module]),
                "declared again here")
        .WithLabel(it->second.span, fmt::format("first declared here as a {}", SymKindName(it->second.kind)))
        .WithHelp("rename one of the declarations");
    return;
  }
  own.emplace(name, sym);
}

void Checker::DeclareSymbols() {
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

auto Checker::ModuleCandidates() const -> std::vector<std::string> {
  std::vector<std::string> names;
  for (const auto& [name, index] : module_index_) {
    names.push_back(name);
  }
  return names;
}

void Checker::ResolveImports() {
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
          Diagnostic& d =
              diags_.Report(DiagCode::kUnknownMember, n.span,
                            fmt::format("module `{}` has no declaration `{}`", target, n.text), "not found");
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

void Checker::DetectImportCycles() {
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
auto Checker::LookupGlobal(uint32_t module, const std::string& name) const -> std::optional<Symbol> {
  const ModuleScope& s = scopes_[module];
  if (const auto it = s.own.find(name); it != s.own.end()) {
    return it->second;
  }
  if (const auto it = s.imported.find(name); it != s.imported.end()) {
    return it->second;
  }
  return std::nullopt;
}

auto Checker::GlobalCandidates(uint32_t module) const -> std::vector<std::string> {
  std::vector<std::string> names;
  for (const auto& [n, s] : scopes_[module].own) {
    names.push_back(n);
  }
  for (const auto& [n, s] : scopes_[module].imported) {
    names.push_back(n);
  }
  return names;
}

}  // namespace policy::check
