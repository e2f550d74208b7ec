#include <gtest/gtest.h>

#include "core/decimal.h"
#include "core/duration.h"
#include "core/value.h"

namespace policy {
namespace {

auto D(const char* s) -> Decimal {
  return *Decimal::Parse(s);
}

TEST(DecimalTest, AdditionIsExact) {
  EXPECT_EQ(Decimal::Add(D("0.1"), D("0.2"))->ToString(), "0.3");
  EXPECT_EQ(Decimal::Add(D("7.5"), D("12.5"))->ToString(), "20");
  EXPECT_EQ(Decimal::Sub(D("1"), D("0.75"))->ToString(), "0.25");
  EXPECT_EQ(Decimal::Mul(D("1.5"), D("-2.25"))->ToString(), "-3.375");
}

TEST(DecimalTest, ParseAndPrint) {
  EXPECT_EQ(D("7.50").ToString(), "7.5");
  EXPECT_EQ(D("-0.05").ToString(), "-0.05");
  EXPECT_EQ(D("1e2").ToString(), "100");
  EXPECT_EQ(D("2.5E-1").ToString(), "0.25");
  EXPECT_FALSE(Decimal::Parse("1.2.3").has_value());
  EXPECT_FALSE(Decimal::Parse("abc").has_value());
  EXPECT_FALSE(Decimal::Parse("").has_value());
  EXPECT_FALSE(Decimal::Parse("99999999999999999999999").has_value());
}

TEST(DecimalTest, DivisionRoundsHalfEvenAtEighteenPlaces) {
  EXPECT_EQ(Decimal::Div(D("1"), D("4"))->ToString(), "0.25");
  EXPECT_EQ(Decimal::Div(D("1"), D("3"))->ToString(), "0.333333333333333333");
  EXPECT_EQ(Decimal::Div(D("2"), D("3"))->ToString(), "0.666666666666666667");
  EXPECT_EQ(Decimal::Div(D("-1"), D("8"))->ToString(), "-0.125");
  EXPECT_FALSE(Decimal::Div(D("1"), D("0")).has_value());
}

TEST(DecimalTest, OverflowIsReportedNotWrapped) {
  const Decimal big = Decimal::FromInt(INT64_MAX);
  EXPECT_FALSE(Decimal::Add(big, Decimal::FromInt(1)).has_value());
  EXPECT_FALSE(Decimal::Mul(big, Decimal::FromInt(2)).has_value());
}

TEST(DecimalTest, ComparisonAcrossScales) {
  EXPECT_EQ(Decimal::Compare(D("1.0"), D("1")), 0);
  EXPECT_LT(Decimal::Compare(D("0.99"), D("1")), 0);
  EXPECT_GT(Decimal::Compare(D("-0.5"), D("-0.75")), 0);
}

TEST(DurationTest, ComparableOnlyWithinAFamily) {
  EXPECT_EQ(CompareDurations({2, DurationUnit::kWeeks}, {14, DurationUnit::kDays}), 0);
  EXPECT_EQ(CompareDurations({1, DurationUnit::kYears}, {12, DurationUnit::kMonths}), 0);
  EXPECT_EQ(CompareDurations({26, DurationUnit::kWeeks}, {27, DurationUnit::kWeeks}), -1);
  EXPECT_FALSE(CompareDurations({4, DurationUnit::kWeeks}, {1, DurationUnit::kMonths}).has_value());
  EXPECT_EQ((Duration{26, DurationUnit::kWeeks}.ToIso()), "P26W");
  EXPECT_EQ((Duration{8, DurationUnit::kMonths}.ToIso()), "P8M");
}

TEST(ValueTest, ScalarsAreSixteenBytesAndSetsAreSortedUnique) {
  Arena arena;
  const Value set = arena.NewSet({Value::Enum(3), Value::Enum(1), Value::Enum(3), Value::Enum(2)});
  ASSERT_EQ(set.items().size(), 3U);
  EXPECT_EQ(set.items()[0].as_enum(), 1U);
  EXPECT_EQ(set.items()[2].as_enum(), 3U);
  EXPECT_EQ(arena.NewText("报销审批").as_text(), "报销审批");
}

}  // namespace
}  // namespace policy
