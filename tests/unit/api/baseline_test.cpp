// The benchmark's hand-written baseline (bench/baseline.h) against the engine: D1, D2 and D3 on
// every example case, as of several dates, and on variations of each case. The benchmark's ratios
// mean something only while this holds.
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/baseline.h"
#include "policy/policy.hpp"
#include "tests/unit/api/api_test_support.h"

namespace policy::api {
namespace {

namespace fs = std::filesystem;

auto DateJson(const std::optional<baseline::Date>& d) -> std::string {
  return d ? "\"" + FormatDate(std::chrono::year_month_day{*d}) + "\"" : "null";
}

TEST(BaselineTest, AgreesWithTheEngineOnEveryExampleCase) {
  auto set = PolicySet::Load({(fs::path(POLICY_SOURCE_DIR) / "policies").string()});
  ASSERT_TRUE(set.ok());
  const Decision d1 = *set->decision("hk.employment.part_time_on_campus_allowed");
  const Decision d2 = *set->decision("hk.entry.applicant_documents");
  const Decision d3 = *set->decision("hk.stay.limit_of_stay");
  Evaluator ev(*set);
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    const std::string json = ReadFile(e.path());
    const auto plain = baseline::FromJson(json);
    ASSERT_TRUE(plain.has_value()) << e.path();
    auto facts = d1.FactsFromJson(json);
    ASSERT_TRUE(facts.ok());
    // Variations that move each decision: the relaxation date, exchange students, part-time
    // study, a short travel document, a minor.
    for (int variant = 0; variant < 5; ++variant) {
      baseline::Case c = *plain;
      auto f = CaseToTypedFacts(d1, json);
      ASSERT_TRUE(f.ok());
      if (variant == 1) {
        c.is_exchange_student = true;
        ASSERT_TRUE(f->Set(*d1.field("exchange.is_exchange_student"), true).ok());
      } else if (variant == 2) {
        c.mode = baseline::Mode::kPartTime;
        ASSERT_TRUE(
            f->Set(*d1.field("programme.mode"), *d1.enum_value(*d1.field("programme.mode"), "part_time"))
                .ok());
      } else if (variant == 3) {
        c.travel_document_expiry = baseline::Date{std::chrono::year{2026} / 1 / 31};
        ASSERT_TRUE(
            f->Set(*d1.field("applicant.travel_document_expiry"), std::chrono::year{2026} / 1 / 31).ok());
      } else if (variant == 4) {
        c.date_of_birth = baseline::Date{std::chrono::year{2010} / 2 / 28};
        ASSERT_TRUE(f->Set(*d1.field("applicant.date_of_birth"), std::chrono::year{2010} / 2 / 28).ok());
      }
      for (const Date as_of : {Date{std::chrono::year{2014} / 3 / 16}, Date{std::chrono::year{2014} / 3 / 17},
                               Date{std::chrono::year{2025} / 9 / 1}}) {
        const baseline::Date bas{as_of};
        const auto r1 = ev.Evaluate(d1, *f, as_of);
        ASSERT_TRUE(r1.ok()) << r1.error().message;
        const auto b1 = baseline::PartTimeOnCampusAllowed(c, bas);
        EXPECT_EQ(r1->value.to_json(), b1 ? (*b1 ? "true" : "false") : "null")
            << e.path() << " variant " << variant;
        const auto r2 = ev.Evaluate(d2, *f, as_of);
        ASSERT_TRUE(r2.ok());
        EXPECT_EQ(r2->value.to_json(), baseline::DocumentsJson(baseline::ApplicantDocuments(c)))
            << e.path() << " variant " << variant;
        const auto r3 = ev.Evaluate(d3, *f, as_of);
        ASSERT_TRUE(r3.ok());
        EXPECT_EQ(r3->value.to_json(), DateJson(baseline::LimitOfStay(c)))
            << e.path() << " variant " << variant;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 8U * 5U * 3U);
}

}  // namespace
}  // namespace policy::api
