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

}  // namespace
}  // namespace policy
