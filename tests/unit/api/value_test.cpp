// Values that cannot be misread, and listings that cannot be misread either (issue 35):
//  - every kind-specific reader of api::Value on every kind, not applicable included: the right
//    kind reads its value, every other kind throws BadAccess naming both (never false, 0 or "");
//  - Result::value() on an error throws BadAccess with the error's message; value_or();
//  - decision_names() lists exactly what decision() accepts, parameters() lists parameters and
//    constants with their values on a date, and "did you mean" never suggests a parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>

#include "policy/policy.hpp"

namespace policy::api {
namespace {

using std::chrono::year;

constexpr const char* kPolicy = R"(module k

enum Colour { red, green }
record Pair { a: Int, b: Text }
record Case { flag: Bool }

/// The weekly limit.
parameter limit: Int
  source "Notice 1"
  value 20 effective from 2014-03-17 until 2019-12-31
  value 24 effective from 2020-01-01 source "Notice 2"

const greeting: Text = "hello"

decision a_bool(c: Case) -> Bool
  default c.flag
decision an_int(c: Case) -> Int
  default 42
decision a_decimal(c: Case) -> Decimal
  default 7.25
decision a_text(c: Case) -> Text
  default "x"
decision a_date(c: Case) -> Date
  default 2024-03-17
decision a_duration(c: Case) -> Duration
  default 3 days
decision an_enum(c: Case) -> Colour
  default Colour.green
decision a_record(c: Case) -> Pair
  default Pair { a: 1, b: "y" }
decision a_list(c: Case) -> List<Int>
  default [1, 2]
decision a_set(c: Case) -> Set<Int>
  default {3}
decision not_applicable(c: Case) -> Bool
  rule never when c.flag and not c.flag then true
decision uses_limit(c: Case) -> Int
  default limit
def helper(x: Int) -> Int = x + 1
decision of_two(c: Case, d: Case) -> Bool
  default c.flag and d.flag
)";

auto AsOf() -> Date {
  return year{2025} / 9 / 1;
}

auto Load() -> PolicySet {
  LoadOptions options;
  options.include_stdlib = false;
  auto set = PolicySet::LoadSources({{"k.policy", kPolicy}}, options);
  if (!set.ok()) {
    ADD_FAILURE() << set.error().message;
    return {};
  }
  return *set;
}

// Each reader, called for its effect: true when it read the value, false when it threw
// BadAccess (whose message must name the reader).
struct Reader {
  const char* name;
  std::function<void(const Value&)> call;
  std::vector<Kind> accepts;
};

auto Readers() -> std::vector<Reader> {
  return {
      {"as_bool", [](const Value& v) { (void)v.as_bool(); }, {Kind::kBool}},
      {"as_int", [](const Value& v) { (void)v.as_int(); }, {Kind::kInt}},
      {"as_decimal_text", [](const Value& v) { (void)v.as_decimal_text(); }, {Kind::kDecimal, Kind::kInt}},
      {"as_double", [](const Value& v) { (void)v.as_double(); }, {Kind::kDecimal, Kind::kInt}},
      {"as_text", [](const Value& v) { (void)v.as_text(); }, {Kind::kText}},
      {"as_date", [](const Value& v) { (void)v.as_date(); }, {Kind::kDate}},
      {"duration_count", [](const Value& v) { (void)v.duration_count(); }, {Kind::kDuration}},
      {"duration_unit", [](const Value& v) { (void)v.duration_unit(); }, {Kind::kDuration}},
      {"enum_name", [](const Value& v) { (void)v.enum_name(); }, {Kind::kEnum}},
      {"size", [](const Value& v) { (void)v.size(); }, {Kind::kRecord, Kind::kList, Kind::kSet}},
      {"operator[]", [](const Value& v) { (void)v[0]; }, {Kind::kRecord, Kind::kList, Kind::kSet}},
      {"field_name", [](const Value& v) { (void)v.field_name(0); }, {Kind::kRecord}},
      {"field", [](const Value& v) { (void)v.field("a"); }, {Kind::kRecord}},
  };
}

TEST(ValueReadersTest, EveryReaderReadsItsKindAndThrowsOnEveryOther) {
  const PolicySet set = Load();
  ASSERT_TRUE(set.valid());
  const std::map<std::string, Kind> decisions = {
      {"k.a_bool", Kind::kBool},  {"k.an_int", Kind::kInt},          {"k.a_decimal", Kind::kDecimal},
      {"k.a_text", Kind::kText},  {"k.a_date", Kind::kDate},         {"k.a_duration", Kind::kDuration},
      {"k.an_enum", Kind::kEnum}, {"k.a_record", Kind::kRecord},     {"k.a_list", Kind::kList},
      {"k.a_set", Kind::kSet},    {"k.not_applicable", Kind::kNone},
  };
  Evaluator ev(set);
  size_t reads = 0;
  size_t refusals = 0;
  for (const auto& [name, kind] : decisions) {
    auto d = set.decision(name);
    ASSERT_TRUE(d.ok()) << d.error().message;
    auto facts = d->FactsFromJson(R"({"flag": false})");
    ASSERT_TRUE(facts.ok()) << facts.error().message;
    auto outcome = ev.Evaluate(*d, *facts, AsOf());
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    const Value& v = outcome->value;
    ASSERT_EQ(v.kind(), kind) << name;
    EXPECT_EQ(outcome->applicable, kind != Kind::kNone) << name;
    for (const Reader& r : Readers()) {
      const bool accepted = std::find(r.accepts.begin(), r.accepts.end(), kind) != r.accepts.end();
      if (accepted) {
        EXPECT_NO_THROW(r.call(v)) << r.name << " on " << name;
        ++reads;
        continue;
      }
      try {
        r.call(v);
        ADD_FAILURE() << r.name << " on " << name << " (" << KindName(kind) << ") read a value";
      } catch (const BadAccess& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(r.name), std::string::npos) << message;
        // Not applicable is named as such, never as a kind it might be mistaken for.
        EXPECT_NE(message.find(kind == Kind::kNone ? "not applicable" : std::string(KindName(kind))),
                  std::string::npos)
            << message;
        ++refusals;
      }
    }
  }
  EXPECT_EQ(reads + refusals, decisions.size() * Readers().size());
  EXPECT_GT(refusals, reads);
}

