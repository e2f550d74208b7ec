// runtime/batch: the record readers (JSON Lines and RFC 4180 CSV, with their bounds), CSV rows
// as case records, and the parallel run, which must give every case the value a single
// evaluation gives it, in input order, on any number of threads.
#include "runtime/batch/batch.h"

#include <gtest/gtest.h>

#include <sstream>

#include "runtime/batch/csv_cases.h"
#include "runtime/batch/record_reader.h"
#include "tests/support/engine_test_support.h"

namespace policy::batch {
namespace {

namespace fs = std::filesystem;

auto Lines(const std::string& text, size_t max_bytes) -> std::vector<Line> {
  std::istringstream in(text);
  ByteSource source(in);
  uint64_t n = 0;
  std::vector<Line> out;
  Line line;
  while (ReadLine(source, max_bytes, &n, &line)) {
    out.push_back(line);
  }
  return out;
}

auto Records(const std::string& text, size_t max_bytes = 1000) -> std::vector<CsvRecord> {
  std::istringstream in(text);
  ByteSource source(in);
  uint64_t n = 0;
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (ReadCsvRecord(source, max_bytes, &n, &r)) {
    out.push_back(r);
  }
  return out;
}

TEST(RecordReaderTest, LinesDropTheirBreakAndALineTooLongIsSkippedNotHeld) {
  const auto lines = Lines("one\r\ntwo\n\n" + std::string(50, 'x') + "\nlast", 10);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[0].text, "one");
  EXPECT_EQ(lines[1].text, "two");
  EXPECT_EQ(lines[2].text, "");
  EXPECT_TRUE(lines[3].too_long);
  EXPECT_EQ(lines[3].text, "");
  EXPECT_EQ(lines[3].length, 50U);
  EXPECT_EQ(lines[4].text, "last");
  EXPECT_EQ(lines[4].number, 5U);
}

TEST(RecordReaderTest, CsvFollowsRfc4180) {
  const auto records = Records("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n,,\nlast,\"\",z");
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(records[1].line, 2U);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(records[2].line, 4U);  // the quoted line break counted
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"last", "", "z"}));
}

TEST(RecordReaderTest, MalformedCsvRowsSayWhereAndTheNextRowIsFine) {
  const auto records = Records("a\"b,c\n\"x\"y,z\n\"open\nok,1\n", 1000);
  ASSERT_GE(records.size(), 2U);
  EXPECT_EQ(records[0].error, "a quote inside field 1 that does not start with one");
  EXPECT_EQ(records[1].error, "text after the closing quote of field 1");
  // An unclosed quote runs to the end of the input: the row says so.
  EXPECT_EQ(records.back().error, "a quoted field is not closed before the end of the input");
  EXPECT_TRUE(Records(std::string(2000, 'a') + "\nb\n")[0].too_long);
  EXPECT_EQ(Records(std::string(2000, 'a') + "\nb\n")[1].fields, std::vector<std::string>{"b"});
}

class CsvLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = test::LoadPolicy(
        "module t\n"
        "enum Mode { full_time, part_time }\n"
        "record Job { employer: Text, hours: Decimal }\n"
        "record Case {\n  name: Text\n  mode: Mode\n  age: Int\n  student: Bool\n  job: Job?\n"
        "  nickname?: Text\n  skills: Set<Text>\n}\n"
        "decision adult(c: Case) -> Bool\n  default false\n  rule r when c.age >= 18 then true\n");
    ASSERT_NE(engine_, nullptr);
    record_ = engine_->program().ir().decisions[*engine_->FindDecision("t.adult")].params[0];
  }
  auto Layout(const std::vector<std::string>& header, std::string* error) -> std::optional<CsvCaseLayout> {
    return CsvCaseLayout::Make(engine_->program().ir().types, record_, header, error);
  }
  std::shared_ptr<const Engine> engine_;
  TypeId record_ = 0;
};

