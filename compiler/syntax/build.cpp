// Each Build* function starts with the grammar rule it handles.
#include "compiler/syntax/build.h"

#include <fmt/format.h>

#include <charconv>
#include <cstddef>
#include <string_view>

#include "PolicyLexer.h"

namespace policy::syntax {
namespace {

using policy_grammar::PolicyLexer;
using P = policy_grammar::PolicyParser;

class Builder {
 public:
  Builder(antlr4::CommonTokenStream& tokens, FileId file, const ByteOffsetFn& offset, DiagnosticSink& diags)
      : tokens_(tokens), file_(file), offset_(offset), diags_(diags) {}

  // file: moduleHeader importDecl* declaration* EOF
  void Module(P::FileContext& ctx, ast::Module& m) {
    m.file = file_;
    for (auto* n : ctx.moduleHeader()->qualifiedName()->name()) {
      m.path.push_back(n->getText());
    }
    m.path_span = SpanOf(ctx.moduleHeader()->qualifiedName());
    for (auto* imp : ctx.importDecl()) {
      m.imports.push_back(Import(*imp));
    }
    for (auto* decl : ctx.declaration()) {
      Declaration(*decl, m);
    }
  }

 private:
  auto SpanOf(antlr4::ParserRuleContext* ctx) const -> Span {
    const antlr4::Token* start = ctx->getStart();
    const antlr4::Token* stop = ctx->getStop();
    const uint32_t b = offset_(start->getStartIndex());
    uint32_t e = b;
    if (stop != nullptr && stop->getType() != antlr4::Token::EOF &&
        stop->getStopIndex() + 1 >= start->getStartIndex()) {
      e = offset_(stop->getStopIndex() + 1);
    }
    return {file_, b, e};
  }
  auto SpanOf(antlr4::tree::TerminalNode* node) const -> Span { return SpanOf(node->getSymbol()); }
  auto SpanOf(const antlr4::Token* t) const -> Span {
    return {file_, offset_(t->getStartIndex()), offset_(t->getStopIndex() + 1)};
  }

  auto NameOf(P::NameContext* ctx) const -> ast::Name { return {ctx->getText(), SpanOf(ctx)}; }

  // `///` lines directly before the declaration's first token.
  auto DocFor(antlr4::ParserRuleContext* ctx) -> ast::Doc {
    ast::Doc doc;
    const auto hidden = tokens_.getHiddenTokensToLeft(ctx->getStart()->getTokenIndex(), PolicyLexer::DOCS);
    for (const antlr4::Token* t : hidden) {
      std::string line = t->getText().substr(3);
      if (!line.empty() && line[0] == ' ') {
        line.erase(0, 1);
      }
      if (!doc.text.empty()) {
        doc.text += '\n';
      }
      doc.text += line;
    }
    return doc;
  }

  // importDecl: IMPORT qualifiedName (AS alias=name)? (LPAREN name (COMMA name)* RPAREN)?
  auto Import(P::ImportDeclContext& ctx) -> ast::Import {
    ast::Import imp;
    for (auto* n : ctx.qualifiedName()->name()) {
      imp.path.push_back(n->getText());
    }
    imp.span = SpanOf(ctx.qualifiedName());
    if (ctx.alias != nullptr) {
      imp.alias = NameOf(ctx.alias);
    }
    for (auto* n : ctx.name()) {
      if (n != ctx.alias) {
        imp.names.push_back(NameOf(n));
      }
    }
    return imp;
  }

