// The parser: what it accepts, and that bad input becomes diagnostics with exact spans.
#include <gtest/gtest.h>

#include "compiler/syntax/parse.h"

namespace policy {
namespace {

struct Parsed {
  SourceManager sources;
  DiagnosticSink diags;
  ast::Module module;
};

auto ParseText(const std::string& text, syntax::ParseLimits limits = {}) -> std::unique_ptr<Parsed> {
  auto p = std::make_unique<Parsed>();
  const FileId id = p->sources.Add("t.policy", text);
  p->module = syntax::Parse(p->sources.Get(id), id, p->diags, limits);
  return p;
}

auto Underlined(const Parsed& p, const Diagnostic& d) -> std::string {
  return std::string(p.sources.Get(d.primary.file).Slice(d.primary));
}

TEST(ParseTest, BuildsDeclarationsWithSpansAndDocs) {
  const auto p = ParseText(
      "module a.b\n"
      "import c.d (X)\n"
      "/// Levels.\n"
      "enum Level { low, high }\n"
      "decision d(x: Int) -> Bool\n"
      "  default false\n"
      "  rule r source \"Q1\" effective from 2014-03-17 when x > 1 then true\n"
      "  exception e to r when x > 5 then false\n");
  ASSERT_FALSE(p->diags.has_errors())
      << RenderDiagnostics(p->diags.diagnostics(), p->sources, DiagFormat::kShort);
  EXPECT_EQ(p->module.QualifiedName(), "a.b");
  ASSERT_EQ(p->module.enums.size(), 1U);
  EXPECT_EQ(p->module.enums[0].doc.text, "Levels.");
  ASSERT_EQ(p->module.decisions.size(), 1U);
  const auto& d = p->module.decisions[0];
  ASSERT_EQ(d.rules.size(), 2U);
  EXPECT_EQ(d.rules[0].source->text, "Q1");
  EXPECT_EQ(d.rules[0].effective_from->ToString(), "2014-03-17");
  EXPECT_TRUE(d.rules[1].is_exception);
  EXPECT_EQ(d.rules[1].targets[0].text, "r");
  EXPECT_EQ(p->sources.Get(0).Slice(d.rules[0].name.span), "r");
}

TEST(ParseTest, UnicodeIdentifiersAndText) {
  const auto p = ParseText("module 报销\nconst 部门: Text = \"财务部\"\n");
  ASSERT_FALSE(p->diags.has_errors());
  EXPECT_EQ(p->module.consts[0].name.text, "部门");
  EXPECT_EQ(p->module.consts[0].value->text, "财务部");
}

TEST(ParseTest, SyntaxErrorPointsAtTheOffendingToken) {
  const auto p = ParseText("module m\ndecision d() -> Bool\n  rule r when then true\n");
  ASSERT_EQ(p->diags.error_count(), 1U);
  const Diagnostic& d = p->diags.diagnostics()[0];
  EXPECT_EQ(d.code, DiagCode::kSyntaxError);
  EXPECT_EQ(Underlined(*p, d), "then");
  EXPECT_EQ(p->sources.Get(0).LineColAt(d.primary.begin).line, 3U);
  EXPECT_EQ(p->sources.Get(0).LineColAt(d.primary.begin).column, 15U);
  EXPECT_TRUE(p->module.has_syntax_errors);
}

TEST(ParseTest, ReportsEverySyntaxErrorNotOnlyTheFirst) {
  const auto p = ParseText("module m\nconst a = (1 +\nconst b = 2 +\nconst c = 3\n");
  EXPECT_GE(p->diags.error_count(), 2U);
}

TEST(ParseTest, InvalidUtf8IsAnErrorNotACrash) {
  const auto p = ParseText(std::string("module m\nconst a: Text = \"\xff\xfe\"\n"));
  ASSERT_EQ(p->diags.error_count(), 1U);
  const Diagnostic& d = p->diags.diagnostics()[0];
  EXPECT_EQ(d.code, DiagCode::kInvalidUtf8);
  EXPECT_EQ(p->sources.Get(0).LineColAt(d.primary.begin).line, 2U);
  EXPECT_EQ(p->sources.Get(0).LineColAt(d.primary.begin).column, 18U);
}

TEST(ParseTest, DeepNestingIsRejectedBeforeTheParserRecurses) {
  const std::string deep =
      "module m\nconst a = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n";
  const auto p = ParseText(deep);
  ASSERT_EQ(p->diags.error_count(), 1U);
  EXPECT_EQ(p->diags.diagnostics()[0].code, DiagCode::kTooDeeplyNested);
  const std::string nots = "module m\nconst a = " + [] {
    std::string s;
    for (int i = 0; i < 50000; ++i) {
      s += "not ";
    }
    return s;
  }() + "true\n";
  const auto q = ParseText(nots);
  ASSERT_EQ(q->diags.error_count(), 1U);
  EXPECT_EQ(q->diags.diagnostics()[0].code, DiagCode::kTooDeeplyNested);
}

TEST(ParseTest, NestingAtTheLimitIsAccepted) {
  syntax::ParseLimits limits;
  const int depth = limits.max_nesting;
  const std::string text = "module m\nconst a = " + std::string(static_cast<size_t>(depth), '(') + "1" +
                           std::string(static_cast<size_t>(depth), ')') + "\n";
  EXPECT_FALSE(ParseText(text)->diags.has_errors());
  const std::string over = "module m\nconst a = " + std::string(static_cast<size_t>(depth + 1), '(') + "1" +
                           std::string(static_cast<size_t>(depth + 1), ')') + "\n";
  EXPECT_TRUE(ParseText(over)->diags.has_errors());
}

TEST(ParseTest, LexicalErrors) {
  const auto p = ParseText("module m\nconst a: Text = \"open\nconst b = 1 # 2\n");
  ASSERT_EQ(p->diags.error_count(), 2U);
  EXPECT_EQ(p->diags.diagnostics()[0].code, DiagCode::kUnterminatedString);
  EXPECT_EQ(p->diags.diagnostics()[1].code, DiagCode::kUnexpectedCharacter);
  EXPECT_EQ(Underlined(*p, p->diags.diagnostics()[1]), "#");
}

TEST(ParseTest, InvalidDateLiteral) {
  const auto p = ParseText("module m\nconst a = 2023-02-29\n");
  ASSERT_EQ(p->diags.error_count(), 1U);
  EXPECT_EQ(p->diags.diagnostics()[0].code, DiagCode::kInvalidLiteral);
  EXPECT_EQ(Underlined(*p, p->diags.diagnostics()[0]), "2023-02-29");
  EXPECT_EQ(p->diags.diagnostics()[0].help[0], "2023-02 has 28 days");
}

TEST(ParseTest, FlatListsOfNegativeNumbersAreNotNesting) {
  std::string items;
  for (int i = 0; i < 1000; ++i) {
    items += i == 0 ? "-1" : ", -1";
  }
  EXPECT_FALSE(ParseText("module m\nconst xs: List<Int> = [" + items + "]\nconst y = 1 - 2 - 3 - 4\n")
                   ->diags.has_errors());
}

TEST(ParseTest, CombiningMarksInIdentifiers) {
  const auto p = ParseText("module m\nconst \u0928\u093E\u092E = 1\nconst cafe\u0301 = 2\n");
  EXPECT_FALSE(p->diags.has_errors())
      << RenderDiagnostics(p->diags.diagnostics(), p->sources, DiagFormat::kShort);
}

TEST(ParseTest, ASecondWhenOrDefaultIsAnError) {
  const auto p = ParseText(
      "module m\ndecision d() -> Int\n  default 1\n  default 2\n  rule r when true when false then 3\n");
  ASSERT_EQ(p->diags.error_count(), 2U);
  EXPECT_EQ(p->diags.diagnostics()[0].message, "decision `d` has a second `default`");
  EXPECT_EQ(p->diags.diagnostics()[1].message, "rule `r` has a second `when` clause");
}

TEST(ParseTest, FileSizeLimit) {
  syntax::ParseLimits limits;
  limits.max_source_bytes = 10;
  const auto p = ParseText("module abcdefghijkl\n", limits);
  ASSERT_EQ(p->diags.error_count(), 1U);
  EXPECT_EQ(p->diags.diagnostics()[0].code, DiagCode::kFileTooLarge);
}

// A percentage is the Decimal with the point moved two places: exact, whatever the digits.
TEST(ParseTest, PercentLiteralsAreExactDecimals) {
  const std::pair<const char*, const char*> cases[] = {
      {"20%", "0.2"},       {"12.5%", "0.125"},      {"0.5%", "0.005"},
      {"100%", "1"},        {"5%", "0.05"},          {"0%", "0"},
      {"250%", "2.5"},      {"1234.5%", "12.345"},   {"007%", "0.07"},
      {"33.33%", "0.3333"}, {"0.0001%", "0.000001"}, {"0.0000000000000001%", "0.000000000000000001"},
  };
  for (const auto& [written, value] : cases) {
    const auto p = ParseText(std::string("module m\nconst a = ") + written + "\n");
    ASSERT_FALSE(p->diags.has_errors())
        << written << RenderDiagnostics(p->diags.diagnostics(), p->sources, DiagFormat::kShort);
    const ast::Expr& e = *p->module.consts[0].value;
    ASSERT_EQ(e.kind, ast::ExprKind::kDecimalLit) << written;
    EXPECT_TRUE(e.decimal_value == *Decimal::Parse(value)) << written << " is " << e.decimal_value.ToString();
    EXPECT_EQ(e.text, written);
    EXPECT_EQ(p->sources.Get(0).Slice(e.span), written);
  }
  // A plain decimal literal is not marked as a percentage.
  EXPECT_EQ(ParseText("module m\nconst a = 0.2\n")->module.consts[0].value->text, "");
}

// `%` right after a number is a percent sign unless an operand follows at once; otherwise, and
// always after a space or a name, it is the remainder.
TEST(ParseTest, PercentSignOrRemainder) {
  auto kind_of = [](const std::string& expr) -> std::string {
    const auto p = ParseText("module m\nconst a = " + expr + "\n");
    if (p->diags.has_errors()) {
      return "error " + RenderDiagnostics(p->diags.diagnostics(), p->sources, DiagFormat::kShort);
    }
    const ast::Expr& e = *p->module.consts[0].value;
    if (e.kind == ast::ExprKind::kDecimalLit) {
      return "percentage " + e.decimal_value.ToString();
    }
    if (e.kind == ast::ExprKind::kBinary) {
      const ast::Expr& left = *e.kids[0];
      const bool percentage = left.kind == ast::ExprKind::kDecimalLit && !left.text.empty();
      return std::string(ast::BinOpText(e.op)) + (percentage ? " of a percentage" : "");
    }
    return "other";
  };
  EXPECT_EQ(kind_of("20%"), "percentage 0.2");
  EXPECT_EQ(kind_of("(20%)"), "percentage 0.2");
  EXPECT_EQ(kind_of("20 % 7"), "%");
  EXPECT_EQ(kind_of("20%7"), "%");
  EXPECT_EQ(kind_of("20%x"), "%");
  EXPECT_EQ(kind_of("20%_x"), "%");
  EXPECT_EQ(kind_of("20%(7)"), "%");
  EXPECT_EQ(kind_of("20%[7]"), "%");
  EXPECT_EQ(kind_of("20%{7}"), "%");
  EXPECT_EQ(kind_of("20%\"x\""), "%");
  EXPECT_EQ(kind_of("20%申"), "%");  // a letter of any script starts a name
  EXPECT_EQ(kind_of("x%y"), "%");
  EXPECT_EQ(kind_of("x % 20%"), "%");
  EXPECT_EQ(kind_of("2.5 % 2"), "%");
  EXPECT_EQ(kind_of("20% * 3"), "* of a percentage");
  EXPECT_EQ(kind_of("20%*3"), "* of a percentage");
  EXPECT_EQ(kind_of("20% % 3"), "% of a percentage");
  EXPECT_EQ(kind_of("20%%3"), "% of a percentage");
  EXPECT_EQ(kind_of("20% - 5"), "- of a percentage");
  EXPECT_EQ(kind_of("20 % -5"), "%");
  EXPECT_EQ(kind_of("20%\n  + 1"), "+ of a percentage");
}

TEST(ParseTest, APercentageRightBeforeAMinusIsAmbiguous) {
  const auto p = ParseText("module m\nconst a = 20%-5\n");
  ASSERT_EQ(p->diags.error_count(), 1U);
  const Diagnostic& d = p->diags.diagnostics()[0];
  EXPECT_EQ(d.code, DiagCode::kSyntaxError);
  EXPECT_EQ(d.message, "`20%-` is ambiguous");
  EXPECT_EQ(Underlined(*p, d), "20%-");
  ASSERT_EQ(d.help.size(), 1U);
  EXPECT_EQ(d.help[0], "write `20% - x` to subtract from the percentage, or `20 % -x` for the remainder");
}

TEST(ParseTest, ARemainderWithoutARightOperandSuggestsAPercentage) {
  for (const char* text : {"module m\nconst a = (20 %)\n", "module m\nconst a = (b%)\n"}) {
    const auto p = ParseText(text);
    ASSERT_EQ(p->diags.error_count(), 1U) << text;
    const Diagnostic& d = p->diags.diagnostics()[0];
    EXPECT_EQ(d.code, DiagCode::kSyntaxError);
    EXPECT_EQ(Underlined(*p, d), ")");
    ASSERT_EQ(d.help.size(), 1U);
    EXPECT_NE(d.help[0].find("as in `20%`"), std::string::npos) << d.help[0];
  }
}

TEST(ParseTest, APercentageMustBeExact) {
  const auto p = ParseText("module m\nconst a = 0.0000000000000000001%\n");
  ASSERT_EQ(p->diags.error_count(), 1U);
  EXPECT_EQ(p->diags.diagnostics()[0].code, DiagCode::kInvalidLiteral);
  EXPECT_EQ(p->diags.diagnostics()[0].message,
            "percentage `0.0000000000000000001%` cannot be represented exactly");
  EXPECT_EQ(Underlined(*p, p->diags.diagnostics()[0]), "0.0000000000000000001%");
}

}  // namespace
}  // namespace policy
