// The C API (policy.h): the same journeys as the C++ API, and every bad input (NULLs, unknown
// names, wrong types, malformed JSON, handles outliving their set) answered with a status and a
// message, never an abort.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "policy/policy.h"
#include "tests/unit/api/api_test_support.h"

namespace {

namespace fs = std::filesystem;

const std::string kPolicies = (fs::path(POLICY_SOURCE_DIR) / "policies").string();
constexpr policy_date kAsOf = {2025, 9, 1};

// Frees an error and returns its message, for assertions.
auto Take(policy_error* e) -> std::string {
  std::string m = e != nullptr ? policy_error_message(e) : "";
  policy_error_free(e);
  return m;
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* paths[] = {kPolicies.c_str()};
    policy_error* err = nullptr;
    ASSERT_EQ(policy_set_load(paths, 1, 0, &set_, &err), POLICY_OK) << Take(err);
  }
  void TearDown() override { policy_set_free(set_); }
  policy_set* set_ = nullptr;
};

TEST_F(CApiTest, TypedFactsEvaluateAndExplain) {
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set_, "hk.employment.part_time_on_campus_allowed", &d, &err), POLICY_OK)
      << Take(err);
  EXPECT_STREQ(policy_decision_name(d), "hk.employment.part_time_on_campus_allowed");
  // Typed facts, rebuilt from the example case through the C++ support code, then changed here
  // through the C setters.
  const std::string json =
      policy::api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_from_json(d, json.data(), json.size(), &facts, &err), POLICY_OK) << Take(err);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set_, &ev, &err), POLICY_OK);
  policy_result* r = nullptr;
  ASSERT_EQ(policy_evaluate(ev, d, facts, kAsOf, POLICY_EXPLAIN_TEXT, &r, &err), POLICY_OK) << Take(err);
  int allowed = 0;
  ASSERT_EQ(policy_result_bool(r, &allowed), POLICY_OK);
  EXPECT_EQ(allowed, 1);
  EXPECT_EQ(policy_result_applicable(r), 1);
  EXPECT_STREQ(policy_result_json(r), "true");
  EXPECT_NE(std::string(policy_result_explanation(r)).find("ImmD FAQ Q20"), std::string::npos);
  int64_t as_int = 0;
  EXPECT_EQ(policy_result_int(r, &as_int), POLICY_ERR_TYPE_MISMATCH);
  policy_result_free(r);

  // An exchange student may not.
  policy_field* exchange = nullptr;
  ASSERT_EQ(policy_field_find(d, "exchange.is_exchange_student", &exchange, &err), POLICY_OK);
  ASSERT_EQ(policy_facts_set_bool(facts, exchange, 1, nullptr, 0, &err), POLICY_OK) << Take(err);
  ASSERT_EQ(policy_evaluate(ev, d, facts, kAsOf, POLICY_EXPLAIN_NONE, &r, &err), POLICY_OK);
  ASSERT_EQ(policy_result_bool(r, &allowed), POLICY_OK);
  EXPECT_EQ(allowed, 0);
  EXPECT_STREQ(policy_result_explanation(r), "");
  policy_result_free(r);

  // Part-time study: an enum by name.
  policy_field* mode = nullptr;
  ASSERT_EQ(policy_field_find(d, "programme.mode", &mode, &err), POLICY_OK);
  EXPECT_EQ(policy_facts_set_enum(facts, mode, "part_tme", nullptr, 0, &err), POLICY_ERR_NOT_FOUND);
  EXPECT_NE(Take(err).find("did you mean `part_time`"), std::string::npos);
  EXPECT_EQ(policy_facts_set_enum(facts, mode, "part_time", nullptr, 0, &err), POLICY_OK);
  EXPECT_EQ(policy_facts_set_int(facts, mode, 3, nullptr, 0, &err), POLICY_ERR_TYPE_MISMATCH);
  EXPECT_EQ(policy_error_code(err), POLICY_ERR_TYPE_MISMATCH);
  Take(err);

  policy_field_free(mode);
  policy_field_free(exchange);
  policy_evaluator_free(ev);
  policy_facts_free(facts);
  policy_decision_free(d);
}

