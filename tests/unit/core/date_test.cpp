// Calendar arithmetic checked against an independent oracle: C++20 <chrono>, over every day
// from 1900 to 2100.
#include <gtest/gtest.h>

#include <chrono>

#include "core/date.h"

namespace policy {
namespace {

namespace chr = std::chrono;

auto Oracle(Date d) -> chr::year_month_day {
  return chr::year_month_day{chr::sys_days{chr::days{d.days()}}};
}

TEST(DateTest, CivilConversionMatchesChronoFor1900To2100) {
  const Date first = *Date::FromCivil(1900, 1, 1);
  const Date last = *Date::FromCivil(2100, 12, 31);
  for (int32_t n = first.days(); n <= last.days(); ++n) {
    const Date d = Date::FromDays(n);
    const CivilDate c = d.ToCivil();
    const chr::year_month_day ymd = Oracle(d);
    ASSERT_EQ(c.year, static_cast<int>(ymd.year()));
    ASSERT_EQ(c.month, static_cast<unsigned>(ymd.month()));
    ASSERT_EQ(c.day, static_cast<unsigned>(ymd.day()));
    ASSERT_EQ(d.Weekday(), static_cast<int>(chr::weekday{chr::sys_days{chr::days{n}}}.c_encoding()));
    ASSERT_EQ(Date::FromCivil(c.year, c.month, c.day)->days(), n);
  }
}

// The fast conversions (Neri-Schneider) against the era-based ones and <chrono>, on every day
// dates can have (years 1 to 9999) and on a margin either side, where the fast forms must hand
// over to the era-based ones without a seam.
TEST(DateTest, FastCivilConversionsAgreeOnEveryDayOfTheSupportedRange) {
  const int64_t first = DaysFromCivilAnyYear(Date::kMinYear, 1, 1) - 800;
  const int64_t last = DaysFromCivilAnyYear(Date::kMaxYear, 12, 31) + 800;
  for (int64_t n = first; n <= last; ++n) {
    const CivilDate fast = CivilFromDays(n);
    const CivilDate any = CivilFromDaysAnyDay(n);
    ASSERT_EQ(fast.year, any.year) << n;
    ASSERT_EQ(fast.month, any.month) << n;
    ASSERT_EQ(fast.day, any.day) << n;
    const chr::year_month_day ymd{chr::sys_days{chr::days{n}}};
    ASSERT_EQ(fast.year, static_cast<int>(ymd.year())) << n;
    ASSERT_EQ(fast.month, static_cast<unsigned>(ymd.month())) << n;
    ASSERT_EQ(fast.day, static_cast<unsigned>(ymd.day())) << n;
    ASSERT_EQ(DaysFromCivil(fast.year, fast.month, fast.day), n);
    ASSERT_EQ(DaysFromCivilAnyYear(fast.year, fast.month, fast.day), n);
  }
  // Far outside the fast range both ways: the fallback answers.
  for (const int64_t n : {int64_t{-800'000'000}, int64_t{-719'469}, int64_t{1} << 31,
                          int64_t{1} << 34}) {  // years within int32
    const CivilDate fast = CivilFromDays(n);
    const CivilDate any = CivilFromDaysAnyDay(n);
    EXPECT_EQ(fast.year, any.year);
    EXPECT_EQ(fast.month, any.month);
    EXPECT_EQ(fast.day, any.day);
    EXPECT_EQ(DaysFromCivil(fast.year, fast.month, fast.day), n);
  }
}

TEST(DateTest, AddMonthsClampsToMonthEndLikeChrono) {
  const Date first = *Date::FromCivil(1900, 1, 1);
  const Date last = *Date::FromCivil(2100, 12, 31);
  for (int32_t n = first.days(); n <= last.days(); n += 3) {
    const Date d = Date::FromDays(n);
    for (const int months : {1, 12, 13, -1, 72}) {
      chr::year_month_day expected = Oracle(d) + chr::months{months};
      if (!expected.ok()) {
        expected = expected.year() / expected.month() / chr::last;
      }
      const auto got = d.AddMonths(months);
      ASSERT_TRUE(got.has_value());
      ASSERT_EQ(chr::sys_days{expected}.time_since_epoch().count(), got->days())
          << d.ToString() << " + " << months;
    }
  }
}

// The same over the whole supported range, with month counts that reach past either end (the
// result is then "out of range", not a wrapped date).
TEST(DateTest, AddMonthsOverTheWholeRangeAgreesWithChrono) {
  const Date first = *Date::FromCivil(Date::kMinYear, 1, 1);
  const Date last = *Date::FromCivil(Date::kMaxYear, 12, 31);
  for (int32_t n = first.days(); n <= last.days(); n += 11) {
    const Date d = Date::FromDays(n);
    for (const int months : {-119'999, -12 * 5000, -25, -1, 0, 1, 11, 12, 13, 72, 1200, 12 * 5000, 119'999}) {
      chr::year_month_day expected = Oracle(d) + chr::months{months};
      if (!expected.ok()) {
        expected = expected.year() / expected.month() / chr::last;
      }
      const int year = static_cast<int>(expected.year());
      const auto got = d.AddMonths(months);
      if (year < Date::kMinYear || year > Date::kMaxYear) {
        ASSERT_FALSE(got.has_value()) << d.ToString() << " + " << months;
      } else {
        ASSERT_TRUE(got.has_value()) << d.ToString() << " + " << months;
        ASSERT_EQ(chr::sys_days{expected}.time_since_epoch().count(), got->days())
            << d.ToString() << " + " << months;
      }
    }
  }
}

TEST(DateTest, DocumentedMonthEndCases) {
  EXPECT_EQ(Date::Parse("2025-01-31")->AddMonths(1)->ToString(), "2025-02-28");
  EXPECT_EQ(Date::Parse("2024-01-31")->AddMonths(1)->ToString(), "2024-02-29");
  EXPECT_EQ(Date::Parse("2024-02-29")->AddMonths(12)->ToString(), "2025-02-28");
  EXPECT_EQ(Date::Parse("2024-03-31")->AddMonths(-1)->ToString(), "2024-02-29");
}

TEST(DateTest, ParseAcceptsOnlyRealIsoDates) {
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
  EXPECT_FALSE(Date::Parse("2023-02-29").has_value());
  EXPECT_FALSE(Date::Parse("2024-13-01").has_value());
  EXPECT_FALSE(Date::Parse("2024-00-10").has_value());
  EXPECT_FALSE(Date::Parse("2024-1-01").has_value());
  EXPECT_FALSE(Date::Parse("next Tuesday").has_value());
  EXPECT_FALSE(Date::Parse("0000-01-01").has_value());
  EXPECT_FALSE(Date::Parse("").has_value());
}

TEST(DateTest, ArithmeticOutsideTheRangeFailsInsteadOfWrapping) {
  EXPECT_FALSE(Date::Parse("9999-12-31")->AddDays(1).has_value());
  EXPECT_FALSE(Date::Parse("0001-01-01")->AddDays(-1).has_value());
  EXPECT_FALSE(Date::Parse("9999-12-01")->AddMonths(1).has_value());
  EXPECT_FALSE(Date::Parse("2024-01-01")->AddDays(INT64_MAX).has_value());
  EXPECT_FALSE(Date::Parse("2024-01-01")->AddMonths(INT64_MIN).has_value());
}

}  // namespace
}  // namespace policy