TEST(ValueReadersTest, TheRightReaderGivesTheValue) {
  const PolicySet set = Load();
  ASSERT_TRUE(set.valid());
  Evaluator ev(set);
  auto value_of = [&](const char* name) -> Outcome {
    auto d = set.decision(name);
    EXPECT_TRUE(d.ok());
    auto facts = d->FactsFromJson(R"({"flag": true})");
    EXPECT_TRUE(facts.ok());
    auto r = ev.Evaluate(*d, *facts, AsOf());
    EXPECT_TRUE(r.ok());
    return *r;
  };
  EXPECT_TRUE(value_of("k.a_bool").value.as_bool());
  EXPECT_EQ(value_of("k.an_int").value.as_int(), 42);
  EXPECT_EQ(value_of("k.an_int").value.as_decimal_text(), "42");
  EXPECT_EQ(value_of("k.a_decimal").value.as_decimal_text(), "7.25");
  EXPECT_DOUBLE_EQ(value_of("k.a_decimal").value.as_double(), 7.25);
  EXPECT_EQ(value_of("k.a_text").value.as_text(), "x");
  EXPECT_EQ(value_of("k.a_date").value.as_date(), Date{year{2024} / 3 / 17});
  EXPECT_EQ(value_of("k.a_duration").value.duration_count(), 3);
  EXPECT_EQ(value_of("k.a_duration").value.duration_unit(), "days");
  EXPECT_EQ(value_of("k.an_enum").value.enum_name(), "green");
  const Outcome record = value_of("k.a_record");
  ASSERT_EQ(record.value.size(), 2U);
  EXPECT_EQ(record.value.field_name(1), "b");
  EXPECT_EQ(record.value.field("b")->as_text(), "y");
  EXPECT_FALSE(record.value.field("no_such_field").has_value());
  EXPECT_THROW((void)record.value[2], BadAccess);
  EXPECT_THROW((void)record.value.field_name(2), BadAccess);
  const Outcome list = value_of("k.a_list");
  EXPECT_EQ(list.value[1].as_int(), 2);
  EXPECT_THROW((void)list.value[2], BadAccess);
  // A default-constructed Value is not applicable too.
  EXPECT_THROW((void)Value().as_bool(), BadAccess);
  EXPECT_EQ(Value().to_json(), "null");
}