TEST_F(CsvLayoutTest, CellsBecomeJsonByTheirFieldsType) {
  std::string error;
  auto layout =
      Layout({"name", "mode", "age", "student", "job.employer", "job.hours", "nickname", "skills"}, &error);
  ASSERT_TRUE(layout) << error;
  EXPECT_EQ(
      layout->ToJson({"Ann \"A\"", "full_time", "30", "true", "Library", "7.50", "", "[\"x\"]"}, &error),
      R"({"name":"Ann \"A\"","mode":"full_time","age":30,"student":true,"job":{"employer":"Library",)"
      R"("hours":7.50},"skills":["x"]})");
  // All of an optional record's cells empty: the record is null. A may-be-absent field empty:
  // absent. Not a number in a number column, not JSON in a set column: strings, which the case
  // reader then refuses by type, with the path.
  EXPECT_EQ(layout->ToJson({"Bo", "part_time", "many", "yes", "", "", "", "x"}, &error),
            R"({"name":"Bo","mode":"part_time","age":"many","student":"yes","job":null,"skills":"x"})");
  EXPECT_EQ(layout->ToJson({"too", "few"}, &error), "");
  EXPECT_EQ(error, "the row has 2 cells; the header has 8 columns");
}

TEST_F(CsvLayoutTest, AHeaderThatDoesNotFitTheRecordIsRefused) {
  std::string error;
  EXPECT_FALSE(Layout({"name", "mod", "age", "student", "job", "skills"}, &error));
  EXPECT_EQ(error, "column `mod`: `Case` has no field `mod`");
  EXPECT_FALSE(Layout({"name", "name"}, &error));
  EXPECT_EQ(error, "column `name` is named twice in the header");
  EXPECT_FALSE(Layout({"name", "age.years"}, &error));
  EXPECT_EQ(error, "column `age.years`: `age` is of type `Int`, which has no fields");
  EXPECT_FALSE(Layout({"name", "mode", "age"}, &error));
  EXPECT_EQ(error, "no column for the required fields `student`, `job`, `skills`");
  EXPECT_FALSE(Layout({"name", "mode", "age", "student", "job", "job.hours", "skills"}, &error));
  EXPECT_NE(error.find("has a column of its own"), std::string::npos) << error;
  // A whole record in one JSON cell is a column too.
  EXPECT_TRUE(Layout({"name", "mode", "age", "student", "job", "skills"}, &error)) << error;
}

class BatchRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const LoadResult loaded =
        Engine::Load({(fs::path(POLICY_SOURCE_DIR) / "policies").string()}, EngineOptions());
    engine_ = loaded.engine;
    for (const auto& entry : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
      if (entry.path().filename().string().starts_with("hk_")) {
        std::string text = test::ReadFile(entry.path());
        std::erase(text, '\n');
        cases_.push_back(text);
      }
    }
    std::sort(cases_.begin(), cases_.end());
  }
  static void TearDownTestSuite() { engine_.reset(); }

  auto Decisions() -> std::vector<uint32_t> {
    std::vector<uint32_t> out;
    for (const char* name : {"hk.employment.part_time_on_campus_allowed", "hk.stay.limit_of_stay",
                             "hk.entry.applicant_documents", "hk.employment.part_time_max_hours_per_week"}) {
      out.push_back(*engine_->FindDecision(name));
    }
    return out;
  }

  // The run's rows as text, one per case.
  auto RunText(const std::string& input, unsigned threads, size_t chunk_rows = 512,
               InputFormat format = InputFormat::kJsonLines) -> std::vector<std::string> {
    BatchOptions options;
    options.decisions = Decisions();
    options.as_of = *Date::Parse("2025-09-01");
    options.threads = threads;
    options.chunk_rows = chunk_rows;
    options.format = format;
    std::istringstream in(input);
    std::vector<std::string> rows;
    std::string error;
    const bool ok = batch::Run(
        *engine_, options, in,
        [&](const RowResult& r) {
          std::string row = std::to_string(r.line);
          if (r.error) {
            row += " error " + r.error->code + " " + r.error->path + " " + r.error->message;
          }
          for (const DecisionOutcome& o : r.outcomes) {
            row +=
                o.error ? " error " + o.error->code : (o.applicable ? " " : " n/a ") + std::string(o.value);
          }
          rows.push_back(row);
        },
        nullptr, &error);
    EXPECT_TRUE(ok) << error;
    return rows;
  }

  static std::shared_ptr<const Engine> engine_;
  static std::vector<std::string> cases_;
};