  void Declaration(P::DeclarationContext& ctx, ast::Module& m) {
    if (auto* e = dynamic_cast<P::EnumDeclContext*>(&ctx)) {
      // ENUM name LBRACE name (COMMA? name)* COMMA? RBRACE
      ast::EnumDecl decl;
      decl.name = NameOf(e->name());
      for (auto* v : e->enumVariant()) {
        decl.variants.push_back(NameOf(v->name()));
        decl.json_names.push_back(v->STRING() != nullptr ? TextLiteral(v->STRING()) : "");
      }
      decl.doc = DocFor(e);
      m.enums.push_back(std::move(decl));
    } else if (auto* r = dynamic_cast<P::RecordDeclContext*>(&ctx)) {
      // RECORD name LBRACE fieldDecl (COMMA? fieldDecl)* COMMA? RBRACE
      ast::RecordDecl decl;
      decl.name = NameOf(r->name());
      decl.doc = DocFor(r);
      for (auto* f : r->fieldDecl()) {
        decl.fields.push_back({NameOf(f->name()), Type(*f->typeRef()), f->QUESTION() != nullptr, DocFor(f),
                               f->FIXED() != nullptr});
      }
      m.records.push_back(std::move(decl));
    } else if (auto* a = dynamic_cast<P::TypeAliasDeclContext*>(&ctx)) {
      // TYPE name ASSIGN typeRef
      m.aliases.push_back({NameOf(a->name()), Type(*a->typeRef()), DocFor(a)});
    } else if (auto* c = dynamic_cast<P::ConstDeclContext*>(&ctx)) {
      // CONST name (COLON typeRef)? ASSIGN expr
      ast::ConstDecl decl;
      decl.name = NameOf(c->name());
      if (c->typeRef() != nullptr) {
        decl.type = Type(*c->typeRef());
      }
      decl.value = Expr(*c->expr());
      decl.doc = DocFor(c);
      m.consts.push_back(std::move(decl));
    } else if (auto* f = dynamic_cast<P::FunctionDeclContext*>(&ctx)) {
      // DEF name LPAREN paramList? RPAREN ARROW typeRef ASSIGN expr
      ast::FunctionDecl decl;
      decl.name = NameOf(f->name());
      decl.params = Params(f->paramList());
      decl.result = Type(*f->typeRef());
      decl.body = Expr(*f->expr());
      decl.doc = DocFor(f);
      m.functions.push_back(std::move(decl));
    } else if (auto* d = dynamic_cast<P::DecisionDeclContext*>(&ctx)) {
      m.decisions.push_back(Decision(*d));
    } else if (auto* t = dynamic_cast<P::TestDeclContext*>(&ctx)) {
      m.tests.push_back(Test(*t));
    } else if (auto* pd = dynamic_cast<P::ParameterDeclContext*>(&ctx)) {
      m.decisions.push_back(Parameter(*pd));
    }
  }

  auto Params(P::ParamListContext* ctx) -> std::vector<ast::Param> {
    std::vector<ast::Param> params;
    if (ctx == nullptr) {
      return params;
    }
    for (auto* p : ctx->param()) {
      params.push_back({NameOf(p->name()), Type(*p->typeRef())});
    }
    return params;
  }

  auto Source(P::SourceClauseContext* ctx) -> ast::SourceRef {
    return {TextLiteral(ctx->STRING()), SpanOf(ctx->STRING())};
  }

  // DECISION name LPAREN paramList? RPAREN ARROW typeRef decisionClause* ruleDecl*
  auto Decision(P::DecisionDeclContext& ctx) -> ast::DecisionDecl {
    ast::DecisionDecl decl;
    decl.name = NameOf(ctx.name());
    decl.params = Params(ctx.paramList());
    decl.result = Type(*ctx.typeRef());
    decl.doc = DocFor(&ctx);
    decl.span = SpanOf(&ctx);
    for (auto* clause : ctx.decisionClause()) {
      const bool is_default = dynamic_cast<P::DecisionDefaultContext*>(clause) != nullptr;
      const bool is_effective = dynamic_cast<P::DecisionEffectiveContext*>(clause) != nullptr;
      if ((is_default && decl.default_value) || (is_effective && decl.effective_span.valid()) ||
          (!is_default && !is_effective && decl.source)) {
        const char* what = is_default ? "default" : is_effective ? "effective" : "source";
        diags_
            .Report(DiagCode::kSyntaxError, SpanOf(clause),
                    fmt::format("decision `{}` has a second `{}`", decl.name.text, what), "second clause")
            .WithHelp(fmt::format("a decision has at most one `{}`", what));
        continue;
      }
      if (auto* s = dynamic_cast<P::DecisionSourceContext*>(clause)) {
        decl.source = Source(s->sourceClause());
      } else if (auto* def = dynamic_cast<P::DecisionDefaultContext*>(clause)) {
        decl.default_value = Expr(*def->expr());
        decl.default_span = SpanOf(def);
      } else if (auto* eff = dynamic_cast<P::DecisionEffectiveContext*>(clause)) {
        Effective(*eff->effectivePeriod(), decl.effective_from, decl.effective_until, decl.effective_span);
      }
    }
    for (auto* r : ctx.ruleDecl()) {
      decl.rules.push_back(Rule(*r));
    }
    return decl;
  }