TEST_F(CApiTest, JsonContractInOneCall) {
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set_, "hk.entry.applicant_documents", &d, &err), POLICY_OK);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set_, &ev, &err), POLICY_OK);
  const std::string json =
      policy::api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  char* out = nullptr;
  ASSERT_EQ(
      policy_evaluate_json(ev, d, json.data(), json.size(), "2025-09-01", POLICY_EXPLAIN_NONE, &out, &err),
      POLICY_OK)
      << Take(err);
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["decision"], "hk.entry.applicant_documents");
  EXPECT_EQ(parsed["as_of"], "2025-09-01");
  EXPECT_TRUE(parsed["value"].is_array());
  policy_string_free(out);

  EXPECT_EQ(policy_evaluate_json(ev, d, "{", 1, "2025-09-01", 0, &out, &err), POLICY_ERR_INVALID_INPUT);
  EXPECT_EQ(out, nullptr);
  EXPECT_GE(policy_error_diagnostic_count(err), 1U);
  EXPECT_NE(policy_error_diagnostic(err, 0), nullptr);
  EXPECT_EQ(policy_error_diagnostic(err, 99), nullptr);
  Take(err);
  EXPECT_EQ(policy_evaluate_json(ev, d, json.data(), json.size(), "2025-13-01", 0, &out, &err),
            POLICY_ERR_INVALID_ARGUMENT);
  Take(err);
  policy_evaluator_free(ev);
  policy_decision_free(d);
}

// Decimals through the C API's JSON: policy_evaluate_json and policy_result_json write the
// digits the case had.
TEST(CApiDecimalTest, JsonInAndOutIsExact) {
  const std::string source =
      "module pay\nrecord Case { rate: Decimal }\ndecision rate(c: Case) -> Decimal\n  default c.rate\n";
  policy_set* set = nullptr;
  policy_error* err = nullptr;
  ASSERT_EQ(policy_set_load_source("pay.policy", source.data(), source.size(), &set, &err), POLICY_OK)
      << Take(err);
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set, "pay.rate", &d, &err), POLICY_OK) << Take(err);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set, &ev, &err), POLICY_OK);
  const std::string json = R"({"rate": 99999999999999999.999999999999999999})";
  char* out = nullptr;
  ASSERT_EQ(
      policy_evaluate_json(ev, d, json.data(), json.size(), "2025-09-01", POLICY_EXPLAIN_NONE, &out, &err),
      POLICY_OK)
      << Take(err);
  EXPECT_STREQ(
      out,
      R"({"decision":"pay.rate","as_of":"2025-09-01","applicable":true,"value":99999999999999999.999999999999999999})");
  policy_string_free(out);

  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_from_json(d, json.data(), json.size(), &facts, &err), POLICY_OK) << Take(err);
  policy_result* r = nullptr;
  ASSERT_EQ(policy_evaluate(ev, d, facts, kAsOf, POLICY_EXPLAIN_NONE, &r, &err), POLICY_OK) << Take(err);
  EXPECT_STREQ(policy_result_json(r), "99999999999999999.999999999999999999");
  policy_result_free(r);

  const std::string too_fine = R"({"rate": 1e-19})";
  EXPECT_EQ(policy_evaluate_json(ev, d, too_fine.data(), too_fine.size(), "2025-09-01", POLICY_EXPLAIN_NONE,
                                 &out, &err),
            POLICY_ERR_INVALID_INPUT);
  EXPECT_NE(Take(err).find("1e-19 has 19 decimal places"), std::string::npos);
  policy_facts_free(facts);
  policy_evaluator_free(ev);
  policy_decision_free(d);
  policy_set_free(set);
}

