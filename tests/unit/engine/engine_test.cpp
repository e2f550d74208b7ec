// The engine against the real bundled policies: reading case files, the JSON contract.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "runtime/engine/engine.h"

namespace policy {
namespace {

class EngineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new LoadResult(Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"}));
    ASSERT_NE(loaded_->engine, nullptr)
        << RenderDiagnostics(loaded_->diagnostics.Sorted(), *loaded_->sources, DiagFormat::kShort);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  static auto ReadExample(const std::string& name) -> std::string {
    std::ifstream in(std::string(POLICY_SOURCE_DIR) + "/examples/cases/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Reads `json` for the part-time decision; returns the diagnostics as "code path: message".
  static auto ReadErrors(const std::string& json) -> std::vector<std::string> {
    const Engine& e = *loaded_->engine;
    auto ctx = e.NewContext();
    DiagnosticSink diags;
    const auto d = e.FindDecision("hk.employment.part_time_on_campus_allowed");
    EXPECT_TRUE(d.has_value());
    const auto v = e.ReadCase(*d, json, "case.json", *ctx, diags);
    std::vector<std::string> out;
    for (const Diagnostic& diag : diags.diagnostics()) {
      out.push_back(std::string(GetKindInfo(diag.code).code) + " " + diag.json_path + ": " + diag.message);
    }
    EXPECT_EQ(v.has_value(), out.empty());
    return out;
  }
  static auto Replace(std::string text, const std::string& from, const std::string& to) -> std::string {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  }
  static LoadResult* loaded_;
};

LoadResult* EngineTest::loaded_ = nullptr;

TEST_F(EngineTest, EvaluatesTheExampleCases) {
  const Engine& e = *loaded_->engine;
  auto ctx = e.NewContext();
  const auto d = *e.FindDecision("hk.employment.part_time_max_hours_per_week");
  for (const auto& [file, hours] :
       std::vector<std::pair<std::string, int64_t>>{{"hk_mainland_undergraduate.json", 20},
                                                    {"hk_exchange_student.json", 0},
                                                    {"hk_taiwan_part_time_postgraduate.json", 0}}) {
    DiagnosticSink diags;
    const auto input = e.ReadCase(d, ReadExample(file), file, *ctx, diags);
    ASSERT_TRUE(input.has_value()) << file;
    const auto r = e.Evaluate(d, *input, *Date::Parse("2025-09-01"), *ctx, nullptr, diags);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value)), std::to_string(hours))
        << file;
  }
}

TEST_F(EngineTest, MalformedJsonGivesLineAndColumn) {
  const auto errors = ReadErrors("{\n  \"record_version\": \"1\",\n  \"applicant\": tru\n}");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].substr(0, 6), "E0901 ");
  EXPECT_NE(errors[0].find("line 3"), std::string::npos) << errors[0];
}

// Found by fuzz_case_json: a number too large for a double is not a syntax error to the JSON
// parser but an out_of_range exception, which escaped and terminated the process. It is E0901
// with where the number is: its line and column, and its JSON path.
TEST_F(EngineTest, NumbersTooLargeForJsonAreAnErrorNotACrash) {
  EXPECT_EQ(ReadErrors(R"({"record_version": 1e999999})"),
            std::vector<std::string>{
                "E0901 $.record_version: invalid JSON at line 1, column 20: the number 1e999999 "
                "is too large for any number type"});
}

// A key given twice is E0901 at its path (the last one winning would change answers), and a NUL
// byte is E0901 at its line and column (the parsers would stop there and accept what follows).
TEST_F(EngineTest, DuplicateKeysAndNulBytesAreRefused) {
  EXPECT_EQ(ReadErrors(R"({"record_version": 1, "record_version": 1})"),
            std::vector<std::string>{
                "E0901 $.record_version: the key `record_version` is given twice in one object"});
  const std::string with_nul = std::string(R"({"record_version": 1})") + '\0' + "garbage";
  EXPECT_EQ(ReadErrors(with_nul),
            std::vector<std::string>{
                "E0901 : invalid JSON at line 1, column 22: a NUL byte, which JSON text cannot hold"});
}

TEST_F(EngineTest, EveryProblemIsReportedWithItsJsonPath) {
  std::string json = ReadExample("hk_mainland_undergraduate.json");
  json = Replace(json, "\"mode\": \"full_time\"", "\"mode\": \"fulltime\"");
  json = Replace(json, "\"locally_accredited\": true", "\"locally_accredited\": \"yes\"");
  json = Replace(json, "\"application_date\": \"2025-07-20\"", "\"application_date\": \"2023-02-29\"");
  json = Replace(json, "\"is_exchange_student\": false,", "");
  json = Replace(json, "\"record_version\": \"1\",", "\"record_version\": \"1\", \"extra\": 1,");
  const auto errors = ReadErrors(json);
  const std::vector<std::string> expected = {
      "E0908 $.extra: `Case` has no field `extra`",
      "E0904 $.programme.mode: \"fulltime\" is not a `Mode` value",
      "E0903 $.programme.locally_accredited: expected a boolean (`true` or `false`), found a string",
      "E0902 $.exchange.is_exchange_student: the case has no field `is_exchange_student`",
      "E0905 $.dates.application_date: \"2023-02-29\" is not a valid date",
  };
  for (const std::string& e : expected) {
    EXPECT_NE(std::find(errors.begin(), errors.end(), e), errors.end()) << "missing: " << e;
  }
  EXPECT_EQ(errors.size(), expected.size());
}