  // ruleDecl: RULE name ruleClause* THEN expr | EXCEPTION name TO name (COMMA name)* ruleClause* THEN expr
  auto Rule(P::RuleDeclContext& ctx) -> ast::RuleDecl {
    ast::RuleDecl rule;
    rule.span = SpanOf(&ctx);
    rule.doc = DocFor(&ctx);
    std::vector<P::RuleClauseContext*> clauses;
    if (auto* r = dynamic_cast<P::RuleItemContext*>(&ctx)) {
      rule.name = NameOf(r->name());
      clauses = r->ruleClause();
      rule.then = Expr(*r->expr());
    } else if (auto* e = dynamic_cast<P::ExceptionItemContext*>(&ctx)) {
      rule.is_exception = true;
      const auto names = e->name();
      rule.name = NameOf(names[0]);
      for (size_t i = 1; i < names.size(); ++i) {
        rule.targets.push_back(NameOf(names[i]));
      }
      clauses = e->ruleClause();
      rule.then = Expr(*e->expr());
    }
    int whens = 0;
    int sources = 0;
    int effectives = 0;
    for (auto* clause : clauses) {
      const bool is_when = dynamic_cast<P::RuleWhenContext*>(clause) != nullptr;
      const bool is_source = dynamic_cast<P::RuleSourceContext*>(clause) != nullptr;
      const bool is_effective = dynamic_cast<P::RuleEffectiveContext*>(clause) != nullptr;
      if ((is_when && whens++ > 0) || (is_source && sources++ > 0) || (is_effective && effectives++ > 0)) {
        const char* what = is_when ? "when" : is_source ? "source" : "effective";
        Diagnostic& d = diags_.Report(DiagCode::kSyntaxError, SpanOf(clause),
                                      fmt::format("rule `{}` has a second `{}` clause", rule.name.text, what),
                                      "second clause");
        d.WithHelp(is_when ? "join the conditions with `and` in one `when`"
                           : fmt::format("give one `{}` clause per rule", what));
        continue;
      }
      if (auto* s = dynamic_cast<P::RuleSourceContext*>(clause)) {
        rule.source = Source(s->sourceClause());
      } else if (auto* eff = dynamic_cast<P::RuleEffectiveContext*>(clause)) {
        Effective(*eff->effectivePeriod(), rule.effective_from, rule.effective_until, rule.effective_span);
      } else if (auto* w = dynamic_cast<P::RuleWhenContext*>(clause)) {
        rule.when = Expr(*w->expr());
      }
    }
    return rule;
  }

  void Effective(P::EffectivePeriodContext& ctx, std::optional<Date>& from, std::optional<Date>& until,
                 Span& span) {
    span = SpanOf(&ctx);
    if (ctx.from != nullptr) {
      from = DateLiteral(ctx.from);
    }
    if (ctx.until != nullptr) {
      until = DateLiteral(ctx.until);
    }
  }

