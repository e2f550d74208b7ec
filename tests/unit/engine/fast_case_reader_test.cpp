// The fast case reader (runtime/engine/fast_case_reader.h) against the full one: on every
// example case, every case of the fuzz corpus and a list of awkward inputs, a value the fast
// reader gives is exactly the full reader's value, and when it steps aside the answer (value or
// diagnostics) is the full reader's, word for word. And it must take the common road: the
// example cases are read by it, not handed on.
#include "runtime/engine/fast_case_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

auto ReadAll(const fs::path& path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Read {
  std::optional<std::string> value;  // the value as JSON, exactly
  std::vector<std::string> errors;   // "code path: message"
};

class FastCaseReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new LoadResult(Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"}));
    ASSERT_TRUE(loaded_->engine);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }

  static auto ReadWith(uint32_t decision, const std::string& json, bool fast) -> Read {
    const Engine& e = *loaded_->engine;
    Arena arena;
    DiagnosticSink diags;
    InputLimits limits;
    limits.fast_reader = fast;
    const auto v = e.ReadCase(decision, json, "case.json", arena, diags, limits);
    Read out;
    if (v) {
      out.value = exact_json::Dump(e.ValueToJson(e.program().ir().decisions[decision].params[0], *v));
    }
    for (const Diagnostic& d : diags.diagnostics()) {
      out.errors.push_back(std::string(GetKindInfo(d.code).code) + " " + d.json_path + ": " + d.message);
    }
    return out;
  }

  // The fast reader alone: its value as JSON, or nullopt when it steps aside.
  static auto FastOnly(uint32_t decision, const std::string& json) -> std::optional<std::string> {
    const Engine& e = *loaded_->engine;
    Arena arena;
    const TypeId record = e.program().ir().decisions[decision].params[0];
    const auto v = ReadCaseFast(e.program().ir().types, record, json, arena, InputLimits{});
    if (!v) {
      return std::nullopt;
    }
    return exact_json::Dump(e.ValueToJson(record, *v));
  }

  // Both readers agree on `json`; returns whether the fast one read it.
  static auto Agree(uint32_t decision, const std::string& json, const std::string& what) -> bool {
    const Read full = ReadWith(decision, json, false);
    const Read both = ReadWith(decision, json, true);
    EXPECT_EQ(both.value, full.value) << what;
    EXPECT_EQ(both.errors, full.errors) << what;
    const auto fast = FastOnly(decision, json);
    if (fast) {
      EXPECT_EQ(fast, full.value) << what << ": the fast reader gave a value the full reader does not";
    }
    return fast.has_value();
  }

  static auto Decision(const std::string& name) -> uint32_t {
    const auto d = loaded_->engine->FindDecision(name);
    EXPECT_TRUE(d.has_value()) << name;
    return d.value_or(0);
  }

  static LoadResult* loaded_;
};

LoadResult* FastCaseReaderTest::loaded_ = nullptr;

TEST_F(FastCaseReaderTest, ReadsEveryExampleCaseAsTheFullReaderDoes) {
  const uint32_t hk = Decision("hk.employment.part_time_on_campus_allowed");
  const uint32_t hust = Decision("hust.residence_permit.office");
  size_t read_fast = 0;
  size_t cases = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    const std::string name = entry.path().filename().string();
    const uint32_t d = name.starts_with("hust") ? hust : hk;
    ++cases;
    read_fast += Agree(d, ReadAll(entry.path()), name) ? 1 : 0;
  }
  EXPECT_GE(cases, 8u);
  EXPECT_EQ(read_fast, cases) << "an example case was handed to the full reader: the fast road is not taken";
}

TEST_F(FastCaseReaderTest, AgreesOnEveryCaseOfTheFuzzCorpus) {
  const uint32_t hk = Decision("hk.employment.part_time_on_campus_allowed");
  size_t n = 0;
  for (const char* dir : {"fuzz/corpus/case_json", "fuzz/regressions"}) {
    const fs::path path = fs::path(POLICY_SOURCE_DIR) / dir;
    if (!fs::exists(path)) {
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (entry.is_regular_file()) {
        Agree(hk, ReadAll(entry.path()), entry.path().string());
        ++n;
      }
    }
  }
  EXPECT_GT(n, 10u);
}