std::shared_ptr<const Engine> BatchRunTest::engine_;
std::vector<std::string> BatchRunTest::cases_;

// Each row is what one evaluation of the case gives (the test helper's Outcome, which is also
// what `policy eval` prints), whatever the threads and chunks, in input order.
TEST_F(BatchRunTest, EveryRowIsTheSingleEvaluationsValueInInputOrder) {
  ASSERT_NE(engine_, nullptr);
  ASSERT_FALSE(cases_.empty());
  std::string input;
  std::vector<std::string> expected;
  const Date as_of = *Date::Parse("2025-09-01");
  for (int copy = 0; copy < 300; ++copy) {
    for (size_t i = 0; i < cases_.size(); ++i) {
      input += cases_[i] + "\n";
      std::string row = std::to_string(expected.size() + 1);
      for (const uint32_t d : Decisions()) {
        const std::string outcome = test::OutcomeOnCase(*engine_, d, cases_[i], as_of);
        row += outcome.starts_with("not applicable ") ? " n/a " + outcome.substr(15) : " " + outcome;
      }
      expected.push_back(row);
    }
  }
  EXPECT_EQ(RunText(input, 1), expected);
  EXPECT_EQ(RunText(input, 4, 7), expected);  // small chunks: many in flight, finished out of order
}

TEST_F(BatchRunTest, BadRowsAreErrorRowsAndTheRunGoesOn) {
  const std::string good = cases_.front();
  const auto rows = RunText(
      good + "\n\n{\"record_version\": \"1\",\n" + R"({"record_version": "1"})" + "\n" + good + "\n", 2, 1);
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_TRUE(rows[0].starts_with("1 ")) << rows[0];
  EXPECT_EQ(rows[0].find("error"), std::string::npos) << rows[0];
  EXPECT_TRUE(rows[1].starts_with("3 error E0901")) << rows[1];
  EXPECT_TRUE(rows[2].starts_with("4 error E0902")) << rows[2];
  EXPECT_EQ(rows[3], "5" + rows[0].substr(1));
}

TEST_F(BatchRunTest, CsvRowsGiveTheValuesOfTheSameCasesAsJson) {
  const std::string dir = std::string(POLICY_SOURCE_DIR) + "/tests/golden/batch/inputs.dir/";
  auto json_rows = RunText(test::ReadFile(dir + "hk_cases.jsonl"), 2);
  auto csv_rows = RunText(test::ReadFile(dir + "hk_cases.csv"), 2, 512, InputFormat::kCsv);
  ASSERT_EQ(json_rows.size(), csv_rows.size());
  for (size_t i = 0; i < json_rows.size(); ++i) {
    // CSV line numbers count the header.
    EXPECT_EQ(json_rows[i].substr(json_rows[i].find(' ')), csv_rows[i].substr(csv_rows[i].find(' '))) << i;
  }
}

TEST_F(BatchRunTest, CsvRowsThatCannotBeSplitAreE0918Rows) {
  const std::string dir = std::string(POLICY_SOURCE_DIR) + "/tests/golden/batch/inputs.dir/";
  const auto rows = RunText(test::ReadFile(dir + "bad_rows.csv"), 2, 512, InputFormat::kCsv);
  ASSERT_EQ(rows.size(), 4U);
  ASSERT_EQ(std::string(GetKindInfo(DiagCode::kInvalidCsvRow).code), "E0918");
  EXPECT_EQ(rows[1], "3 error E0918  a quote inside field 1 that does not start with one");
  EXPECT_EQ(rows[2], "4 error E0918  the row has 71 cells; the header has 70 columns");
  EXPECT_EQ(rows[3].find("error"), std::string::npos) << rows[3];
}