TEST_F(EngineTest, DeeplyNestedAndOversizedInputIsRefused) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto errors = ReadErrors(deep);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].substr(0, 5), "E0907");
  const auto wrong_top = ReadErrors("[1, 2]");
  ASSERT_EQ(wrong_top.size(), 1U);
  EXPECT_EQ(wrong_top[0], "E0903 $: expected an object (a `Case` record), found an array");
}

TEST_F(EngineTest, UnknownDecisionSuggestsTheQualifiedName) {
  DiagnosticSink diags;
  EXPECT_FALSE(loaded_->engine->ResolveDecision("part_time_on_campus_allowed", diags).has_value());
  ASSERT_EQ(diags.diagnostics().size(), 1U);
  EXPECT_EQ(diags.diagnostics()[0].help.at(0), "did you mean `hk.employment.part_time_on_campus_allowed`?");
}

TEST_F(EngineTest, JsonEncodingFollowsTheCatalogue) {
  auto l = Engine::LoadSources(
      {{"t.policy",
        "module t\nenum Doc { PHOTO, ID995A, ACCEPTANCE_LETTER, no_doc as \"none\" }\n"
        "decision s() -> Set<Doc>\n  rule r then {PHOTO, ID995A, ACCEPTANCE_LETTER, no_doc}\n"
        "decision w() -> Duration\n  rule r then 26 weeks\n"
        "decision n() -> Date?\n  rule r then none\n"}});
  ASSERT_NE(l.engine, nullptr);
  const Engine& e = *l.engine;
  auto ctx = e.NewContext();
  auto json_of = [&](const char* name) {
    vm::EvalError error;
    const auto d = *e.FindDecision(name);
    const auto r = e.program().Evaluate(*ctx, d, {}, *Date::Parse("2025-01-01"), nullptr, &error);
    return exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value));
  };
  EXPECT_EQ(json_of("t.s"), R"(["ACCEPTANCE_LETTER","ID995A","PHOTO","none"])");
  EXPECT_EQ(json_of("t.w"), R"("P26W")");
  EXPECT_EQ(json_of("t.n"), "null");
}

// AppendValueJson writes answers without nlohmann's DOM; it must write byte for byte what
// exact_json::Dump(ValueToJson(...)) writes, sets in the same order included.
TEST_F(EngineTest, AppendValueJsonWritesWhatValueToJsonDumps) {
  auto l = Engine::LoadSources(
      {{"t.policy",
        "module t\nenum Doc { PHOTO, ID995A, no_doc as \"none\" }\n"
        "record Job {\n  employer: Text\n  hours: Decimal\n  ends_on?: Date\n  docs: Set<Doc>\n}\n"
        "decision texts() -> Set<Text>\n  rule r then {\"b\", \"a\\\"q\", \"\\\\\", \"tab\\there\", "
        "\"\u00e9t\u00e9\", \"Z\", \"\"}\n"
        "decision numbers() -> Set<Decimal>\n  rule r then {10, 9.5, -0.25, 1234567.891234567891, "
        "100000000000000}\n"
        "decision ints() -> Set<Int>\n  rule r then {10, 9, -3, 100}\n"
        "decision jobs() -> List<Job>\n"
        "  rule r then [Job { employer: \"Lib\\nrary\", hours: 7.50, docs: {no_doc, PHOTO} },\n"
        "               Job { employer: \"Caf\u00e9\", hours: -12, ends_on: 2026-03-01, docs: {} }]\n"
        "decision durations() -> Set<Duration>\n  rule r then {26 weeks, 3 days, 2 years}\n"
        "decision dates() -> List<Date?>\n  rule r then [2026-01-02, none]\n"
        "decision nothing() -> Int?\n  rule r then none\n"}});
  ASSERT_NE(l.engine, nullptr) << RenderDiagnostics(l.diagnostics.Sorted(), *l.sources, DiagFormat::kShort);
  const Engine& e = *l.engine;
  auto ctx = e.NewContext();
  for (const char* name :
       {"t.texts", "t.numbers", "t.ints", "t.jobs", "t.durations", "t.dates", "t.nothing"}) {
    vm::EvalError error;
    const auto d = *e.FindDecision(name);
    const auto r = e.program().Evaluate(*ctx, d, {}, *Date::Parse("2025-01-01"), nullptr, &error);
    ASSERT_TRUE(r.has_value()) << name << ": " << error.message;
    std::string direct;
    e.AppendValueJson(e.DecisionResultType(d), r->value, &direct);
    EXPECT_EQ(direct, exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value))) << name;
  }
}

}  // namespace
}  // namespace policy
