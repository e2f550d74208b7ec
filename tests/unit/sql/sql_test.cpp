// runtime/sql: what compiles to SQL, what is refused and where, and the table layout. The SQL's
// values are checked against the interpreter on a real PostgreSQL by tests/sql_postgres.sh; here,
// the compiler's own decisions.
#include "runtime/sql/sql.h"

#include <gtest/gtest.h>

#include "tests/support/engine_test_support.h"

namespace policy::sql {
using test::LoadPolicy;
namespace {

namespace fs = std::filesystem;

constexpr const char* kPolicy = R"(module t
enum Mode { full_time, part_time as "PT" }
record Address { city: Text, since: Date? }
record Case { age: Int, mode: Mode, address: Address?, hours: List<Decimal> }
record Result { ok: Bool }
decision adult(c: Case) -> Bool
  default false
  rule grown when c.age >= 18 then true
decision record_valued(c: Case) -> Result
  rule always then Result { ok: true }
decision needs_record(c: Case) -> Bool
  rule always then record_valued(c).ok
decision set_of_records(c: Case) -> Int
  rule always then length({Result { ok: true }})
decision needs_set(c: Case) -> Bool
  rule always then set_of_records(c) > 0
decision two(a: Int, b: Int) -> Int
  rule always then a + b
)";

auto Compile(const Engine& engine, SqlOptions options, DiagnosticSink& diags) -> SqlResult {
  return CompileToSql(engine.program().ir(), options, diags);
}

auto Codes(const DiagnosticSink& diags) -> std::string {
  std::string out;
  for (const Diagnostic& d : diags.Sorted()) {
    out += std::string(GetKindInfo(d.code).code) + " " + d.message + "\n";
  }
  return out;
}

TEST(SqlTest, EveryBundledDecisionCompiles) {
  const LoadResult loaded =
      Engine::Load({(fs::path(POLICY_SOURCE_DIR) / "policies").string()}, EngineOptions());
  ASSERT_TRUE(loaded.engine);
  DiagnosticSink diags;
  const SqlResult result = Compile(*loaded.engine, SqlOptions{}, diags);
  EXPECT_EQ(Codes(diags), "");
  EXPECT_EQ(result.refused.size(), 0U);
  EXPECT_EQ(result.compiled.size(), loaded.engine->DecisionNames().size() - 1);  // all but the parameter
  for (const std::string& name : result.compiled) {
    EXPECT_NE(result.text.find("\"" + name + ":outcome\""), std::string::npos) << name;
  }
}

TEST(SqlTest, WhatCannotBeExpressedIsRefusedWhereItIsAndSoIsEveryCaller) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.adult", "t.record_valued", "t.needs_record", "t.needs_set"};
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_EQ(result.compiled, std::vector<std::string>{"t.adult"});
  EXPECT_EQ(result.refused, (std::vector<std::string>{"t.record_valued", "t.needs_record", "t.needs_set"}));
  const std::string codes = Codes(diags);
  EXPECT_NE(codes.find("E0919 `t.record_valued` cannot be compiled to SQL: a `Result` record where one SQL "
                       "value is needed"),
            std::string::npos)
      << codes;
  EXPECT_NE(
      codes.find(
          "E0919 `t.needs_record` cannot be compiled to SQL: a call of `t.record_valued`, whose value is "
          "a record"),
      std::string::npos)
      << codes;
  EXPECT_NE(codes.find("E0919 `t.set_of_records` cannot be compiled to SQL: a set of `Result` values"),
            std::string::npos)
      << codes;
  EXPECT_NE(
      codes.find("E0919 `t.needs_set` cannot be compiled to SQL: it needs `t.set_of_records`, which cannot"),
      std::string::npos)
      << codes;
  // The refusal points at the declaration whose result type SQL cannot hold (line 9).
  for (const Diagnostic& d : diags.Sorted()) {
    if (d.message.find("`t.record_valued` cannot") != std::string::npos) {
      EXPECT_EQ(engine->sources().Get(d.primary.file).LineColAt(d.primary.begin).line, 9U);
    }
  }
  EXPECT_NE(result.text.find("\"t.adult:outcome\""), std::string::npos);
  EXPECT_EQ(result.text.find("needs_record:outcome"), std::string::npos);
}

