#include "compiler/syntax/parse.h"

#include <fmt/format.h>

#include <algorithm>

#include "PolicyLexer.h"
#include "PolicyParser.h"
#include "antlr4-runtime.h"
#include "compiler/syntax/build.h"
#include "compiler/syntax/token_kinds.h"

namespace policy::syntax {
namespace {

using policy_grammar::PolicyLexer;
using policy_grammar::PolicyParser;

// ANTLR indexes characters as code points; diagnostics need byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(std::string_view text) {
    for (uint32_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        starts_.push_back(i);
      }
    }
    starts_.push_back(static_cast<uint32_t>(text.size()));
  }
  auto ByteAt(size_t code_point) const -> uint32_t {
    return code_point < starts_.size() ? starts_[code_point] : starts_.back();
  }

 private:
  std::vector<uint32_t> starts_;
};

auto TokenSpan(const antlr4::Token* token, FileId file, const OffsetMap& map) -> Span {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) {
    const uint32_t end = map.ByteAt(SIZE_MAX);
    const uint32_t at = token != nullptr ? map.ByteAt(token->getStartIndex()) : end;
    return {file, at, at};
  }
  return {file, map.ByteAt(token->getStartIndex()), map.ByteAt(token->getStopIndex() + 1)};
}

// What ANTLR says it expected (`{'a', 'b', DAYS, ID}` or one token) in the words of the docs:
// keywords in backticks, `days` for DAYS, "a name" for ID; at most kMaxExpected of them, then how
// many more, so the list never stops in the middle of a word.
auto ReadableExpected(std::string_view raw) -> std::string {
  constexpr size_t kMaxExpected = 12;
  if (raw.size() >= 2 && raw.front() == '{' && raw.back() == '}') {
    raw = raw.substr(1, raw.size() - 2);
  }
  std::vector<std::string> items;
  for (size_t start = 0; start <= raw.size();) {
    size_t end = raw.find(", ", start);
    if (end == std::string_view::npos) {
      end = raw.size();
    }
    std::string item(raw.substr(start, end - start));
    if (item.size() >= 2 && item.front() == '\'' && item.back() == '\'') {
      item = "`" + item.substr(1, item.size() - 2) + "`";
    } else if (item == "<EOF>") {
      item = "end of file";
    } else if (item == "ID") {
      item = "a name";
    } else if (item == "INT" || item == "DECIMAL" || item == "PERCENTAGE") {
      item = item == "INT" ? "a whole number" : item == "DECIMAL" ? "a decimal number" : "a percentage";
    } else if (item == "STRING") {
      item = "a text in quotes";
    } else if (item == "DATE") {
      item = "a date";
    } else if (item == "DAYS" || item == "WEEKS" || item == "MONTHS" || item == "YEARS") {
      std::transform(item.begin(), item.end(), item.begin(),
                     [](char c) { return static_cast<char>(c - 'A' + 'a'); });
      item = "`" + item + "`";
    }
    if (!item.empty() && std::find(items.begin(), items.end(), item) == items.end()) {
      items.push_back(std::move(item));
    }
    start = end + 2;
  }
  // Where a name may stand, the soft keywords are listed only because they are names too
  // (docs/language.md, "Keywords"): "a name" says it, and the list keeps the words that matter.
  // What the user can type in general (a name, a number, ...) comes first.
  if (std::find(items.begin(), items.end(), "a name") != items.end()) {
    static constexpr std::string_view kSoft[] = {
        "`source`", "`effective`", "`from`",      "`until`", "`to`",         "`of`",   "`all`",  "`any`",
        "`count`",  "`sum`",       "`min`",       "`max`",   "`filter`",     "`map`",  "`days`", "`weeks`",
        "`months`", "`years`",     "`parameter`", "`value`", "`applicable`", "`fixed`"};
    items.erase(std::remove_if(items.begin(), items.end(),
                               [](const std::string& item) {
                                 return std::find(std::begin(kSoft), std::end(kSoft), item) !=
                                        std::end(kSoft);
                               }),
                items.end());
  }
  std::stable_partition(items.begin(), items.end(), [](const std::string& item) { return item[0] != '`'; });
  std::string out;
  for (size_t i = 0; i < items.size() && i < kMaxExpected; ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > kMaxExpected) {
    out += fmt::format(", and {} more", items.size() - kMaxExpected);
  }
  return items.size() > 1 ? "one of " + out : out;
}