TEST_F(CApiTest, NullsAndUnknownNamesAreStatuses) {
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  EXPECT_EQ(policy_decision_find(nullptr, "x", &d, &err), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(Take(err).find("set is NULL"), std::string::npos);
  EXPECT_EQ(policy_decision_find(set_, nullptr, &d, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_decision_find(set_, "no.such", &d, &err), POLICY_ERR_NOT_FOUND);
  EXPECT_EQ(d, nullptr);
  Take(err);
  EXPECT_EQ(policy_field_find(nullptr, "a", nullptr, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_facts_set_bool(nullptr, nullptr, 1, nullptr, 0, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_evaluate(nullptr, nullptr, nullptr, kAsOf, 0, nullptr, nullptr),
            POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_result_bool(nullptr, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(policy_result_json(nullptr), "null");
  EXPECT_STREQ(policy_error_message(nullptr), "");
  EXPECT_STREQ(policy_status_name(POLICY_ERR_STALE), "stale");
  EXPECT_STREQ(policy_status_name(static_cast<policy_status>(42)), "unknown");
  policy_set_free(nullptr);
  policy_decision_free(nullptr);
  policy_error_free(nullptr);
  EXPECT_GT(policy_set_decision_count(set_), 40U);
  EXPECT_NE(policy_set_decision_name(set_, 0), nullptr);
  EXPECT_EQ(policy_set_decision_name(set_, 100000), nullptr);
}

TEST_F(CApiTest, DecisionsAndParametersAreListedApart) {
  // Every listed decision is one policy_decision_find accepts; no parameter is among them.
  for (size_t i = 0; i < policy_set_decision_count(set_); ++i) {
    const std::string name = policy_set_decision_name(set_, i);
    policy_decision* d = nullptr;
    policy_error* err = nullptr;
    EXPECT_EQ(policy_decision_find(set_, name.c_str(), &d, &err), POLICY_OK) << name << ": " << Take(err);
    policy_decision_free(d);
    EXPECT_NE(name, "hk.employment.part_time_hours_per_week");
  }
  char* json = nullptr;
  policy_error* err = nullptr;
  ASSERT_EQ(policy_set_parameters_json(set_, "2025-09-01", &json, &err), POLICY_OK) << Take(err);
  const auto listed = nlohmann::json::parse(json);
  policy_string_free(json);
  ASSERT_TRUE(listed.is_array());
  bool found = false;
  for (const auto& p : listed) {
    if (p["name"] == "hk.employment.part_time_hours_per_week") {
      found = true;
      EXPECT_EQ(p["value"], 20);
      EXPECT_EQ(p["type"], "Int");
      EXPECT_EQ(p["is_constant"], false);
      EXPECT_EQ(p["in_effect"], true);
      EXPECT_EQ(p["source"], "ImmD FAQ Q20, Q29");
    }
  }
  EXPECT_TRUE(found) << listed.dump();
  // Before the relaxation the parameter had no value.
  ASSERT_EQ(policy_set_parameters_json(set_, "2014-03-16", &json, &err), POLICY_OK) << Take(err);
  EXPECT_NE(std::string(json).find(R"("in_effect":false,"value":null)"), std::string::npos) << json;
  policy_string_free(json);
  EXPECT_EQ(policy_set_parameters_json(set_, "2025-02-30", &json, &err), POLICY_ERR_INVALID_ARGUMENT);
  Take(err);
  EXPECT_EQ(policy_set_parameters_json(nullptr, "2025-09-01", &json, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_set_parameters_json(set_, nullptr, &json, nullptr), POLICY_ERR_INVALID_ARGUMENT);
}

TEST_F(CApiTest, IncompleteFactsAndCompileErrors) {
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set_, "hk.employment.part_time_on_campus_allowed", &d, &err), POLICY_OK);
  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_new(d, &facts, &err), POLICY_OK);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set_, &ev, &err), POLICY_OK);
  policy_result* r = nullptr;
  EXPECT_EQ(policy_evaluate(ev, d, facts, kAsOf, 0, &r, &err), POLICY_ERR_INCOMPLETE_FACTS);
  EXPECT_NE(Take(err).find("not set"), std::string::npos);
  policy_evaluator_free(ev);
  policy_facts_free(facts);
  policy_decision_free(d);

  const std::string bad = "module m\ndecision d(c: Nope) -> Bool\n  default true\n";
  policy_set* s = nullptr;
  EXPECT_EQ(policy_set_load_source("m.policy", bad.data(), bad.size(), &s, &err), POLICY_ERR_COMPILE_FAILED);
  EXPECT_EQ(s, nullptr);
  ASSERT_GE(policy_error_diagnostic_count(err), 1U);
  EXPECT_NE(std::string(policy_error_diagnostic(err, 0)).find("m.policy:2"), std::string::npos)
      << policy_error_diagnostic(err, 0);
  Take(err);
}

TEST_F(CApiTest, MisreadsAreStatusesWithTheirReasons) {
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set_, "hk.employment.part_time_on_campus_allowed", &d, &err), POLICY_OK);
  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_new(d, &facts, &err), POLICY_OK);
  policy_field* hours = nullptr;
  ASSERT_EQ(policy_field_find(d, "programme.normal_duration_months", &hours, &err), POLICY_OK);
  // NULL indices with a count: refused, never read.
  EXPECT_EQ(policy_facts_set_int(facts, hours, 3, nullptr, 2, &err), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(Take(err), "indices is NULL but index_count is 2");
  EXPECT_EQ(policy_facts_set_int(facts, hours, 3, nullptr, 0, &err), POLICY_OK);

  // A case-record error names the JSON path, with no `:0:0` of a policy location before it.
  const std::string json = R"({"record_version": 1, "record_version": 2})";
  policy_facts* read = nullptr;  // its own handle: from_json sets `*out`, which would leak `facts`
  EXPECT_EQ(policy_facts_from_json(d, json.data(), json.size(), &read, &err), POLICY_ERR_INVALID_INPUT);
  EXPECT_EQ(read, nullptr);
  const std::string message = Take(err);
  EXPECT_EQ(message.find(":0:0"), std::string::npos) << message;
  EXPECT_NE(message.find("$.record_version: E0901: the key `record_version` is given twice"),
            std::string::npos)
      << message;
  policy_field_free(hours);
  policy_facts_free(facts);
  policy_decision_free(d);

  // A path that does not exist is an I/O error that says so, not a compile error.
  const char* missing[] = {"/no/such/policies"};
  policy_set* s = nullptr;
  EXPECT_EQ(policy_set_load(missing, 1, 0, &s, &err), POLICY_ERR_IO);
  const std::string io = Take(err);
  EXPECT_EQ(io.find("do not compile"), std::string::npos) << io;
  EXPECT_NE(io.find("no such file or directory: `/no/such/policies`"), std::string::npos) << io;
}