TEST(SqlTest, ADecisionOnOtherParametersHasNoTable) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.two"};
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_EQ(result.refused, std::vector<std::string>{"t.two"});
  EXPECT_NE(Codes(diags).find("E0919 `t.two` does not take one case record"), std::string::npos)
      << Codes(diags);
  EXPECT_EQ(result.text, "");
}

TEST(SqlTest, AnUnknownDecisionIsE0906) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.adults"};
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_TRUE(result.layout_error);
  EXPECT_NE(Codes(diags).find("E0906"), std::string::npos);
}

TEST(SqlTest, TheCanonicalLayoutSpreadsRecordsAndKeepsListsWhole) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  const ir::Program& ir = engine->program().ir();
  const TypeId record = ir.decisions[*ir.FindDecision("t.adult")].params[0];
  EXPECT_EQ(CanonicalColumns(ir.types, record),
            (std::vector<std::string>{"age", "mode", "address.city", "address.since", "hours"}));
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.adult"};
  options.create_table = true;
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_NE(result.text.find(
                "CREATE TABLE IF NOT EXISTS cases (\n  \"age\" bigint,\n  \"mode\" text,\n  \"address.city\" "
                "text,\n  \"address.since\" date,\n  \"hours\" jsonb\n);"),
            std::string::npos)
      << result.text.substr(0, 600);
}

TEST(SqlTest, ColumnsGivenAsACsvHeaderMayHoldARecordAsJson) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.adult"};
  options.columns = {"age", "mode", "address", "hours"};
  options.create_table = true;
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_EQ(Codes(diags), "");
  EXPECT_NE(result.text.find("\"address\" jsonb"), std::string::npos);
}

TEST(SqlTest, ColumnsThatDoNotFitTheRecordAreALayoutError) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  for (const std::vector<std::string>& columns :
       std::vector<std::vector<std::string>>{{"age", "mode", "hours", "address.town"},  // no such field
                                             {"mode", "hours"},  // a required field without a column
                                             {"age", "age", "mode", "hours"}}) {  // twice
    DiagnosticSink diags;
    SqlOptions options;
    options.decisions = {"t.adult"};
    options.columns = columns;
    const SqlResult result = Compile(*engine, options, diags);
    EXPECT_TRUE(result.layout_error) << columns.back();
    EXPECT_NE(Codes(diags).find("E0919 the table's columns do not fit `Case`"), std::string::npos)
        << Codes(diags);
    EXPECT_EQ(result.text, "");
  }
}

TEST(SqlTest, NamesAreQuotedAndTheSchemaIsChosen) {
  const auto engine = LoadPolicy(kPolicy);
  ASSERT_TRUE(engine);
  DiagnosticSink diags;
  SqlOptions options;
  options.decisions = {"t.adult"};
  options.schema = "rules \"v2\"";
  options.table = "public.applicants";
  const SqlResult result = Compile(*engine, options, diags);
  EXPECT_NE(result.text.find("CREATE SCHEMA IF NOT EXISTS \"rules \"\"v2\"\"\";"), std::string::npos);
  EXPECT_NE(
      result.text.find(
          "CREATE OR REPLACE FUNCTION \"rules \"\"v2\"\"\".\"t.adult\"(c public.applicants, as_of date)"),
      std::string::npos);
  // Enum values are compared by their JSON names.
  const auto other = LoadPolicy(R"(module u
enum Mode { full_time, part_time as "PT" }
record Case { mode: Mode }
decision part(c: Case) -> Bool
  default false
  rule p when c.mode == part_time then true
)");
  ASSERT_TRUE(other);
  const SqlResult u = Compile(*other, SqlOptions{}, diags);
  EXPECT_NE(u.text.find("c.\"mode\" IS NOT DISTINCT FROM 'PT'"), std::string::npos);
}

}  // namespace
}  // namespace policy::sql
