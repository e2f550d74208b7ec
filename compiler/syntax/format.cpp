#include "compiler/syntax/format.h"

#include <algorithm>
#include <vector>

#include "PolicyLexer.h"
#include "antlr4-runtime.h"
#include "compiler/syntax/parse.h"
#include "compiler/syntax/token_kinds.h"

namespace policy::syntax {
namespace {

using policy_grammar::PolicyLexer;

struct Tok {
  size_t type;
  std::string text;
  bool comment;  // `//` or `///`: nothing may follow it on its line
  int newlines;  // line breaks between the previous token and this one in the input
};

// Keywords that start a top-level declaration and cannot be names.
auto StartsDeclaration(size_t t) -> bool {
  return t == PolicyLexer::MODULE || t == PolicyLexer::IMPORT || t == PolicyLexer::ENUM ||
         t == PolicyLexer::RECORD || t == PolicyLexer::TYPE || t == PolicyLexer::CONST ||
         t == PolicyLexer::DEF || t == PolicyLexer::DECISION || t == PolicyLexer::TEST;
}

auto IsOpen(size_t t) -> bool {
  return t == PolicyLexer::LPAREN || t == PolicyLexer::LBRACK || t == PolicyLexer::LBRACE;
}
auto IsClose(size_t t) -> bool {
  return t == PolicyLexer::RPAREN || t == PolicyLexer::RBRACK || t == PolicyLexer::RBRACE;
}

// Binary operators: a line that starts with one continues the expression of the line above
// (`and c.programme.origin == local`) and is indented one step deeper than it.
auto IsBinaryOperator(size_t t, size_t prev) -> bool {
  switch (t) {
    case PolicyLexer::AND:
    case PolicyLexer::OR:
    case PolicyLexer::PLUS:
    case PolicyLexer::STAR:
    case PolicyLexer::SLASH:
    case PolicyLexer::PERCENT:
    case PolicyLexer::QQ:
    case PolicyLexer::EQEQ:
    case PolicyLexer::NEQ:
    case PolicyLexer::LT:
    case PolicyLexer::LE:
    case PolicyLexer::GT:
    case PolicyLexer::GE:
    case PolicyLexer::IS:
      return true;
    case PolicyLexer::MINUS:
      return EndsOperand(prev);
    default:
      return false;
  }
}

// Tokens after which a line cannot end an item: the next line continues it.
auto Dangles(size_t t) -> bool {
  switch (t) {
    case PolicyLexer::FATARROW:
    case PolicyLexer::ASSIGN:
    case PolicyLexer::ARROW:
    case PolicyLexer::COLON:
    case PolicyLexer::THEN:
    case PolicyLexer::ELSE:
    case PolicyLexer::IF:
    case PolicyLexer::WHEN:
    case PolicyLexer::NOT:
    case PolicyLexer::IN:
    case PolicyLexer::MINUS:
      return true;
    default:
      return IsBinaryOperator(t, 0);
  }
}

// Per open bracket: what it is, and the indentation of the line it was opened on.
struct Open {
  size_t type;
  bool spaced;  // `{ a: 1 }`, `match x { ... }`, blocks; sets and lists are tight: `{a, b}`
  int indent;
  int expr_indent;           // the last line inside that did not start with an operator
  int aggregate_colons = 0;  // aggregates opened at this level whose `:` is still to come
};

class Printer {
 public:
  explicit Printer(std::vector<Tok> tokens) : toks_(std::move(tokens)) {}

  auto Run() -> std::string {
    for (size_t i = 0; i < toks_.size(); ++i) {
      const Tok& t = toks_[i];
      const bool first = i == 0;
      const bool forced =
          !first && StartsDeclaration(t.type) && stack_.empty() && prev_type_ != PolicyLexer::DOT;
      const bool after_comment = !first && toks_[i - 1].comment;
      if (first || t.newlines > 0 || forced || after_comment) {
        if (!first) {
          out_ += t.newlines > 1 ? "\n\n" : "\n";
        }
        pending_comment_lines_.push_back(out_.size());
        if (!t.comment) {
          Indent(t);
        }
      } else {
        Space(t);
      }
      out_ += t.text;
      Track(i);
    }
    // Comment lines after the last code line stay at column 0.
    pending_comment_lines_.clear();
    out_ += "\n";
    return out_;
  }