// Turns ANTLR's messages ("mismatched input 'x' expecting {'a', 'b'}") into ours: what was found
// as the message, what was expected as the help.
class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(FileId file, const OffsetMap& map, antlr4::CommonTokenStream& tokens,
                      DiagnosticSink& diags)
      : file_(file), map_(map), tokens_(tokens), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* /*recognizer*/, antlr4::Token* offending, size_t /*line*/,
                   size_t /*column*/, const std::string& msg, std::exception_ptr /*e*/) override {
    // After an error the parser resynchronises; what it reports next on the same line, or at
    // the end of the file, is almost always a consequence of the first mistake. Report it only
    // when nothing was reported before.
    const bool at_eof = offending == nullptr || offending->getType() == antlr4::Token::EOF;
    const size_t line = offending != nullptr ? offending->getLine() : 0;
    if (count_ > 0 && (at_eof || line == last_line_)) {
      return;
    }
    ++count_;
    last_line_ = line;
    if (count_ > kMaxErrors) {
      return;
    }
    const Span span = TokenSpan(offending, file_, map_);
    std::string found = offending == nullptr || offending->getType() == antlr4::Token::EOF
                            ? "end of file"
                            : fmt::format("`{}`", offending->getText());
    std::string expected;
    if (const size_t at = msg.find("expecting "); at != std::string::npos) {
      expected = msg.substr(at + 10);
    } else if (msg.rfind("missing ", 0) == 0) {
      const size_t at_pos = msg.find(" at ");
      expected = msg.substr(8, at_pos == std::string::npos ? std::string::npos : at_pos - 8);
    }
    expected = expected.empty() ? expected : ReadableExpected(expected);
    Diagnostic& d = diags_.Report(DiagCode::kSyntaxError, span, "unexpected " + found,
                                  expected.empty() ? "" : "not expected here");
    if (offending != nullptr && PreviousCodeToken(*offending) == PolicyLexer::PERCENT) {
      // `20 %` or `rate%` at the end of an expression: meant as a percentage, read as `a % b`.
      d.WithHelp(
          "the `%` before this is the remainder operator `a % b` and needs a right operand; "
          "a percentage is a number with `%` right after it, as in `20%`");
    } else if (!expected.empty()) {
      d.WithHelp("expected " + expected);
    }
  }

  auto count() const -> int { return count_; }

 private:
  // The type of the last token before `t` that the parser sees (not whitespace or a comment).
  auto PreviousCodeToken(const antlr4::Token& t) -> size_t {
    for (size_t i = t.getTokenIndex(); i-- > 0;) {
      const antlr4::Token* p = tokens_.get(i);
      if (p->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
        return p->getType();
      }
    }
    return antlr4::Token::INVALID_TYPE;
  }

  static constexpr int kMaxErrors = 50;
  FileId file_;
  const OffsetMap& map_;
  antlr4::CommonTokenStream& tokens_;
  DiagnosticSink& diags_;
  int count_ = 0;
  size_t last_line_ = 0;
};

// Prefix keywords that open a nesting level with no closing token (`-` and the aggregates are
// handled separately: they are prefixes only in some positions). Counting them bounds recursion
// in the parser and every later pass.
auto IsPrefixOpener(size_t type) -> bool {
  switch (type) {
    case PolicyLexer::NOT:
    case PolicyLexer::IF:
    case PolicyLexer::MATCH:
      return true;
    default:
      return false;
  }
}

auto IsClauseKeyword(size_t type) -> bool {
  switch (type) {
    case PolicyLexer::MODULE:
    case PolicyLexer::IMPORT:
    case PolicyLexer::ENUM:
    case PolicyLexer::RECORD:
    case PolicyLexer::TYPE:
    case PolicyLexer::CONST:
    case PolicyLexer::DEF:
    case PolicyLexer::DECISION:
    case PolicyLexer::DEFAULT:
    case PolicyLexer::RULE:
    case PolicyLexer::EXCEPTION:
    case PolicyLexer::WHEN:
    case PolicyLexer::TEST:
    case PolicyLexer::EXPECT:
    case PolicyLexer::LET:
      return true;
    default:
      return false;
  }
}

