#include "compiler/syntax/print_ast.h"

#include <fmt/format.h>

namespace policy::syntax {
namespace {

// A string as a policy text literal would write it, so that a dump line stays one line.
auto Quote(std::string_view text) -> std::string {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

auto TypeText(const ast::TypeRef& t) -> std::string {
  switch (t.kind) {
    case ast::TypeRef::Kind::kNamed:
      return ast::JoinPath(t.path);
    case ast::TypeRef::Kind::kOptional:
      return (t.arg ? TypeText(*t.arg) : std::string("?")) + "?";
    case ast::TypeRef::Kind::kGeneric:
      return fmt::format("{}<{}>", ast::JoinPath(t.path), t.arg ? TypeText(*t.arg) : std::string("?"));
  }
  return "?";
}

auto ParamsText(const std::vector<ast::Param>& params) -> std::string {
  std::string out;
  for (const ast::Param& p : params) {
    out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", p.name.text, TypeText(p.type));
  }
  return out;
}

auto EffectiveText(const std::optional<Date>& from, const std::optional<Date>& until) -> std::string {
  std::string out = "effective";
  if (from) {
    out += " from " + from->ToString();
  }
  if (until) {
    out += " until " + until->ToString();
  }
  return out;
}

auto PatternText(const ast::Pattern& p) -> std::string {
  switch (p.kind) {
    case ast::Pattern::Kind::kNone:
      return "none";
    case ast::Pattern::Kind::kSome:
      return fmt::format("some({})", p.name);
    case ast::Pattern::Kind::kName:
      return p.name;
    case ast::Pattern::Kind::kWildcard:
      return "_";
  }
  return "?";
}

class Printer {
 public:
  explicit Printer(const SourceBuffer& source) : source_(source) {}

  auto Module(const ast::Module& m) -> std::string {
    Line(0,
         fmt::format("module {} in {}{}", m.QualifiedName(), source_.path(),
                     m.has_syntax_errors ? " (syntax errors: declarations dropped)" : ""),
         m.path_span);
    for (const ast::Import& i : m.imports) {
      std::string text = "import " + ast::JoinPath(i.path);
      if (i.alias) {
        text += " as " + i.alias->text;
      }
      for (size_t n = 0; n < i.names.size(); ++n) {
        text +=
            fmt::format("{}{}{}", n == 0 ? " (" : ", ", i.names[n].text, n + 1 == i.names.size() ? ")" : "");
      }
      Line(1, text, i.span);
    }
    for (const ast::EnumDecl& e : m.enums) {
      Line(1, "enum " + e.name.text, e.name.span);
      Doc(2, e.doc);
      for (size_t v = 0; v < e.variants.size(); ++v) {
        const std::string& json = v < e.json_names.size() ? e.json_names[v] : std::string();
        Line(2,
             fmt::format("variant {}{}{}", e.variants[v].text, json.empty() ? "" : " ",
                         json.empty() ? "" : Quote(json)),
             e.variants[v].span);
      }
    }
    for (const ast::RecordDecl& r : m.records) {
      Line(1, "record " + r.name.text, r.name.span);
      Doc(2, r.doc);
      for (const ast::FieldDecl& f : r.fields) {
        Line(2,
             fmt::format("field {}{}{}: {}", f.fixed ? "fixed " : "", f.name.text, f.may_be_absent ? "?" : "",
                         TypeText(f.type)),
             f.name.span);
        Doc(3, f.doc);
      }
    }
    for (const ast::AliasDecl& a : m.aliases) {
      Line(1, fmt::format("type {} = {}", a.name.text, TypeText(a.type)), a.name.span);
      Doc(2, a.doc);
    }
    for (const ast::ConstDecl& c : m.consts) {
      Line(1, fmt::format("const {}{}", c.name.text, c.type ? ": " + TypeText(*c.type) : std::string()),
           c.name.span);
      Doc(2, c.doc);
      Expr(2, c.value.get());
    }
    for (const ast::FunctionDecl& f : m.functions) {
      Line(1, fmt::format("function {}({}) -> {}", f.name.text, ParamsText(f.params), TypeText(f.result)),
           f.name.span);
      Doc(2, f.doc);
      Expr(2, f.body.get());
    }
    for (const ast::DecisionDecl& d : m.decisions) {
      Decision(d);
    }
    for (const ast::TestDecl& t : m.tests) {
      Test(t);
    }
    return std::move(out_);
  }

 private:
  void Line(int depth, std::string_view text, Span span) {
    out_.append(static_cast<size_t>(depth) * 2, ' ');
    out_ += text;
    if (span.valid()) {
      const LineCol b = source_.LineColAt(span.begin);
      const LineCol e = source_.LineColAt(span.end);
      out_ += fmt::format("  {}:{}-{}:{}", b.line, b.column, e.line, e.column);
    }
    out_ += '\n';
  }

  void Doc(int depth, const ast::Doc& doc) {
    if (!doc.text.empty()) {
      Line(depth, "doc " + Quote(doc.text), Span{});
    }
  }

  // What decisions and rules both carry: the doc comment, the citation, the effective period.
  template <typename Decl>
  void Annotations(int depth, const Decl& decl) {
    Doc(depth, decl.doc);
    if (decl.source) {
      Line(depth, "source " + Quote(decl.source->text), decl.source->span);
    }
    if (decl.effective_span.valid()) {
      Line(depth, EffectiveText(decl.effective_from, decl.effective_until), decl.effective_span);
    }
  }

  void Decision(const ast::DecisionDecl& d) {
    if (d.is_parameter) {
      Line(1, fmt::format("parameter {}: {}", d.name.text, TypeText(d.result)), d.span);
    } else {
      Line(1, fmt::format("decision {}({}) -> {}", d.name.text, ParamsText(d.params), TypeText(d.result)),
           d.span);
    }
    Annotations(2, d);
    if (d.default_value) {
      Line(2, "default", d.default_span);
      Expr(3, d.default_value.get());
    }
    for (const ast::RuleDecl& r : d.rules) {
      std::string head = (r.is_exception ? "exception " : "rule ") + r.name.text;
      for (size_t t = 0; t < r.targets.size(); ++t) {
        head += (t == 0 ? " to " : ", ") + r.targets[t].text;
      }
      Line(2, head, r.span);
      Annotations(3, r);
      if (r.when) {
        Line(3, "when", Span{});
        Expr(4, r.when.get());
      }
      Line(3, "then", Span{});
      Expr(4, r.then.get());
    }
  }

  void Test(const ast::TestDecl& t) {
    Line(1, "test " + Quote(t.name) + (t.as_of ? " as of " + t.as_of->ToString() : std::string()), t.span);
    for (const ast::TestStmt& s : t.stmts) {
      if (s.is_let) {
        Line(2, fmt::format("let {}{}", s.name.text, s.type ? ": " + TypeText(*s.type) : std::string()),
             s.span);
      } else {
        Line(2, s.expect_not_applicable ? "expect not applicable" : "expect", s.span);
      }
      Expr(3, s.expr.get());
    }
  }

  void Expr(int depth, const ast::Expr* e) {
    if (e == nullptr) {
      Line(depth, "(missing)", Span{});
      return;
    }
    Line(depth, ExprHead(*e), e->span);
    switch (e->kind) {
      case ast::ExprKind::kWith:
        // kids[0] with { paths[i] = kids[i + 1] }
        Expr(depth + 1, e->kids.empty() ? nullptr : e->kids[0].get());
        for (size_t i = 0; i < e->paths.size() && i + 1 < e->kids.size(); ++i) {
          Line(depth + 1, "set " + ast::JoinPath(e->paths[i]),
               i < e->name_spans.size() ? e->name_spans[i] : Span{});
          Expr(depth + 2, e->kids[i + 1].get());
        }
        return;
      case ast::ExprKind::kRecordLit:
        for (size_t i = 0; i < e->kids.size(); ++i) {
          Line(depth + 1, "field " + (i < e->names.size() ? e->names[i] : std::string("?")),
               i < e->name_spans.size() ? e->name_spans[i] : Span{});
          Expr(depth + 2, e->kids[i].get());
        }
        return;
      case ast::ExprKind::kMatch:
        Expr(depth + 1, e->kids.empty() ? nullptr : e->kids[0].get());
        for (const ast::MatchArm& arm : e->arms) {
          std::string patterns;
          for (const ast::Pattern& p : arm.patterns) {
            patterns += (patterns.empty() ? "" : " | ") + PatternText(p);
          }
          Line(depth + 1, "arm " + patterns, arm.span);
          Expr(depth + 2, arm.body.get());
        }
        return;
      default:
        for (const ast::ExprPtr& k : e->kids) {
          Expr(depth + 1, k.get());
        }
    }
  }

  static auto ExprHead(const ast::Expr& e) -> std::string {
    switch (e.kind) {
      case ast::ExprKind::kError:
        return "Error";
      case ast::ExprKind::kIntLit:
        return fmt::format("IntLit {}", e.int_value);
      case ast::ExprKind::kDecimalLit:
        return "DecimalLit " + e.decimal_value.ToString() + (e.text.empty() ? "" : " (" + e.text + ")");
      case ast::ExprKind::kTextLit:
        return "TextLit " + Quote(e.text);
      case ast::ExprKind::kDateLit:
        return "DateLit " + e.date_value.ToString();
      case ast::ExprKind::kBoolLit:
        return e.int_value != 0 ? "BoolLit true" : "BoolLit false";
      case ast::ExprKind::kNoneLit:
        return "NoneLit";
      case ast::ExprKind::kSome:
        return "Some";
      case ast::ExprKind::kName:
        return "Name " + e.text;
      case ast::ExprKind::kField:
        return "Field " + e.text;
      case ast::ExprKind::kCall:
        return "Call";
      case ast::ExprKind::kWith:
        return "With";
      case ast::ExprKind::kDuration:
        return fmt::format("Duration {}", UnitName(e.unit, true));
      case ast::ExprKind::kAsOfDate:
        return "AsOf";
      case ast::ExprKind::kNeg:
        return "Neg";
      case ast::ExprKind::kNot:
        return "Not";
      case ast::ExprKind::kBinary:
        return fmt::format("Binary {}", ast::BinOpText(e.op));
      case ast::ExprKind::kIn:
        return e.negated ? "In not" : "In";
      case ast::ExprKind::kIs:
        return fmt::format("Is {}{}", e.negated ? "not " : "", e.is_some ? "some" : "none");
      case ast::ExprKind::kIf:
        return "If";
      case ast::ExprKind::kAggregate:
        return fmt::format("Aggregate {} {}", ast::AggText(e.agg), e.text);
      case ast::ExprKind::kRecordLit:
        return "RecordLit " + e.text;
      case ast::ExprKind::kListLit:
        return "ListLit";
      case ast::ExprKind::kSetLit:
        return "SetLit";
      case ast::ExprKind::kMatch:
        return "Match";
    }
    return "?";
  }

  const SourceBuffer& source_;
  std::string out_;
};

}  // namespace

auto PrintAst(const ast::Module& module, const SourceManager& sources) -> std::string {
  return Printer(sources.Get(module.file)).Module(module);
}

}  // namespace policy::syntax