 private:
  // Indentation of a code line starting with `t`; comment lines before it get the same.
  void Indent(const Tok& t) {
    int indent = 0;
    const bool op_line = IsBinaryOperator(t.type, prev_type_);
    if (!stack_.empty()) {
      const Open& top = stack_.back();
      if (IsClose(t.type)) {
        indent = top.indent;
      } else if (op_line) {
        indent = top.expr_indent + 2;
      } else {
        // The `>` closing a type (`xs: List<Int>`) ends the item; a comparison's dangles.
        indent = top.indent + (Dangles(prev_type_) && !closes_type_ ? 4 : 2);
      }
    } else if (op_line) {
      indent = expr_indent_ + 2;
    } else if (StartsDeclaration(t.type) ||
               (t.type == PolicyLexer::PARAMETER && prev_type_ != PolicyLexer::DOT)) {
      indent = 0;
      decl_ = t.type;
      clause_indent_ = 0;
      in_rule_ = false;
    } else if (IsDecisionClause(t.type)) {
      const bool rule_level = t.type == PolicyLexer::RULE || t.type == PolicyLexer::EXCEPTION ||
                              t.type == PolicyLexer::DEFAULT || t.type == PolicyLexer::VALUE;
      if (rule_level) {
        in_rule_ = t.type != PolicyLexer::DEFAULT;
        indent = 2;
      } else {
        // `when`, `then`, `source`, `effective`: inside a rule, or on the decision itself.
        indent = in_rule_ ? 4 : 2;
      }
      clause_indent_ = indent;
    } else if (prev_type_ == PolicyLexer::COLON) {
      indent = line_indent_ + 2;  // the body of `sum x in xs :` on the next line: under the aggregate
    } else {
      indent = clause_indent_ + 2;  // a continuation line
    }
    // The comment lines just before this line belong with it.
    const std::string pad(static_cast<size_t>(indent), ' ');
    for (auto it = pending_comment_lines_.rbegin(); it != pending_comment_lines_.rend(); ++it) {
      out_.insert(*it, pad);
    }
    pending_comment_lines_.clear();
    line_indent_ = indent;
    if (!op_line) {
      (stack_.empty() ? expr_indent_ : stack_.back().expr_indent) = indent;
    }
  }

  auto IsDecisionClause(size_t t) const -> bool {
    if (decl_ != PolicyLexer::DECISION && decl_ != PolicyLexer::PARAMETER) {
      return false;
    }
    if (prev_type_ == PolicyLexer::DOT) {
      return false;
    }
    switch (t) {
      case PolicyLexer::SOURCE:
      case PolicyLexer::DEFAULT:
      case PolicyLexer::EFFECTIVE:
      case PolicyLexer::RULE:
      case PolicyLexer::EXCEPTION:
      case PolicyLexer::WHEN:
      case PolicyLexer::THEN:
        return true;
      case PolicyLexer::VALUE:
        return decl_ == PolicyLexer::PARAMETER;
      default:
        return false;
    }
  }

  // The space (or none) between the previous token on this line and `t`.
  void Space(const Tok& t) {
    const size_t p = prev_type_;
    bool space = true;
    if (t.comment) {
      space = true;
    } else if (p == PolicyLexer::LPAREN || p == PolicyLexer::LBRACK || p == PolicyLexer::DOT) {
      space = false;
    } else if (t.type == PolicyLexer::RPAREN || t.type == PolicyLexer::RBRACK ||
               t.type == PolicyLexer::COMMA || t.type == PolicyLexer::DOT) {
      space = false;
    } else if (p == PolicyLexer::LBRACE) {
      space = !stack_.empty() && stack_.back().spaced;
    } else if (t.type == PolicyLexer::RBRACE) {
      space = !stack_.empty() && stack_.back().spaced;
    } else if (t.type == PolicyLexer::COLON) {
      space = !stack_.empty() ? stack_.back().aggregate_colons > 0 : top_aggregate_colons_ > 0;
    } else if (t.type == PolicyLexer::QUESTION) {
      space = p == PolicyLexer::QUESTION;  // `T? ?` must not become `??`
    } else if (p == PolicyLexer::MINUS && unary_minus_) {
      space = false;
    } else if (t.type == PolicyLexer::LPAREN) {
      // A call: `f(x)`, `some(x)`; but `import m (a, b)` lists names, and `20% (x)` must not
      // become `20%(x)`, which is the remainder `20 % (x)`.
      space = !(EndsOperand(p) || p == PolicyLexer::SOME) || p == PolicyLexer::RBRACE ||
              p == PolicyLexer::PERCENTAGE || (decl_ == PolicyLexer::IMPORT && stack_.empty());
    } else if (in_type_ && (t.type == PolicyLexer::LT || t.type == PolicyLexer::GT || p == PolicyLexer::LT)) {
      space = false;
    }
    if (space) {
      out_ += ' ';
    }
  }