TEST_F(CApiTest, HandlesOutliveTheirSet) {
  // Freeing the set does not invalidate what came from it.
  policy_error* err = nullptr;
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set_, "hk.stay.limit_of_stay", &d, &err), POLICY_OK);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set_, &ev, &err), POLICY_OK);
  policy_set_free(set_);
  set_ = nullptr;
  const std::string json =
      policy::api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_extension_applicant.json");
  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_from_json(d, json.data(), json.size(), &facts, &err), POLICY_OK) << Take(err);
  policy_result* r = nullptr;
  ASSERT_EQ(policy_evaluate(ev, d, facts, kAsOf, 0, &r, &err), POLICY_OK) << Take(err);
  policy_date date{};
  if (policy_result_applicable(r) && std::string(policy_result_json(r)) != "null") {
    EXPECT_EQ(policy_result_date(r, &date), POLICY_OK);
    EXPECT_GT(date.year, 2000);
  }
  policy_result_free(r);
  policy_facts_free(facts);
  policy_evaluator_free(ev);
  policy_decision_free(d);
}

}  // namespace

namespace {

// policy_decide's answer, and policy_evaluate's on the same arguments, as comparable text.
auto DecideText(policy_evaluator* ev, policy_decision* d, policy_facts* facts, policy_date as_of)
    -> std::string {
  policy_decided out{};
  const policy_status status = policy_decide(ev, d, facts, as_of, &out);
  if (status != POLICY_OK) {
    return "status " + std::to_string(status);
  }
  std::string value = "null";
  if (out.kind == POLICY_VALUE_BOOL) {
    value = out.int_value != 0 ? "true" : "false";
  } else if (out.kind == POLICY_VALUE_INT) {
    value = std::to_string(out.int_value);
  } else if (out.kind == POLICY_VALUE_DATE) {
    char text[16];
    std::snprintf(text, sizeof text, "\"%04d-%02u-%02u\"", out.date_value.year, out.date_value.month,
                  out.date_value.day);
    value = text;
  } else if (out.kind == POLICY_VALUE_OTHER) {
    value = "other";
  }
  return std::to_string(out.applicable) + " " + std::to_string(out.in_effect) + " " + value;
}
auto EvaluateText(policy_evaluator* ev, policy_decision* d, policy_facts* facts, policy_date as_of)
    -> std::string {
  policy_result* r = nullptr;
  policy_error* err = nullptr;
  const policy_status status = policy_evaluate(ev, d, facts, as_of, POLICY_EXPLAIN_NONE, &r, &err);
  Take(err);
  if (status != POLICY_OK) {
    return "status " + std::to_string(status);
  }
  std::string out = std::to_string(policy_result_applicable(r)) + " " +
                    std::to_string(policy_result_in_effect(r)) + " " + policy_result_json(r);
  policy_result_free(r);
  return out;
}

}  // namespace