  // PARAMETER name COLON typeRef sourceClause? parameterVersion+
  // The versions become rules `version_1`, `version_2`, ... of a decision without parameters, so
  // effective dating, citations and explanations work exactly as for decisions.
  auto Parameter(P::ParameterDeclContext& ctx) -> ast::DecisionDecl {
    ast::DecisionDecl decl;
    decl.is_parameter = true;
    decl.name = NameOf(ctx.name());
    decl.result = Type(*ctx.typeRef());
    decl.doc = DocFor(&ctx);
    decl.span = SpanOf(&ctx);
    if (ctx.sourceClause() != nullptr) {
      decl.source = Source(ctx.sourceClause());
    }
    int index = 0;
    for (auto* v : ctx.parameterVersion()) {
      ast::RuleDecl rule;
      rule.name = {fmt::format("version_{}", ++index), SpanOf(v->VALUE())};
      rule.span = SpanOf(v);
      rule.doc = DocFor(v);
      rule.then = Expr(*v->expr());
      bool has_source = false;
      bool has_effective = false;
      for (auto* clause : v->versionClause()) {
        auto* eff = dynamic_cast<P::VersionEffectiveContext*>(clause);
        bool& seen = eff != nullptr ? has_effective : has_source;
        if (seen) {
          diags_
              .Report(DiagCode::kSyntaxError, SpanOf(clause),
                      fmt::format("a value of parameter `{}` has a second `{}` clause", decl.name.text,
                                  eff != nullptr ? "effective" : "source"),
                      "second clause")
              .WithHelp("give each value at most one `effective` and one `source`");
          continue;
        }
        seen = true;
        if (eff != nullptr) {
          Effective(*eff->effectivePeriod(), rule.effective_from, rule.effective_until, rule.effective_span);
        } else if (auto* src = dynamic_cast<P::VersionSourceContext*>(clause)) {
          rule.source = Source(src->sourceClause());
        }
      }
      if (!rule.source) {
        rule.source = decl.source;
      }
      decl.rules.push_back(std::move(rule));
    }
    return decl;
  }

  // TEST STRING (AS OF DATE)? LBRACE testStmt* RBRACE
  auto Test(P::TestDeclContext& ctx) -> ast::TestDecl {
    ast::TestDecl test;
    test.name = TextLiteral(ctx.STRING());
    test.span = SpanOf(ctx.STRING());
    if (ctx.DATE() != nullptr) {
      test.as_of = DateLiteral(ctx.DATE()->getSymbol());
    }
    for (auto* s : ctx.testStmt()) {
      ast::TestStmt stmt;
      stmt.span = SpanOf(s);
      if (auto* let = dynamic_cast<P::TestLetContext*>(s)) {
        stmt.is_let = true;
        stmt.name = NameOf(let->name());
        if (let->typeRef() != nullptr) {
          stmt.type = Type(*let->typeRef());
        }
        stmt.expr = Expr(*let->expr());
      } else if (auto* ex = dynamic_cast<P::TestExpectContext*>(s)) {
        stmt.expr = Expr(*ex->expr());
      } else if (auto* na = dynamic_cast<P::TestExpectNotApplicableContext*>(s)) {
        stmt.expr = Expr(*na->expr());
        stmt.expect_not_applicable = true;
      }
      test.stmts.push_back(std::move(stmt));
    }
    return test;
  }

  // typeRef: typeRef QUESTION | name LT typeRef GT | qualifiedName
  auto Type(P::TypeRefContext& ctx) -> ast::TypeRef {
    ast::TypeRef t;
    t.span = SpanOf(&ctx);
    if (auto* o = dynamic_cast<P::OptionalTypeContext*>(&ctx)) {
      t.kind = ast::TypeRef::Kind::kOptional;
      t.arg = std::make_unique<ast::TypeRef>(Type(*o->typeRef()));
    } else if (auto* g = dynamic_cast<P::GenericTypeContext*>(&ctx)) {
      t.kind = ast::TypeRef::Kind::kGeneric;
      t.path.push_back(g->name()->getText());
      t.arg = std::make_unique<ast::TypeRef>(Type(*g->typeRef()));
    } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(&ctx)) {
      for (auto* part : n->qualifiedName()->name()) {
        t.path.push_back(part->getText());
      }
    }
    return t;
  }

  auto NewExpr(ast::ExprKind kind, Span span) -> ast::ExprPtr {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = span;
    return e;
  }

