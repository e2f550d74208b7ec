// compiler/base/timeline.h: holes, shared dates and uncovered dates of a set of periods, with
// open ends and periods in any order.
#include "compiler/base/timeline.h"

#include <gtest/gtest.h>

namespace policy {
namespace {

auto D(const char* text) -> Date {
  return *Date::Parse(text);
}
auto P(const char* from, const char* until) -> Period {
  Period p;
  if (from != nullptr) {
    p.from = D(from);
  }
  if (until != nullptr) {
    p.until = D(until);
  }
  return p;
}

TEST(TimelineTest, RangesCloseOpenEndsAtTheFirstAndLastDates) {
  EXPECT_EQ(RangeOf(P(nullptr, nullptr)), (DateRange{FirstDate(), LastDate()}));
  EXPECT_EQ(FirstDate().ToString(), "0001-01-01");
  EXPECT_EQ(LastDate().ToString(), "9999-12-31");
  EXPECT_FALSE(RangeOf(P("2020-01-02", "2020-01-01")));  // ends before it starts (E0404)
  EXPECT_TRUE(RangeOf(P("2020-01-01", "2020-01-01")));   // one day
}

TEST(TimelineTest, DescribesRangesAsFromTo) {
  EXPECT_EQ(DescribeRange({D("2026-12-31"), D("2026-12-31")}), "from 2026-12-31 to 2026-12-31");
  EXPECT_EQ(DescribeRange({D("2030-01-01"), LastDate()}), "from 2030-01-01 on");
  EXPECT_EQ(DescribeRange({FirstDate(), D("2014-03-16")}), "until 2014-03-16");
  EXPECT_EQ(DescribeRange({FirstDate(), LastDate()}), "on every date");
}

TEST(TimelineTest, FindsTheOneDayGapOfTheIssue) {
  const std::vector<Period> v{P("2014-03-17", "2026-12-30"), P("2027-01-01", nullptr)};
  const auto gaps = FindGaps(v);
  ASSERT_EQ(gaps.size(), 1U);
  EXPECT_EQ(gaps[0].before, 0U);
  EXPECT_EQ(gaps[0].after, 1U);
  EXPECT_EQ(gaps[0].dates, (DateRange{D("2026-12-31"), D("2026-12-31")}));
}

TEST(TimelineTest, AdjacentPeriodsLeaveNoGap) {
  EXPECT_TRUE(FindGaps(std::vector<Period>{P("2014-03-17", "2026-12-31"), P("2027-01-01", nullptr)}).empty());
  EXPECT_TRUE(FindGaps(std::vector<Period>{P(nullptr, "2013-12-31"), P("2014-01-01", "2014-12-31")}).empty());
  EXPECT_TRUE(FindGaps(std::vector<Period>{}).empty());
  // Before the first and after the last are not gaps.
  EXPECT_TRUE(FindGaps(std::vector<Period>{P("2020-04-01", "2021-03-31")}).empty());
}

TEST(TimelineTest, GapsInAnyOrderAndUnderAPeriodThatCoversOthers) {
  const std::vector<Period> v{P("2024-01-01", "2024-06-30"), P("2020-01-01", "2020-12-31"),
                              P("2022-01-01", "2023-12-31")};
  const auto gaps = FindGaps(v);
  ASSERT_EQ(gaps.size(), 1U);
  EXPECT_EQ(gaps[0].before, 1U);
  EXPECT_EQ(gaps[0].after, 2U);
  EXPECT_EQ(gaps[0].dates, (DateRange{D("2021-01-01"), D("2021-12-31")}));
  // A long period covers a short one inside it: the gap is after the long one.
  const std::vector<Period> w{P("2020-01-01", "2030-12-31"), P("2021-01-01", "2021-12-31"),
                              P("2031-01-03", nullptr)};
  const auto gaps2 = FindGaps(w);
  ASSERT_EQ(gaps2.size(), 1U);
  EXPECT_EQ(gaps2[0].before, 0U);
  EXPECT_EQ(gaps2[0].dates, (DateRange{D("2031-01-01"), D("2031-01-02")}));
  // An open-ended period ends the search.
  EXPECT_TRUE(FindGaps(std::vector<Period>{P("2020-01-01", nullptr), P("2030-01-01", "2030-01-01")}).empty());
}

TEST(TimelineTest, EmptyPeriodsAreIgnored) {
  const std::vector<Period> v{P("2020-01-01", "2020-12-31"), P("2022-01-01", "2021-01-01"),
                              P("2021-01-01", nullptr)};
  EXPECT_TRUE(FindGaps(v).empty());
  EXPECT_TRUE(FindOverlaps(v).empty());
}

TEST(TimelineTest, FindsTheDatesTwoPeriodsShare) {
  const std::vector<Period> v{P("2014-03-17", nullptr), P("2030-01-01", nullptr), P(nullptr, "2014-03-17")};
  const auto overlaps = FindOverlaps(v);
  ASSERT_EQ(overlaps.size(), 2U);
  EXPECT_EQ(overlaps[0].first, 0U);
  EXPECT_EQ(overlaps[0].second, 1U);
  EXPECT_EQ(overlaps[0].dates, (DateRange{D("2030-01-01"), LastDate()}));
  EXPECT_EQ(overlaps[1].first, 0U);
  EXPECT_EQ(overlaps[1].second, 2U);
  EXPECT_EQ(overlaps[1].dates, (DateRange{D("2014-03-17"), D("2014-03-17")}));
}

TEST(TimelineTest, UnionJoinsOverlappingAndTouchingRanges) {
  const auto u = Union({{D("2020-01-01"), D("2020-01-31")},
                        {D("2019-01-01"), D("2019-12-31")},
                        {D("2020-03-01"), D("2020-03-31")},
                        {D("2020-01-15"), D("2020-02-10")}});
  ASSERT_EQ(u.size(), 2U);
  EXPECT_EQ(u[0], (DateRange{D("2019-01-01"), D("2020-02-10")}));
  EXPECT_EQ(u[1], (DateRange{D("2020-03-01"), D("2020-03-31")}));
}

TEST(TimelineTest, UncoveredDatesBeforeBetweenAndAfter) {
  const std::vector<Period> values{P("2014-03-17", "2020-12-31"), P("2022-01-01", "2026-12-31")};
  const std::vector<DateRange> always{{FirstDate(), LastDate()}};
  const auto missing = Uncovered(always, values);
  ASSERT_EQ(missing.size(), 3U);
  EXPECT_EQ(missing[0], (DateRange{FirstDate(), D("2014-03-16")}));
  EXPECT_EQ(missing[1], (DateRange{D("2021-01-01"), D("2021-12-31")}));
  EXPECT_EQ(missing[2], (DateRange{D("2027-01-01"), LastDate()}));
  // A reader dated like the values misses nothing.
  const std::vector<DateRange> dated{{D("2014-03-17"), D("2020-12-31")}, {D("2022-01-01"), D("2026-12-31")}};
  EXPECT_TRUE(Uncovered(dated, values).empty());
}

TEST(TimelineTest, IntersectsRangesWithAPeriod) {
  const std::vector<DateRange> r{{D("2014-01-01"), D("2014-12-31")}, {D("2016-01-01"), LastDate()}};
  const auto both = Intersect(r, P("2014-06-01", "2016-06-30"));
  ASSERT_EQ(both.size(), 2U);
  EXPECT_EQ(both[0], (DateRange{D("2014-06-01"), D("2014-12-31")}));
  EXPECT_EQ(both[1], (DateRange{D("2016-01-01"), D("2016-06-30")}));
  EXPECT_TRUE(Intersect(r, P("2015-01-01", "2015-12-31")).empty());
}

TEST(TimelineTest, NextChangeIsAStartOrTheDayAfterAnEnd) {
  const std::vector<Period> v{P("2014-03-17", "2026-12-31"), P("2027-01-01", nullptr)};
  const auto c = NextChange(v, D("2025-09-01"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->on, D("2027-01-01"));
  EXPECT_EQ(c->period, 1U);  // the value that starts, not the one that ends
  EXPECT_FALSE(NextChange(v, D("2027-01-01")));
  const auto end = NextChange(std::vector<Period>{P("2020-04-01", "2021-03-31")}, D("2020-06-01"));
  ASSERT_TRUE(end);
  EXPECT_EQ(end->on, D("2021-04-01"));
  EXPECT_FALSE(NextChange(std::vector<Period>{P(nullptr, nullptr)}, D("2020-01-01")));
}

}  // namespace
}  // namespace policy