// policy_set_load_with and the hot-loop policy_decide: the JIT from C, on every tier, gives
// policy_evaluate's answers (Bool, Int, Date?, a set, before the effective date).
TEST(CApiJitTest, LoadWithTheJitAndDecideLikeEvaluate) {
  const char* paths[] = {kPolicies.c_str()};
  const std::string json =
      policy::api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  for (const int jit : {0, 1}) {
    for (const int tier : {POLICY_JIT_TIERED, POLICY_JIT_QUICK, POLICY_JIT_OPTIMIZED}) {
      policy_load_options options{};
      options.jit = jit;
      options.jit_tier = tier;
      policy_set* set = nullptr;
      policy_error* err = nullptr;
      ASSERT_EQ(policy_set_load_with(paths, 1, &options, &set, &err), POLICY_OK) << Take(err);
      const double optimized_ms = policy_set_wait_for_optimized_code(set);
#ifdef POLICY_TEST_JIT
      EXPECT_EQ(optimized_ms > 0, jit != 0 && tier == POLICY_JIT_TIERED) << tier;
#else
      EXPECT_EQ(optimized_ms, 0.0);
#endif
      policy_evaluator* ev = nullptr;
      ASSERT_EQ(policy_evaluator_new(set, &ev, &err), POLICY_OK);
      for (const char* name :
           {"hk.employment.part_time_on_campus_allowed", "hk.employment.part_time_max_hours_per_week",
            "hk.stay.limit_of_stay", "hk.entry.applicant_documents"}) {
        policy_decision* d = nullptr;
        ASSERT_EQ(policy_decision_find(set, name, &d, &err), POLICY_OK) << Take(err);
#ifdef POLICY_TEST_JIT
        EXPECT_EQ(policy_decision_native(d), jit) << name;
#else
        EXPECT_EQ(policy_decision_native(d), 0) << name;  // a library built without LLVM
#endif
        EXPECT_STREQ(policy_decision_interpreted_because(d), "") << name;
        policy_facts* facts = nullptr;
        ASSERT_EQ(policy_facts_from_json(d, json.data(), json.size(), &facts, &err), POLICY_OK) << Take(err);
        for (const policy_date as_of : {kAsOf, policy_date{2014, 3, 16}}) {
          const std::string expected = EvaluateText(ev, d, facts, as_of);
          const std::string actual = DecideText(ev, d, facts, as_of);
          if (std::string(name) == "hk.entry.applicant_documents" && !expected.ends_with("null")) {
            // A set: policy_decide says only its kind.
            EXPECT_EQ(actual, expected.substr(0, expected.rfind(' ') + 1) + "other") << name;
          } else {
            EXPECT_EQ(actual, expected) << name << " jit " << jit << " tier " << tier;
          }
        }
        policy_facts_free(facts);
        policy_decision_free(d);
      }
      policy_evaluator_free(ev);
      policy_set_free(set);
    }
  }
}