  auto Expr(P::ExprContext& ctx) -> ast::ExprPtr {
    const Span span = SpanOf(&ctx);
    if (auto* p = dynamic_cast<P::PrimaryExprContext*>(&ctx)) {
      return Primary(*p->primary());
    }
    if (auto* f = dynamic_cast<P::FieldExprContext*>(&ctx)) {
      // expr DOT name
      auto e = NewExpr(ast::ExprKind::kField, span);
      e->kids.push_back(Expr(*f->expr()));
      e->text = f->name()->getText();
      e->name_span = SpanOf(f->name());
      return e;
    }
    if (auto* c = dynamic_cast<P::CallExprContext*>(&ctx)) {
      // expr LPAREN argList? RPAREN
      auto e = NewExpr(ast::ExprKind::kCall, span);
      e->kids.push_back(Expr(*c->expr()));
      if (c->argList() != nullptr) {
        for (auto* a : c->argList()->expr()) {
          e->kids.push_back(Expr(*a));
        }
      }
      return e;
    }
    if (auto* w = dynamic_cast<P::WithExprContext*>(&ctx)) {
      // expr WITH LBRACE fieldUpdate (COMMA fieldUpdate)* COMMA? RBRACE
      auto e = NewExpr(ast::ExprKind::kWith, span);
      e->kids.push_back(Expr(*w->expr()));
      for (auto* u : w->fieldUpdate()) {
        std::vector<std::string> path;
        for (auto* n : u->name()) {
          path.push_back(n->getText());
        }
        e->paths.push_back(std::move(path));
        e->name_spans.push_back(Span::Cover(SpanOf(u->name().front()), SpanOf(u->name().back())));
        e->kids.push_back(Expr(*u->expr()));
      }
      return e;
    }
    if (auto* d = dynamic_cast<P::DurationExprContext*>(&ctx)) {
      // expr unit=(DAYS | WEEKS | MONTHS | YEARS)
      auto e = NewExpr(ast::ExprKind::kDuration, span);
      e->kids.push_back(Expr(*d->expr()));
      switch (d->unit->getType()) {
        case PolicyLexer::DAYS:
          e->unit = DurationUnit::kDays;
          break;
        case PolicyLexer::WEEKS:
          e->unit = DurationUnit::kWeeks;
          break;
        case PolicyLexer::MONTHS:
          e->unit = DurationUnit::kMonths;
          break;
        default:
          e->unit = DurationUnit::kYears;
          break;
      }
      return e;
    }
    if (auto* a = dynamic_cast<P::AsOfExprContext*>(&ctx)) {
      // expr AS OF expr
      auto e = NewExpr(ast::ExprKind::kAsOfDate, span);
      e->kids.push_back(Expr(*a->expr(0)));
      e->kids.push_back(Expr(*a->expr(1)));
      return e;
    }
    if (auto* n = dynamic_cast<P::NegExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kNeg, span);
      e->kids.push_back(Expr(*n->expr()));
      return e;
    }
    if (auto* n = dynamic_cast<P::NotExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kNot, span);
      e->kids.push_back(Expr(*n->expr()));
      return e;
    }
    if (auto* m = dynamic_cast<P::MulExprContext*>(&ctx)) {
      const auto t = m->op->getType();
      return Binary(span,
                    t == PolicyLexer::STAR    ? ast::BinOp::kMul
                    : t == PolicyLexer::SLASH ? ast::BinOp::kDiv
                                              : ast::BinOp::kMod,
                    *m->expr(0), *m->expr(1));
    }
    if (auto* a = dynamic_cast<P::AddExprContext*>(&ctx)) {
      return Binary(span, a->op->getType() == PolicyLexer::PLUS ? ast::BinOp::kAdd : ast::BinOp::kSub,
                    *a->expr(0), *a->expr(1));
    }
    if (auto* q = dynamic_cast<P::CoalesceExprContext*>(&ctx)) {
      return Binary(span, ast::BinOp::kCoalesce, *q->expr(0), *q->expr(1));
    }
    if (auto* c = dynamic_cast<P::CompareExprContext*>(&ctx)) {
      ast::BinOp op = ast::BinOp::kEq;
      switch (c->op->getType()) {
        case PolicyLexer::LT:
          op = ast::BinOp::kLt;
          break;
        case PolicyLexer::LE:
          op = ast::BinOp::kLe;
          break;
        case PolicyLexer::GT:
          op = ast::BinOp::kGt;
          break;
        case PolicyLexer::GE:
          op = ast::BinOp::kGe;
          break;
        case PolicyLexer::NEQ:
          op = ast::BinOp::kNe;
          break;
        default:
          op = ast::BinOp::kEq;
          break;
      }
      return Binary(span, op, *c->expr(0), *c->expr(1));
    }
    if (auto* i = dynamic_cast<P::InExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kIn, span);
      e->negated = i->NOT() != nullptr;
      e->kids.push_back(Expr(*i->expr(0)));
      e->kids.push_back(Expr(*i->expr(1)));
      return e;
    }
    if (auto* is = dynamic_cast<P::IsExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kIs, span);
      e->negated = is->NOT() != nullptr;
      e->is_some = is->SOME() != nullptr;
      e->kids.push_back(Expr(*is->expr()));
      return e;
    }
    if (auto* a = dynamic_cast<P::AndExprContext*>(&ctx)) {
      return Binary(span, ast::BinOp::kAnd, *a->expr(0), *a->expr(1));
    }
    if (auto* o = dynamic_cast<P::OrExprContext*>(&ctx)) {
      return Binary(span, ast::BinOp::kOr, *o->expr(0), *o->expr(1));
    }
    if (auto* i = dynamic_cast<P::IfExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kIf, span);
      for (auto* k : i->expr()) {
        e->kids.push_back(Expr(*k));
      }
      return e;
    }
    if (auto* g = dynamic_cast<P::AggregateExprContext*>(&ctx)) {
      // agg=(ALL|ANY|COUNT|SUM|MIN|MAX|FILTER|MAP) name IN expr COLON expr
      auto e = NewExpr(ast::ExprKind::kAggregate, span);
      static const std::pair<size_t, ast::AggKind> kAggs[] = {
          {PolicyLexer::ALL, ast::AggKind::kAll},       {PolicyLexer::ANY, ast::AggKind::kAny},
          {PolicyLexer::COUNT, ast::AggKind::kCount},   {PolicyLexer::SUM, ast::AggKind::kSum},
          {PolicyLexer::MIN, ast::AggKind::kMin},       {PolicyLexer::MAX, ast::AggKind::kMax},
          {PolicyLexer::FILTER, ast::AggKind::kFilter}, {PolicyLexer::MAP, ast::AggKind::kMap}};
      for (const auto& [tok, kind] : kAggs) {
        if (g->agg->getType() == tok) {
          e->agg = kind;
        }
      }
      e->text = g->name()->getText();
      e->name_span = SpanOf(g->name());
      e->kids.push_back(Expr(*g->expr(0)));
      e->kids.push_back(Expr(*g->expr(1)));
      return e;
    }
    return NewExpr(ast::ExprKind::kError, span);
  }

  auto Binary(Span span, ast::BinOp op, P::ExprContext& l, P::ExprContext& r) -> ast::ExprPtr {
    auto e = NewExpr(ast::ExprKind::kBinary, span);
    e->op = op;
    e->kids.push_back(Expr(l));
    e->kids.push_back(Expr(r));
    return e;
  }

  auto Primary(P::PrimaryContext& ctx) -> ast::ExprPtr {
    const Span span = SpanOf(&ctx);
    if (dynamic_cast<P::IntLitContext*>(&ctx) != nullptr) {
      auto e = NewExpr(ast::ExprKind::kIntLit, span);
      const std::string text = ctx.getText();
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), e->int_value);
      if (ec != std::errc() || ptr != text.data() + text.size()) {
        diags_
            .Report(DiagCode::kInvalidLiteral, span, fmt::format("integer `{}` is too large", text),
                    "out of range")
            .WithHelp("integer literals go up to 9223372036854775807");
        e->kind = ast::ExprKind::kError;
      }
      return e;
    }
    if (dynamic_cast<P::DecimalLitContext*>(&ctx) != nullptr) {
      return DecimalLiteral(span, ctx.getText(), ctx.getText(), "decimal");
    }
    if (dynamic_cast<P::PercentLitContext*>(&ctx) != nullptr) {
      // A percentage is a Decimal literal that remembers how it was written (`20%`).
      const std::string written = ctx.getText();
      auto e = DecimalLiteral(span, PercentageAsDecimal(written), written, "percentage");
      e->text = written;
      return e;
    }
    if (auto* s = dynamic_cast<P::StringLitContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kTextLit, span);
      e->text = TextLiteral(s->STRING());
      return e;
    }
    if (auto* d = dynamic_cast<P::DateLitContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kDateLit, span);
      if (const auto date = DateLiteral(d->DATE()->getSymbol())) {
        e->date_value = *date;
      } else {
        e->kind = ast::ExprKind::kError;
      }
      return e;
    }
    if (dynamic_cast<P::TrueLitContext*>(&ctx) != nullptr ||
        dynamic_cast<P::FalseLitContext*>(&ctx) != nullptr) {
      auto e = NewExpr(ast::ExprKind::kBoolLit, span);
      e->int_value = dynamic_cast<P::TrueLitContext*>(&ctx) != nullptr ? 1 : 0;
      return e;
    }
    if (dynamic_cast<P::NoneLitContext*>(&ctx) != nullptr) {
      return NewExpr(ast::ExprKind::kNoneLit, span);
    }
    if (auto* s = dynamic_cast<P::SomeExprContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kSome, span);
      e->kids.push_back(Expr(*s->expr()));
      return e;
    }
    if (auto* r = dynamic_cast<P::RecordLitContext*>(&ctx)) {
      // name LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE
      auto e = NewExpr(ast::ExprKind::kRecordLit, span);
      e->text = r->name()->getText();
      e->name_span = SpanOf(r->name());
      for (auto* f : r->fieldInit()) {
        e->names.push_back(f->name()->getText());
        e->name_spans.push_back(SpanOf(f->name()));
        e->kids.push_back(Expr(*f->expr()));
      }
      return e;
    }
    if (auto* n = dynamic_cast<P::NameRefContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kName, span);
      e->text = n->name()->getText();
      return e;
    }
    if (auto* p = dynamic_cast<P::ParenExprContext*>(&ctx)) {
      auto inner = Expr(*p->expr());
      return inner;
    }
    if (auto* l = dynamic_cast<P::ListLitContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kListLit, span);
      for (auto* k : l->expr()) {
        e->kids.push_back(Expr(*k));
      }
      return e;
    }
    if (auto* s = dynamic_cast<P::SetLitContext*>(&ctx)) {
      auto e = NewExpr(ast::ExprKind::kSetLit, span);
      for (auto* k : s->expr()) {
        e->kids.push_back(Expr(*k));
      }
      return e;
    }
    if (auto* m = dynamic_cast<P::MatchExprContext*>(&ctx)) {
      // MATCH expr LBRACE matchArm+ RBRACE ; matchArm: pattern (PIPE pattern)* FATARROW expr COMMA?
      auto e = NewExpr(ast::ExprKind::kMatch, span);
      e->kids.push_back(Expr(*m->expr()));
      for (auto* arm : m->matchArm()) {
        ast::MatchArm a;
        a.span = SpanOf(arm);
        for (auto* p : arm->pattern()) {
          ast::Pattern pat;
          pat.span = SpanOf(p);
          if (dynamic_cast<P::NonePatternContext*>(p) != nullptr) {
            pat.kind = ast::Pattern::Kind::kNone;
          } else if (auto* sp = dynamic_cast<P::SomePatternContext*>(p)) {
            pat.kind = ast::Pattern::Kind::kSome;
            pat.name = sp->name()->getText();
          } else {
            pat.name = p->getText();
            pat.kind = pat.name == "_" ? ast::Pattern::Kind::kWildcard : ast::Pattern::Kind::kName;
          }
          a.patterns.push_back(std::move(pat));
        }
        a.body = Expr(*arm->expr());
        e->arms.push_back(std::move(a));
      }
      return e;
    }
    return NewExpr(ast::ExprKind::kError, span);
  }

  // A DECIMAL or PERCENTAGE token whose value is `value` (decimal digits with at most one point),
  // as written `written`; an error node when the value cannot be held exactly.
  auto DecimalLiteral(Span span, const std::string& value, const std::string& written, const char* what)
      -> ast::ExprPtr {
    auto e = NewExpr(ast::ExprKind::kDecimalLit, span);
    const auto d = Decimal::Parse(value);
    if (!d) {
      diags_
          .Report(DiagCode::kInvalidLiteral, span,
                  fmt::format("{} `{}` cannot be represented exactly", what, written), "too many digits")
          .WithHelp("a decimal has at most 18 decimal places and is less than 10^17 in magnitude");
      e->kind = ast::ExprKind::kError;
    } else {
      e->decimal_value = *d;
    }
    return e;
  }

  // PERCENTAGE: DIGIT+ ('.' DIGIT+)? '%'. The same digits with the point moved two places to the
  // left, so the value is exact: "12.5%" -> "0.125", "20%" -> "0.20", "0.5%" -> "0.005".
  static auto PercentageAsDecimal(std::string_view written) -> std::string {
    const std::string_view number = written.substr(0, written.size() - 1);
    const size_t dot = number.find('.');
    const std::string_view whole = number.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? "" : number.substr(dot + 1);
    const std::string digits = std::string(whole) + std::string(fraction);
    // INVARIANT: the lexer gives at least one digit before the point, so `point` >= -1 and the
    // part after the point has at least two digits.
    const auto point = static_cast<std::ptrdiff_t>(whole.size()) - 2;
    if (point <= 0) {
      return "0." + std::string(static_cast<size_t>(-point), '0') + digits;
    }
    return digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
  }

  auto TextLiteral(antlr4::tree::TerminalNode* node) -> std::string {
    const std::string raw = node->getText();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out += raw[i];
        continue;
      }
      const char c = raw[++i];
      switch (c) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '"':
        case '\\':
          out += c;
          break;
        default: {
          const Span span = SpanOf(node);
          diags_
              .Report(DiagCode::kInvalidLiteral, span, fmt::format("unknown escape `\\{}` in text", c),
                      "in this text")
              .WithHelp("the escapes are \\n, \\t, \\\" and \\\\");
          break;
        }
      }
    }
    return out;
  }

  auto DateLiteral(const antlr4::Token* token) -> std::optional<Date> {
    const std::string text = token->getText();
    auto date = Date::Parse(text);
    if (!date) {
      Diagnostic& d = diags_.Report(DiagCode::kInvalidLiteral, SpanOf(token),
                                    fmt::format("`{}` is not a valid date", text), "no such day");
      const int month = std::stoi(text.substr(5, 2));
      if (month < 1 || month > 12) {
        d.WithHelp("months run from 01 to 12");
      } else {
        const int year = std::stoi(text.substr(0, 4));
        if (year < Date::kMinYear) {
          d.WithHelp("years run from 0001 to 9999");
        } else {
          d.WithHelp(fmt::format("{:04}-{:02} has {} days", year, month,
                                 DaysInMonth(year, static_cast<uint32_t>(month))));
        }
      }
    }
    return date;
  }

  antlr4::CommonTokenStream& tokens_;
  FileId file_;
  const ByteOffsetFn& offset_;
  DiagnosticSink& diags_;
};

}  // namespace

void BuildModule(P::FileContext& tree, antlr4::CommonTokenStream& tokens, FileId file,
                 const ByteOffsetFn& offset, DiagnosticSink& diags, ast::Module& out) {
  Builder(tokens, file, offset, diags).Module(tree, out);
}

}  // namespace policy::syntax
