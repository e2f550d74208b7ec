#include "compiler/syntax/clone.h"

namespace policy::syntax {

namespace {

class Cloner {
 public:
  explicit Cloner(FileId file) : file_(file) {}

  auto S(Span s) const -> Span {
    if (s.valid()) {
      s.file = file_;
    }
    return s;
  }

  auto N(const ast::Name& n) const -> ast::Name { return {n.text, S(n.span)}; }

  auto Names(const std::vector<ast::Name>& names) const -> std::vector<ast::Name> {
    std::vector<ast::Name> out;
    out.reserve(names.size());
    for (const ast::Name& n : names) {
      out.push_back(N(n));
    }
    return out;
  }

  auto E(const ast::ExprPtr& e) const -> ast::ExprPtr {
    if (!e) {
      return nullptr;
    }
    auto c = std::make_unique<ast::Expr>();
    c->kind = e->kind;
    c->span = S(e->span);
    c->text = e->text;
    c->name_span = S(e->name_span);
    c->op = e->op;
    c->agg = e->agg;
    c->unit = e->unit;
    c->negated = e->negated;
    c->is_some = e->is_some;
    c->int_value = e->int_value;
    c->decimal_value = e->decimal_value;
    c->date_value = e->date_value;
    c->kids.reserve(e->kids.size());
    for (const ast::ExprPtr& k : e->kids) {
      c->kids.push_back(E(k));
    }
    c->names = e->names;
    c->paths = e->paths;
    for (const Span& s : e->name_spans) {
      c->name_spans.push_back(S(s));
    }
    for (const ast::MatchArm& arm : e->arms) {
      ast::MatchArm a;
      for (const ast::Pattern& p : arm.patterns) {
        ast::Pattern q = p;
        q.span = S(p.span);
        a.patterns.push_back(std::move(q));
      }
      a.body = E(arm.body);
      a.span = S(arm.span);
      c->arms.push_back(std::move(a));
    }
    c->type = e->type;
    c->ref = e->ref;
    c->slot = e->slot;
    c->field_indices = e->field_indices;
    c->path_lengths = e->path_lengths;
    return c;
  }

  auto T(const ast::TypeRef& t) const -> ast::TypeRef {
    ast::TypeRef c;
    c.kind = t.kind;
    c.path = t.path;
    if (t.arg) {
      c.arg = std::make_unique<ast::TypeRef>(T(*t.arg));
    }
    c.span = S(t.span);
    c.declaration = t.declaration;  // a resolution, not a place in this file: never set before checking
    return c;
  }

  auto OptT(const std::optional<ast::TypeRef>& t) const -> std::optional<ast::TypeRef> {
    if (!t) {
      return std::nullopt;
    }
    return T(*t);
  }

  auto Params(const std::vector<ast::Param>& params) const -> std::vector<ast::Param> {
    std::vector<ast::Param> out;
    for (const ast::Param& p : params) {
      out.push_back({N(p.name), T(p.type)});
    }
    return out;
  }

  auto Source(const std::optional<ast::SourceRef>& s) const -> std::optional<ast::SourceRef> {
    if (!s) {
      return std::nullopt;
    }
    return ast::SourceRef{s->text, S(s->span)};
  }

  auto Rule(const ast::RuleDecl& r) const -> ast::RuleDecl {
    ast::RuleDecl c;
    c.is_exception = r.is_exception;
    c.name = N(r.name);
    c.span = S(r.span);
    c.targets = Names(r.targets);
    c.source = Source(r.source);
    c.effective_from = r.effective_from;
    c.effective_until = r.effective_until;
    c.effective_span = S(r.effective_span);
    c.when = E(r.when);
    c.then = E(r.then);
    c.doc = r.doc;
    return c;
  }

  auto Decision(const ast::DecisionDecl& d) const -> ast::DecisionDecl {
    ast::DecisionDecl c;
    c.name = N(d.name);
    c.params = Params(d.params);
    c.result = T(d.result);
    c.source = Source(d.source);
    c.effective_from = d.effective_from;
    c.effective_until = d.effective_until;
    c.effective_span = S(d.effective_span);
    c.is_parameter = d.is_parameter;
    c.default_value = E(d.default_value);
    c.default_span = S(d.default_span);
    for (const ast::RuleDecl& r : d.rules) {
      c.rules.push_back(Rule(r));
    }
    c.doc = d.doc;
    c.span = S(d.span);
    return c;
  }

  auto Module(const ast::Module& m) const -> ast::Module {
    ast::Module c;
    c.file = file_;
    c.path = m.path;
    c.path_span = S(m.path_span);
    for (const ast::Import& i : m.imports) {
      ast::Import ci;
      ci.path = i.path;
      ci.span = S(i.span);
      if (i.alias) {
        ci.alias = N(*i.alias);
      }
      ci.names = Names(i.names);
      c.imports.push_back(std::move(ci));
    }
    for (const ast::EnumDecl& e : m.enums) {
      c.enums.push_back({N(e.name), Names(e.variants), e.json_names, e.doc});
    }
    for (const ast::RecordDecl& r : m.records) {
      ast::RecordDecl cr;
      cr.name = N(r.name);
      for (const ast::FieldDecl& f : r.fields) {
        cr.fields.push_back({N(f.name), T(f.type), f.may_be_absent, f.doc, f.fixed});
      }
      cr.doc = r.doc;
      c.records.push_back(std::move(cr));
    }
    for (const ast::AliasDecl& a : m.aliases) {
      c.aliases.push_back({N(a.name), T(a.type), a.doc});
    }
    for (const ast::ConstDecl& k : m.consts) {
      c.consts.push_back({N(k.name), OptT(k.type), E(k.value), k.doc});
    }
    for (const ast::FunctionDecl& f : m.functions) {
      c.functions.push_back({N(f.name), Params(f.params), T(f.result), E(f.body), f.doc});
    }
    for (const ast::DecisionDecl& d : m.decisions) {
      c.decisions.push_back(Decision(d));
    }
    for (const ast::TestDecl& t : m.tests) {
      ast::TestDecl ct;
      ct.name = t.name;
      ct.span = S(t.span);
      ct.as_of = t.as_of;
      for (const ast::TestStmt& s : t.stmts) {
        ast::TestStmt cs;
        cs.is_let = s.is_let;
        cs.expect_not_applicable = s.expect_not_applicable;
        cs.name = N(s.name);
        cs.slot = s.slot;
        cs.type = OptT(s.type);
        cs.expr = E(s.expr);
        cs.span = S(s.span);
        ct.stmts.push_back(std::move(cs));
      }
      c.tests.push_back(std::move(ct));
    }
    c.has_syntax_errors = m.has_syntax_errors;
    return c;
  }

 private:
  FileId file_;
};

}  // namespace

auto CloneModule(const ast::Module& module, FileId file) -> ast::Module {
  return Cloner(file).Module(module);
}

auto MoveToFile(Diagnostic d, FileId file) -> Diagnostic {
  const Cloner c(file);
  d.primary = c.S(d.primary);
  for (Label& l : d.labels) {
    l.span = c.S(l.span);
  }
  return d;
}

}  // namespace policy::syntax