TEST(CApiJitTest, BadOptionsAndRefusalsAreStatuses) {
  const char* paths[] = {kPolicies.c_str()};
  policy_set* set = nullptr;
  policy_error* err = nullptr;
  policy_load_options options{};
  options.jit = 1;
  options.jit_tier = 7;
  EXPECT_EQ(policy_set_load_with(paths, 1, &options, &set, &err), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(Take(err).find("jit_tier"), std::string::npos);
  EXPECT_EQ(set, nullptr);
  EXPECT_EQ(policy_set_load_with(paths, 1, nullptr, &set, &err), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(Take(err).find("options is NULL"), std::string::npos);
  EXPECT_EQ(policy_set_wait_for_optimized_code(nullptr), 0.0);
  EXPECT_EQ(policy_decision_native(nullptr), 0);
  EXPECT_STREQ(policy_decision_interpreted_because(nullptr), "");

  // policy_decide: NULLs, and the refusals of policy_evaluate, as statuses only.
  options.jit_tier = POLICY_JIT_QUICK;
  ASSERT_EQ(policy_set_load_with(paths, 1, &options, &set, &err), POLICY_OK) << Take(err);
  policy_decision* d = nullptr;
  ASSERT_EQ(policy_decision_find(set, "hk.employment.part_time_on_campus_allowed", &d, &err), POLICY_OK);
  policy_evaluator* ev = nullptr;
  ASSERT_EQ(policy_evaluator_new(set, &ev, &err), POLICY_OK);
  policy_facts* empty = nullptr;
  ASSERT_EQ(policy_facts_new(d, &empty, &err), POLICY_OK);
  policy_decided out{};
  EXPECT_EQ(policy_decide(nullptr, d, empty, kAsOf, &out), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_decide(ev, d, empty, kAsOf, nullptr), POLICY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(policy_decide(ev, d, empty, kAsOf, &out), POLICY_ERR_INCOMPLETE_FACTS);
  // Complete facts on a date that does not exist: refused as policy_evaluate refuses it.
  const std::string json =
      policy::api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  policy_facts* facts = nullptr;
  ASSERT_EQ(policy_facts_from_json(d, json.data(), json.size(), &facts, &err), POLICY_OK) << Take(err);
  const policy_date no_such_day{2025, 2, 30};
  EXPECT_EQ(policy_decide(ev, d, facts, no_such_day, &out), POLICY_ERR_INVALID_ARGUMENT);
  policy_result* r = nullptr;
  EXPECT_EQ(policy_evaluate(ev, d, facts, no_such_day, POLICY_EXPLAIN_NONE, &r, &err),
            POLICY_ERR_INVALID_ARGUMENT);
  Take(err);
  EXPECT_EQ(policy_decide(ev, d, facts, kAsOf, &out), POLICY_OK);
  policy_facts_free(facts);
  policy_facts_free(empty);
  policy_evaluator_free(ev);
  policy_decision_free(d);
  policy_set_free(set);
}