// Reports lexical problems and excessive nesting. Returns false when parsing must not start.
auto ScanTokens(const std::vector<antlr4::Token*>& all, FileId file, const OffsetMap& map,
                DiagnosticSink& diags, const ParseLimits& limits) -> bool {
  bool ok = true;
  std::vector<const antlr4::Token*> tokens;
  for (size_t i = 0; i < all.size(); ++i) {
    const antlr4::Token* t = all[i];
    const size_t type = t->getType();
    if (type == PolicyLexer::ERROR_CHAR) {
      diags
          .Report(DiagCode::kUnexpectedCharacter, TokenSpan(t, file, map),
                  fmt::format("unexpected character `{}`", t->getText()), "not part of the language")
          .WithHelp("text belongs in double quotes: \"...\"");
      ok = false;
    } else if (type == PolicyLexer::UNTERMINATED_STRING) {
      diags
          .Report(DiagCode::kUnterminatedString, TokenSpan(t, file, map), "text literal has no closing quote",
                  "starts here")
          .WithHelp("add a `\"` before the end of the line");
      ok = false;
    } else if (type == PolicyLexer::PERCENTAGE && i + 1 < all.size() &&
               all[i + 1]->getType() == PolicyLexer::MINUS) {
      // `20%-5`: twenty percent minus five, or 20 modulo -5? (The lexer took the `%` for a percent
      // sign because `-` can also be a binary operator; see PERCENTAGE in the grammar.)
      const std::string percentage = t->getText();
      const std::string number = percentage.substr(0, percentage.size() - 1);
      const Span span = {file, TokenSpan(t, file, map).begin, TokenSpan(all[i + 1], file, map).end};
      diags
          .Report(DiagCode::kSyntaxError, span, fmt::format("`{}-` is ambiguous", percentage),
                  "a percentage minus something, or a remainder?")
          .WithHelp(
              fmt::format("write `{} - x` to subtract from the percentage, or `{} % -x` for the remainder",
                          percentage, number));
      ok = false;
    }
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      tokens.push_back(t);
    }
  }
  // Depth = open brackets + prefix operators still in scope + open `<` of a generic type. A
  // prefix operator's operand cannot extend past a `,` or the closing bracket of its own level,
  // so each level keeps its own count. `<` is a bracket only inside a type (`List<List<Int>>`),
  // which starts after `:`, `->` or `type T =` and ends at the first token a type cannot hold.
  std::vector<int> level_prefixes = {0};
  int brackets = 0;
  int prefixes = 0;
  int angles = 0;
  bool in_type = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const size_t type = tokens[i]->getType();
    const size_t prev = i > 0 ? tokens[i - 1]->getType() : 0;
    if (in_type) {
      if (type == PolicyLexer::LT) {
        ++angles;
      } else if (type == PolicyLexer::GT && angles > 0) {
        --angles;
      } else if (type != PolicyLexer::ID && type != PolicyLexer::DOT && type != PolicyLexer::QUESTION &&
                 !(type == PolicyLexer::COMMA && angles > 0)) {
        in_type = false;
        angles = 0;
      }
    }
    if (!in_type &&
        (type == PolicyLexer::COLON || type == PolicyLexer::ARROW ||
         (type == PolicyLexer::ASSIGN && i >= 2 && tokens[i - 2]->getType() == PolicyLexer::TYPE))) {
      in_type = true;
    }
    if (in_type) {
      // Inside a type only `<` nests; checked below with the rest.
    } else if (type == PolicyLexer::LPAREN || type == PolicyLexer::LBRACE || type == PolicyLexer::LBRACK) {
      ++brackets;
      level_prefixes.push_back(0);
    } else if (type == PolicyLexer::RPAREN || type == PolicyLexer::RBRACE || type == PolicyLexer::RBRACK) {
      if (level_prefixes.size() > 1) {
        prefixes -= level_prefixes.back();
        level_prefixes.pop_back();
        --brackets;
      }
    } else if (type == PolicyLexer::COMMA) {
      prefixes -= level_prefixes.back();
      level_prefixes.back() = 0;
    } else if (IsClauseKeyword(type)) {
      // A new clause ends every prefix operator; brackets stay counted (unbalanced ones are a
      // syntax error, and the parser would still recurse into them).
      prefixes = 0;
      std::fill(level_prefixes.begin(), level_prefixes.end(), 0);
    } else {
      bool opens = false;
      if (type == PolicyLexer::MINUS) {
        opens = i == 0 || !EndsOperand(prev);
      } else if (IsAggregateKeyword(type)) {
        // `count x in xs : ...` opens a level; `count` used as a field name does not.
        opens =
            i + 2 < tokens.size() && tokens[i + 2]->getType() == PolicyLexer::IN && prev != PolicyLexer::DOT;
      } else {
        opens = IsPrefixOpener(type);
      }
      if (opens) {
        ++prefixes;
        ++level_prefixes.back();
      }
    }
    if (brackets + prefixes + angles > limits.max_nesting) {
      diags
          .Report(DiagCode::kTooDeeplyNested, TokenSpan(tokens[i], file, map),
                  fmt::format("expression nested more than {} levels deep", limits.max_nesting),
                  "too deep here")
          .WithHelp("split the expression into named functions (`def`)");
      return false;
    }
  }
  return ok;
}