TEST_F(FastCaseReaderTest, StepsAsideWheneverTheFullReaderWouldSayMore) {
  const uint32_t hk = Decision("hk.employment.part_time_on_campus_allowed");
  const std::string good =
      ReadAll(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  auto replace = [&good](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  struct Mutation {
    std::string what;
    std::string json;
    bool fast;  // whether the fast reader should read it itself
  };
  const std::vector<Mutation> mutations = {
      {"as given", good, true},
      {"a key given twice (the last wins)",
       replace("\"record_version\": \"1\",", "\"record_version\": \"0\", \"record_version\": \"1\","), false},
      {"an unknown field", replace("\"record_version\": \"1\",", "\"record_version\": \"1\", \"extra\": 1,"),
       false},
      {"a missing field", replace("\"record_version\": \"1\",", ""), false},
      {"an enum value misspelled", replace("\"full_time\"", "\"full-time\""), false},
      {"an Int written 5.0", replace("\"qf_level\": 5", "\"qf_level\": 5.0"), false},
      {"an Int written 5e0", replace("\"qf_level\": 5", "\"qf_level\": 5e0"), false},
      {"an Int written -0", replace("\"qf_level\": 5", "\"qf_level\": -0"), true},
      {"an Int beyond 64 bits", replace("\"qf_level\": 5", "\"qf_level\": 18446744073709551616"), false},
      {"an Int of 2^63", replace("\"qf_level\": 5", "\"qf_level\": 9223372036854775808"), false},
      {"an Int as a string", replace("\"qf_level\": 5", "\"qf_level\": \"5\""), false},
      {"null for a required field", replace("\"mode\": \"full_time\"", "\"mode\": null"), false},
      {"null for an optional field", replace("\"qf_level\": 5", "\"qf_level\": null"), true},
      {"a date that does not exist", replace("\"2005-09-14\"", "\"2005-02-30\""), false},
      {"invalid UTF-8 in a string", replace("\"CHN\"", "\"C\xff\""), false},
      {"trailing content", good + " 7", false},
      {"not JSON", good.substr(0, good.size() / 2), false},
      {"a number no double holds", replace("\"qf_level\": 5", "\"qf_level\": 1e999"), false},
      {"an escaped string", replace("\"CHN\"", "\"C\\u0048N\""), true},
      {"a Decimal with trailing zeros", replace("\"hours\": 7.5", "\"hours\": 7.500"), true},
      {"a Decimal with an exponent", replace("\"hours\": 7.5", "\"hours\": 75e-1"), true},
      {"a Decimal of 15 significant digits", replace("\"hours\": 7.5", "\"hours\": 7.12345678901234"), true},
      {"a Decimal of 18 places", replace("\"hours\": 7.5", "\"hours\": 0.123456789012345678"), false},
      {"a Decimal of 17 significant digits", replace("\"hours\": 7.5", "\"hours\": 7.1234567890123456"),
       false},
      {"a Decimal with more places than it holds",
       replace("\"hours\": 7.5", "\"hours\": 0.1234567890123456789"), false},
      {"a tiny Decimal", replace("\"hours\": 7.5", "\"hours\": 1e-30"), false},
      {"a Decimal that underflows a double", replace("\"hours\": 7.5", "\"hours\": 1e-400"), false},
      {"a Decimal zero written as a fraction", replace("\"hours\": 7.5", "\"hours\": 0.0"), false},
      {"a subnormal Decimal", replace("\"hours\": 7.5", "\"hours\": 4e-320"), false},
      {"a huge Decimal", replace("\"hours\": 7.5", "\"hours\": 1e30"), false},
      {"a Decimal of 16 significant digits written with an exponent",
       replace("\"hours\": 7.5", "\"hours\": 7123456789012345e-15"), false},
      // Cautious: the scan for long numbers does not tell strings from numbers.
      {"a long digit run in a string", replace("\"CHN\"", "\"12345678901234567890\""), false},
  };
  for (const Mutation& m : mutations) {
    EXPECT_EQ(Agree(hk, m.json, m.what), m.fast) << m.what;
  }
}

TEST_F(FastCaseReaderTest, DepthAndSizeLimitsAreTheFullReaders) {
  const uint32_t hk = Decision("hk.employment.part_time_on_campus_allowed");
  Agree(hk, std::string(100, '[') + std::string(100, ']'), "deep arrays");
  Agree(hk, std::string(3000, '[') + std::string(3000, ']'), "deeper than simdjson's own limit");
  Agree(hk, "{\"a\": " + std::string(70, '{') + std::string(70, '}') + "}", "deep objects");
  Agree(hk, "", "empty");
  Agree(hk, "null", "null");
}

}  // namespace
}  // namespace policy
