// The formatter (compiler/syntax/format.h): the canonical layout on examples, idempotence and
// token preservation on every policy in the repository, and refusal on syntax errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "PolicyLexer.h"
#include "antlr4-runtime.h"
#include "compiler/syntax/format.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

auto Format(const std::string& text) -> std::optional<std::string> {
  SourceManager sources;
  DiagnosticSink diags;
  const FileId id = sources.Add("t.policy", text);
  return syntax::FormatSource(sources.Get(id), id, diags);
}

// Every token but whitespace, as "type:text" lines.
auto Tokens(const std::string& text) -> std::string {
  antlr4::ANTLRInputStream input{text};
  policy_grammar::PolicyLexer lexer(&input);
  std::string out;
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
    if (t->getType() != policy_grammar::PolicyLexer::WS) {
      std::string s = t->getText();
      s.erase(s.find_last_not_of(" \t\r") + 1);
      out += std::to_string(t->getType()) + ":" + s + "\n";
    }
  }
  return out;
}

TEST(FormatTest, CanonicalLayout) {
  const std::string messy = R"(module   demo
import std.time(DatedAmount)
enum Mode{full_time,part_time}
record Worker {
hours:Int
    mode :Mode
  tags: Set< Mode >
}
// the limit
const limit : Int=20
def over(w:Worker)->Bool=
w.hours>limit
and w.mode==full_time
     or -w.hours < -1
decision weekly(w: Worker) -> Int
source "Q20"
    default 0
/// the main rule
rule r   when w.mode in{full_time} and (count m in w.tags:m==part_time)>0
 then w.hours
exception e to r when w.hours>40 then 40
test "t" {
let w = Worker {hours: 1, mode: full_time, tags: {}}
expect weekly(w)==1
}
)";
  const std::string canonical = R"(module demo
import std.time (DatedAmount)
enum Mode { full_time, part_time }
record Worker {
  hours: Int
  mode: Mode
  tags: Set<Mode>
}
// the limit
const limit: Int = 20
def over(w: Worker) -> Bool =
  w.hours > limit
    and w.mode == full_time
    or -w.hours < -1
decision weekly(w: Worker) -> Int
  source "Q20"
  default 0
  /// the main rule
  rule r when w.mode in {full_time} and (count m in w.tags : m == part_time) > 0
    then w.hours
  exception e to r when w.hours > 40 then 40
test "t" {
  let w = Worker { hours: 1, mode: full_time, tags: {} }
  expect weekly(w) == 1
}
)";
  const auto formatted = Format(messy);
  ASSERT_TRUE(formatted.has_value());
  EXPECT_EQ(*formatted, canonical);
  EXPECT_EQ(Format(canonical), canonical);
}

// Issue 28, item 8: the `>` that closes a generic type ends the field; only a comparison's `>`
// leaves the line open for a continuation.
TEST(FormatTest, TheLineAfterAGenericTypeIsNotAContinuation) {
  const std::string canonical = R"(module m
record R {
  xs: List<Int>
  y: Int
  zs: Set<List<Int>>
  w: Int
}
)";
  EXPECT_EQ(Format(canonical), canonical);
  EXPECT_EQ(Format("module m\nrecord R {\nxs: List<Int>\n        y: Int\n}\n"),
            "module m\nrecord R {\n  xs: List<Int>\n  y: Int\n}\n");
}

// Issue 28, item 8: the body of an aggregate on the line after its `:` continues that line, so it
// is indented 2 more than it (docs/language.md, "Layout").
TEST(FormatTest, AnAggregateBodyOnTheNextLineIsIndentedUnderIt) {
  const std::string canonical = R"(module m
def total(xs: List<Int>) -> Int =
  sum x in xs :
    x * 2
decision d(xs: List<Int>) -> Bool
  rule r
    when all x in xs :
      x > 1
    then true
)";
  EXPECT_EQ(Format(canonical), canonical);
  EXPECT_EQ(Format("module m\ndef total(xs: List<Int>) -> Int =\n  sum x in xs :\n  x * 2\n"),
            "module m\ndef total(xs: List<Int>) -> Int =\n  sum x in xs :\n    x * 2\n");
}

TEST(FormatTest, BlankLinesCollapseAndDeclarationsGetTheirOwnLine) {
  EXPECT_EQ(Format("module m\n\n\n\nconst a = 1 const b = 2\n\n\n"),
            "module m\n\nconst a = 1\nconst b = 2\n");
}

TEST(FormatTest, NeverMergesTokens) {
  // `Int? ?` must not become `Int??` (a different token), nor `a - -1` become `a--1`.
  const std::string text = "module m\ndef f(x: Int) -> Int = x - -1\n";
  EXPECT_EQ(Format(text), text);
  EXPECT_EQ(Tokens(*Format("module m\nconst d = 2024-01-02\nconst e = 2024 - 1 - 2\n")),
            Tokens("module m\nconst d = 2024-01-02\nconst e = 2024 - 1 - 2\n"));
}

// `policy fmt` keeps a percentage as written and spaces the remainder operator; it never
// glues a percentage to what follows in a way that would read back as a remainder.
TEST(FormatTest, PercentagesStayAsWrittenAndRemaindersAreSpaced) {
  const std::string messy =
      "module m\nconst a = [20%,12.5% ,  0.5%]\nconst b = 20%7 + x%y\nconst c = 20%%3\nconst d = 20% (3)\n"
      "const e = 100%-0\n";
  // `100%-0` is ambiguous and refused (see parse_test); the rest is formatted.
  EXPECT_FALSE(Format(messy).has_value());
  const std::string fine = messy.substr(0, messy.find("const e"));
  const std::string canonical =
      "module m\nconst a = [20%, 12.5%, 0.5%]\nconst b = 20 % 7 + x % y\nconst c = 20% % 3\nconst d = 20% "
      "(3)\n";
  const auto formatted = Format(fine);
  ASSERT_TRUE(formatted.has_value());
  EXPECT_EQ(*formatted, canonical);
  EXPECT_EQ(Tokens(*formatted), Tokens(fine));
  EXPECT_EQ(Format(canonical), canonical);
}

TEST(FormatTest, FilesWithSyntaxErrorsAreNotFormatted) {
  EXPECT_FALSE(Format("module m\nconst = 1\n").has_value());
  EXPECT_FALSE(Format("module m\nconst a = \"open\n").has_value());
}

// Every policy in the repository: formatting keeps every token (comments included) and is
// idempotent; the bundled policies, the standard library and the documentation examples are
// kept in the canonical layout (`policy fmt --check` in CI says the same).
TEST(FormatTest, RepositoryPoliciesAreCanonicalAndFormattingKeepsTokens) {
  const fs::path root(POLICY_SOURCE_DIR);
  size_t files = 0;
  for (const char* dir : {"policies", "stdlib", "docs/examples", "tests/golden"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.path().extension() != ".policy") {
        continue;
      }
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      const std::string text = s.str();
      const auto formatted = Format(text);
      if (!formatted) {
        continue;  // golden inputs with syntax errors
      }
      ++files;
      EXPECT_EQ(Tokens(*formatted), Tokens(text)) << e.path();
      EXPECT_EQ(Format(*formatted), formatted) << e.path() << " is not idempotent";
      if (std::string(dir) != "tests/golden") {
        EXPECT_EQ(*formatted, text) << e.path() << " is not in the canonical layout; run `policy fmt`";
      }
    }
  }
  EXPECT_GT(files, 50U);
}

}  // namespace
}  // namespace policy