TEST(ResultTest, ValueOnAnErrorThrowsWithTheErrorsMessageAndValueOrFallsBack) {
  const PolicySet set = Load();
  ASSERT_TRUE(set.valid());
  Result<Decision> missing = set.decision("k.no_such_decision");
  ASSERT_FALSE(missing.ok());
  try {
    (void)missing.value();
    ADD_FAILURE() << "value() on an error returned";
  } catch (const BadAccess& e) {
    EXPECT_NE(std::string(e.what()).find("no decision named `k.no_such_decision`"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)*missing, BadAccess);
  EXPECT_THROW((void)missing->name(), BadAccess);
  EXPECT_FALSE(missing.value_or(Decision()).valid());
  Result<Decision> found = set.decision("k.a_bool");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found.value_or(Decision()).valid());
  EXPECT_THROW((void)found.error(), BadAccess);
  Result<std::string> text = std::string("kept");
  EXPECT_EQ(std::move(text).value_or("fallback"), "kept");
  Result<int> failed = Error{ErrorCode::kNotFound, "gone", {}, {}};
  EXPECT_EQ(failed.value_or(7), 7);
}

TEST(ListingTest, DecisionNamesAreExactlyWhatDecisionAccepts) {
  const PolicySet set = Load();
  ASSERT_TRUE(set.valid());
  const std::vector<std::string> names = set.decision_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.size(), 12U);
  for (const std::string& name : names) {
    EXPECT_TRUE(set.decision(name).ok()) << name;
  }
  // Neither the parameter nor the decision of two cases is listed.
  EXPECT_EQ(std::count(names.begin(), names.end(), "k.limit"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "k.of_two"), 0);
  auto parameter = set.decision("k.limit");
  ASSERT_FALSE(parameter.ok());
  EXPECT_NE(parameter.error().message.find("is a parameter, not a decision"), std::string::npos)
      << parameter.error().message;
  // "did you mean" suggests only a decision it would accept: `k.limt` is one edit from the
  // parameter `k.limit`, and no decision is near it.
  auto near_parameter = set.decision("k.limt");
  ASSERT_FALSE(near_parameter.ok());
  EXPECT_EQ(near_parameter.error().message.find("k.limit"), std::string::npos)
      << near_parameter.error().message;
  auto near_decision = set.decision("k.an_itn");
  ASSERT_FALSE(near_decision.ok());
  EXPECT_NE(near_decision.error().message.find("did you mean `k.an_int`?"), std::string::npos)
      << near_decision.error().message;
  ASSERT_EQ(near_decision.error().diagnostics.size(), 1U);
  EXPECT_EQ(near_decision.error().diagnostics[0].code, "E0906");
}

TEST(ListingTest, ParametersAndConstantsWithTheirValuesOnADate) {
  const PolicySet set = Load();
  ASSERT_TRUE(set.valid());
  auto on = [&](Date date) {
    auto listed = set.parameters(date);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error().message);
    return listed.value_or(std::vector<ParameterValue>{});
  };
  const std::vector<ParameterValue> now = on(AsOf());
  ASSERT_EQ(now.size(), 2U);
  EXPECT_EQ(now[0].name, "k.greeting");
  EXPECT_TRUE(now[0].is_constant);
  EXPECT_EQ(now[0].type, "Text");
  EXPECT_EQ(now[0].value_json, "\"hello\"");
  EXPECT_EQ(now[1].name, "k.limit");
  EXPECT_FALSE(now[1].is_constant);
  EXPECT_TRUE(now[1].in_effect);
  EXPECT_EQ(now[1].value_json, "24");
  EXPECT_EQ(now[1].source, "Notice 2");
  EXPECT_EQ(now[1].doc, "The weekly limit.");
  const std::vector<ParameterValue> earlier = on(year{2015} / 1 / 1);
  ASSERT_EQ(earlier.size(), 2U);
  EXPECT_EQ(earlier[1].value_json, "20");
  EXPECT_EQ(earlier[1].source, "Notice 1");
  const std::vector<ParameterValue> before = on(year{2010} / 1 / 1);
  ASSERT_EQ(before.size(), 2U);
  EXPECT_FALSE(before[1].in_effect);
  EXPECT_EQ(before[1].value_json, "null");
  EXPECT_EQ(before[0].value_json, "\"hello\"");
  EXPECT_EQ(set.parameters(Date{year{2025}, std::chrono::month{2}, std::chrono::day{30}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(PolicySet().parameters(AsOf()).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(PolicySet().parameters(AsOf()).value_or({}).empty());
}

}  // namespace
}  // namespace policy::api
