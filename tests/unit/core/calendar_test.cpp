// The native calendar operations (core/calendar.h) checked against independent oracles
// over every day from 1900 to 2100: C++20 <chrono> for month roll-over, and a plain day-by-day
// walk for working days and date steps.
#include <gtest/gtest.h>

#include <chrono>

#include "core/calendar.h"

namespace policy {
namespace {

namespace chr = std::chrono;

constexpr int32_t kFirst = -25567;  // 1900-01-01
constexpr int32_t kLast = 47846;    // 2100-12-31

auto ToSys(Date d) -> chr::sys_days {
  return chr::sys_days{chr::days{d.days()}};
}

TEST(CalendarTest, BoundsAreTheDocumentedYears) {
  EXPECT_EQ(Date::FromDays(kFirst).ToString(), "1900-01-01");
  EXPECT_EQ(Date::FromDays(kLast).ToString(), "2100-12-31");
}

TEST(CalendarTest, AddMonthsOverflowRollsSurplusDaysLikeChronoSysDays) {
  for (int32_t n = kFirst; n <= kLast; ++n) {
    const Date d = Date::FromDays(n);
    const chr::year_month_day ymd{ToSys(d)};
    for (const int months : {1, -1, 12, 13, 25}) {
      // <chrono>: the first of the target month plus (day - 1) days. An invalid year_month_day
      // (31 February) converts to sys_days by rolling over, which is this convention too.
      const chr::year_month_day target = ymd + chr::months{months};
      const chr::sys_days expected =
          chr::sys_days{target.year() / target.month() / 1} + chr::days{static_cast<unsigned>(ymd.day()) - 1};
      const auto got = AddMonthsOverflow(d, months);
      ASSERT_TRUE(got.has_value());
      ASSERT_EQ(got->days(), expected.time_since_epoch().count()) << d.ToString() << " + " << months;
    }
  }
}

// The oracle for working days: walk one day at a time and test each day by the definition.
auto IsWorkingOracle(Date d, const std::vector<Date>& holidays, const std::vector<Date>& extra) -> bool {
  // Both lists are generated in ascending order.
  const auto has = [](const std::vector<Date>& v, Date x) {
    return std::binary_search(v.begin(), v.end(), x);
  };
  const unsigned wd = chr::weekday{ToSys(d)}.c_encoding();
  return has(extra, d) || (wd != 0 && wd != 6 && !has(holidays, d));
}

auto Dates(const std::vector<Date>& ds) -> std::vector<Value> {
  std::vector<Value> v;
  for (const Date d : ds) {
    v.push_back(Value::DateV(d));
  }
  std::sort(v.begin(), v.end(), [](const Value& a, const Value& b) { return a.as_date() < b.as_date(); });
  return v;
}

TEST(CalendarTest, WorkingDaysMatchADayByDayWalk) {
  // Holidays on every 11th day and make-up working days on every 17th Saturday, so that runs of
  // holidays, weekends and make-up days all occur.
  std::vector<Date> holidays;
  std::vector<Date> extra;
  for (int32_t n = kFirst; n <= kLast + 40; ++n) {
    const Date d = Date::FromDays(n);
    if (n % 11 == 0) {
      holidays.push_back(d);
    }
    if (d.Weekday() == 6 && n % 17 == 0) {
      extra.push_back(d);
    }
  }
  const std::vector<Value> hv = Dates(holidays);
  const std::vector<Value> ev = Dates(extra);
  const WorkingCalendar cal{DateSet(hv), DateSet(ev)};
  for (int32_t n = kFirst; n <= kLast; ++n) {
    const Date d = Date::FromDays(n);
    ASSERT_EQ(cal.IsWorkingDay(d), IsWorkingOracle(d, holidays, extra)) << d.ToString();
  }
  for (int32_t n = kFirst + 20; n <= kLast; n += 5) {
    const Date d = Date::FromDays(n);
    for (const int k : {0, 1, 3, 7, -1, -3}) {
      // Oracle: step day by day, counting working days, never counting d itself.
      Date cur = d;
      int remaining = k < 0 ? -k : k;
      while (remaining > 0) {
        cur = Date::FromDays(cur.days() + (k < 0 ? -1 : 1));
        remaining -= IsWorkingOracle(cur, holidays, extra) ? 1 : 0;
      }
      const auto got = AddWorkingDays(d, k, cal);
      ASSERT_TRUE(got.has_value());
      ASSERT_EQ(*got, cur) << d.ToString() << " + " << k << " working days";
      ASSERT_EQ(WorkingDaysBetween(d, cur, cal), k) << d.ToString();
    }
  }
}

TEST(CalendarTest, WorkingDaysNeverLeaveTheRange) {
  const WorkingCalendar weekdays;
  EXPECT_FALSE(AddWorkingDays(*Date::FromCivil(9999, 12, 30), 5, weekdays).has_value());
  EXPECT_FALSE(AddWorkingDays(*Date::FromCivil(1, 1, 3), -5, weekdays).has_value());
  EXPECT_FALSE(AddWorkingDays(*Date::FromCivil(2024, 1, 1), INT64_MAX, weekdays).has_value());
  EXPECT_FALSE(AddWorkingDays(*Date::FromCivil(2024, 1, 1), INT64_MIN, weekdays).has_value());
}

TEST(CalendarTest, DatesEveryStepsFromTheFirstDateWithoutDrift) {
  const Date first = *Date::FromCivil(2024, 1, 31);
  DatesEveryError error = DatesEveryError::kNone;
  const auto months =
      DatesEvery(first, *Date::FromCivil(2024, 6, 30), {1, DurationUnit::kMonths}, 100, &error);
  ASSERT_EQ(error, DatesEveryError::kNone);
  std::vector<std::string> text;
  for (const Date d : months) {
    text.push_back(d.ToString());
  }
  EXPECT_EQ(text, (std::vector<std::string>{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30",
                                            "2024-05-31", "2024-06-30"}));
  // Every day step count matches (last - first) / step + 1 for a sweep of steps and spans.
  for (int32_t span = 0; span < 800; span += 7) {
    for (const int64_t step : {1, 2, 7, 30}) {
      const Date a = *Date::FromCivil(2023, 12, 30);
      const auto got =
          DatesEvery(a, Date::FromDays(a.days() + span), {step, DurationUnit::kDays}, 100000, &error);
      ASSERT_EQ(static_cast<int64_t>(got.size()), span / step + 1);
    }
  }
  EXPECT_TRUE(
      DatesEvery(first, Date::FromDays(first.days() - 1), {1, DurationUnit::kDays}, 10, &error).empty());
  EXPECT_EQ(error, DatesEveryError::kNone);
  DatesEvery(first, first, {0, DurationUnit::kDays}, 10, &error);
  EXPECT_EQ(error, DatesEveryError::kStepNotPositive);
  DatesEvery(first, Date::FromDays(first.days() + 100), {1, DurationUnit::kDays}, 10, &error);
  EXPECT_EQ(error, DatesEveryError::kTooMany);
  // Near the end of the range the steps stop instead of wrapping.
  const auto tail = DatesEvery(*Date::FromCivil(9999, 12, 1), *Date::FromCivil(9999, 12, 31),
                               {1, DurationUnit::kMonths}, 10, &error);
  EXPECT_EQ(tail.size(), 1U);
  EXPECT_EQ(error, DatesEveryError::kNone);
}

}  // namespace
}  // namespace policy