// The depth of the parse tree, walked with an explicit stack. The token scan bounds brackets
// and prefixes, but a chain of binary or postfix operators (`1 + 1 + ... + 1`, `Int???`) is
// parsed by a loop and still yields a tree as deep as the chain is long, which every later pass
// would recurse through. Returns the first node deeper than `limit`, or null.
auto FindTooDeep(antlr4::tree::ParseTree* root, int limit) -> antlr4::ParserRuleContext* {
  std::vector<std::pair<antlr4::tree::ParseTree*, int>> stack = {{root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > limit) {
      return dynamic_cast<antlr4::ParserRuleContext*>(node);
    }
    for (antlr4::tree::ParseTree* child : node->children) {
      if (dynamic_cast<antlr4::ParserRuleContext*>(child) != nullptr) {
        stack.emplace_back(child, depth + 1);
      }
    }
  }
  return nullptr;
}

}  // namespace

auto Parse(const SourceBuffer& source, FileId file, DiagnosticSink& diags, const ParseLimits& limits)
    -> ast::Module {
  ast::Module module;
  module.file = file;
  const std::string_view text = source.text();
  if (text.size() > limits.max_source_bytes) {
    diags.Report(
        DiagCode::kFileTooLarge, Span{file, 0, 0},
        fmt::format("file is {} bytes; the limit is {} bytes", text.size(), limits.max_source_bytes));
    module.has_syntax_errors = true;
    return module;
  }
  if (const size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    diags
        .Report(DiagCode::kInvalidUtf8,
                Span{file, static_cast<uint32_t>(bad), static_cast<uint32_t>(bad + 1)},
                "file is not valid UTF-8", "invalid byte sequence starts here")
        .WithHelp("save the file as UTF-8");
    module.has_syntax_errors = true;
    return module;
  }

  const OffsetMap map(text);
  antlr4::ANTLRInputStream input{std::string(text)};
  PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (!ScanTokens(tokens.getTokens(), file, map, diags, limits)) {
    module.has_syntax_errors = true;
    return module;
  }

  PolicyParser parser(&tokens);
  parser.removeErrorListeners();
  SyntaxErrorListener listener(file, map, tokens, diags);
  parser.addErrorListener(&listener);
  PolicyParser::FileContext* tree = parser.file();
  if (listener.count() > 0) {
    module.has_syntax_errors = true;
    // Keep the module's name when its header parsed, so importers do not report it missing.
    if (tree->moduleHeader() != nullptr && tree->moduleHeader()->qualifiedName() != nullptr &&
        tree->moduleHeader()->qualifiedName()->exception == nullptr) {
      for (auto* n : tree->moduleHeader()->qualifiedName()->name()) {
        module.path.push_back(n->getText());
      }
    }
    return module;
  }
  if (antlr4::ParserRuleContext* deep = FindTooDeep(tree, limits.max_tree_depth)) {
    diags
        .Report(DiagCode::kTooDeeplyNested, TokenSpan(deep->getStart(), file, map),
                fmt::format("expression is more than {} operations deep", limits.max_tree_depth),
                "too deep from here")
        .WithHelp("split the expression into named functions (`def`) or constants");
    module.has_syntax_errors = true;
    return module;
  }
  BuildModule(
      *tree, tokens, file, [&](size_t cp) { return map.ByteAt(cp); }, diags, module);
  return module;
}

}  // namespace policy::syntax