  // Updates the structural state after printing token i.
  void Track(size_t i) {
    const Tok& t = toks_[i];
    if (t.comment) {
      return;  // comments do not change structure, and spacing looks through them
    }
    const size_t p = prev_type_;
    unary_minus_ = t.type == PolicyLexer::MINUS && !EndsOperand(p);
    // Types begin after `:` `->` or `type T =`, and end at the first token a type cannot hold.
    closes_type_ = false;
    if (in_type_) {
      if (t.type == PolicyLexer::LT) {
        ++angles_;
      } else if (t.type == PolicyLexer::GT && angles_ > 0) {
        --angles_;
        closes_type_ = true;
      } else if (t.type != PolicyLexer::ID && t.type != PolicyLexer::DOT && t.type != PolicyLexer::QUESTION &&
                 !(t.type == PolicyLexer::COMMA && angles_ > 0)) {
        in_type_ = false;
        angles_ = 0;
      }
    }
    // A `:` introduces a type in a parameter list, a record declaration, `const x:`, `let x:`
    // and `parameter x:`; in a record literal or an aggregate it does not.
    const bool colon_type =
        t.type == PolicyLexer::COLON && (stack_.empty() || stack_.back().type == PolicyLexer::LPAREN ||
                                         decl_ == PolicyLexer::RECORD || pp_type_ == PolicyLexer::LET);
    if (!in_type_ && (colon_type || t.type == PolicyLexer::ARROW ||
                      (t.type == PolicyLexer::ASSIGN && pp_type_ == PolicyLexer::TYPE))) {
      in_type_ = true;
    }
    if (IsOpen(t.type)) {
      const bool spaced =
          t.type == PolicyLexer::LBRACE &&
          (EndsOperand(p) || p == PolicyLexer::WITH || p == PolicyLexer::STRING || p == PolicyLexer::DATE);
      stack_.push_back({t.type, spaced, line_indent_, line_indent_});
      in_type_ = false;
    } else if (IsClose(t.type)) {
      if (!stack_.empty()) {
        stack_.pop_back();
      }
    } else if (t.type == PolicyLexer::COLON) {
      int& pending = stack_.empty() ? top_aggregate_colons_ : stack_.back().aggregate_colons;
      if (pending > 0) {
        --pending;
        in_type_ = false;  // the body of an aggregate, not a type
      }
    } else if (IsAggregateKeyword(t.type) && p != PolicyLexer::DOT && i + 2 < toks_.size() &&
               NextCode(i, 2) == PolicyLexer::IN) {
      ++(stack_.empty() ? top_aggregate_colons_ : stack_.back().aggregate_colons);
    } else if (StartsDeclaration(t.type) && stack_.empty()) {
      top_aggregate_colons_ = 0;
    }
    pp_type_ = prev_type_;
    prev_type_ = t.type;
  }

  // The type of the n-th code token after i (comments skipped), or 0.
  auto NextCode(size_t i, int n) const -> size_t {
    for (size_t j = i + 1; j < toks_.size(); ++j) {
      if (!toks_[j].comment && --n == 0) {
        return toks_[j].type;
      }
    }
    return 0;
  }

  std::vector<Tok> toks_;
  std::string out_;
  std::vector<Open> stack_;
  std::vector<size_t> pending_comment_lines_;  // starts of comment lines waiting for their indent
  size_t prev_type_ = 0;
  size_t pp_type_ = 0;
  size_t decl_ = 0;  // the keyword of the declaration being printed
  int clause_indent_ = 0;
  int line_indent_ = 0;
  int expr_indent_ = 0;  // outside brackets: the last line that did not start with an operator
  bool in_rule_ = false;
  bool in_type_ = false;
  int angles_ = 0;
  bool closes_type_ = false;  // the last token was the `>` of a generic type
  bool unary_minus_ = false;
  int top_aggregate_colons_ = 0;
};

}  // namespace

auto FormatSource(const SourceBuffer& source, FileId file, DiagnosticSink& diags)
    -> std::optional<std::string> {
  const size_t errors_before = diags.error_count();
  (void)Parse(source, file, diags);
  if (diags.error_count() > errors_before) {
    return std::nullopt;
  }
  antlr4::ANTLRInputStream input{std::string(source.text())};
  PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<Tok> toks;
  int newlines = 0;
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
    const std::string text = t->getText();
    if (t->getType() == PolicyLexer::WS) {
      newlines += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      continue;
    }
    const bool comment =
        t->getType() == PolicyLexer::LINE_COMMENT || t->getType() == PolicyLexer::DOC_COMMENT;
    std::string kept = text;
    if (comment) {
      // Trailing whitespace of a comment is not part of its meaning.
      kept.erase(kept.find_last_not_of(" \t\r\f") + 1);
    }
    toks.push_back({t->getType(), kept, comment, newlines});
    newlines = 0;
  }
  if (toks.empty()) {
    return std::string();
  }
  return Printer(std::move(toks)).Run();
}

}  // namespace policy::syntax