TEST_F(BatchRunTest, ASinkThatThrowsStopsTheRunWithoutHanging) {
  std::string input;
  for (int i = 0; i < 5000; ++i) {
    input += cases_[static_cast<size_t>(i) % cases_.size()] + "\n";
  }
  BatchOptions options;
  options.decisions = Decisions();
  options.as_of = *Date::Parse("2025-09-01");
  options.threads = 2;
  options.chunk_rows = 16;
  std::istringstream in(input);
  std::string error;
  int seen = 0;
  EXPECT_THROW(batch::Run(
                   *engine_, options, in,
                   [&](const RowResult&) {
                     if (++seen == 100) {
                       throw std::runtime_error("disk full");
                     }
                   },
                   nullptr, &error),
               std::runtime_error);
}

TEST(BatchTest, DecisionsOfDifferentRecordTypesAreRefused) {
  auto engine = test::LoadPolicy(
      "module t\nrecord A { x: Int }\nrecord B { y: Int }\n"
      "decision a(v: A) -> Int\n  default 0\n"
      "decision b(v: B) -> Int\n  default 0\n"
      "decision two(v: A, w: B) -> Int\n  default 0\n");
  ASSERT_NE(engine, nullptr);
  BatchOptions options;
  options.decisions = {*engine->FindDecision("t.a"), *engine->FindDecision("t.b")};
  std::istringstream in("");
  std::string error;
  EXPECT_FALSE(batch::Run(
      *engine, options, in, [](const RowResult&) {}, nullptr, &error));
  EXPECT_EQ(error,
            "decision `t.a` reads `A` records, `t.b` reads `B` records: a batch evaluates decisions of one "
            "record type");
  options.decisions = {*engine->FindDecision("t.two")};
  EXPECT_FALSE(batch::Run(
      *engine, options, in, [](const RowResult&) {}, nullptr, &error));
  EXPECT_EQ(error, "decision `t.two` does not take one case record, so it cannot run on cases");
}

// With `compare`, each case is read and evaluated by both versions: the rows carry both
// results, each from its own engine (`policy diff --population`).
TEST(BatchTest, CompareEvaluatesEveryCaseOnBothVersions) {
  const std::string record = "module t\nrecord S { hours: Int }\n";
  auto before = test::LoadPolicy(record +
                                 "decision ok(s: S) -> Bool\n  default false\n"
                                 "  rule r when s.hours <= 20 then true\n");
  auto after = test::LoadPolicy(record +
                                "decision ok(s: S) -> Bool\n  default false\n"
                                "  rule r when s.hours <= 24 then true\n");
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  BatchOptions options;
  options.decisions = {*before->FindDecision("t.ok")};
  options.compare = after.get();
  options.compare_decisions = {*after->FindDecision("t.ok")};
  options.as_of = *Date::Parse("2025-09-01");
  options.threads = 2;
  options.chunk_rows = 2;
  std::string input;
  for (int hours = 18; hours <= 26; ++hours) {
    input += "{\"hours\": " + std::to_string(hours) + "}\n";
  }
  std::istringstream in(input);
  std::vector<std::string> rows;
  std::string error;
  ASSERT_TRUE(batch::Run(
      *before, options, in,
      [&](const RowResult& r) {
        ASSERT_EQ(r.outcomes.size(), 1U);
        ASSERT_EQ(r.compare_outcomes.size(), 1U);
        rows.push_back(std::string(r.outcomes[0].value) + "->" + std::string(r.compare_outcomes[0].value));
      },
      nullptr, &error))
      << error;
  EXPECT_EQ(rows,
            (std::vector<std::string>{"true->true", "true->true", "true->true", "false->true", "false->true",
                                      "false->true", "false->true", "false->false", "false->false"}));
}

}  // namespace
}  // namespace policy::batch
