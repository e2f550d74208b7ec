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
  EXPECT_FALSE(Decimal::FromInt(INT64_MAX).has_value());
  EXPECT_FALSE(Decimal::Add(Decimal::Max(), D("0.000000000000000001")).has_value());
  EXPECT_FALSE(Decimal::Sub(Decimal::Min(), D("0.000000000000000001")).has_value());
  EXPECT_FALSE(Decimal::Mul(Decimal::Max(), D("2")).has_value());
  EXPECT_FALSE(Decimal::Div(Decimal::Max(), D("0.5")).has_value());
  EXPECT_EQ(Decimal::Negate(Decimal::Min()), Decimal::Max());
}

TEST(DecimalTest, TheRangeIsSeventeenIntegerDigitsAndEighteenPlaces) {
  EXPECT_EQ(Decimal::Max().ToString(), "99999999999999999.999999999999999999");
  EXPECT_EQ(Decimal::Min().ToString(), "-99999999999999999.999999999999999999");
  EXPECT_EQ(D("99999999999999999.999999999999999999"), Decimal::Max());
  EXPECT_FALSE(Decimal::Parse("100000000000000000").has_value());
  EXPECT_EQ(D("0.000000000000000001").ToString(), "0.000000000000000001");
  EXPECT_EQ(D("1e-18").ToString(), "0.000000000000000001");
  EXPECT_EQ(D("1.50000000000000000000000").ToString(), "1.5");        // zeros beyond 18 places are exact
  EXPECT_FALSE(Decimal::Parse("0.0000000000000000001").has_value());  // a 19th place is not
  EXPECT_EQ(D("1234567.891234567891").ToString(), "1234567.891234567891");
  EXPECT_EQ(Decimal::FromInt(-99999999999999999)->ToString(), "-99999999999999999");
  EXPECT_FALSE(Decimal::FromInt(100000000000000000).has_value());
}

// The reproduction: 10.5 * ((10.5 - 1) / 10.5). The quotient is rounded to 18 places
// (0.904761904761904762), so the exact product of the two is 9.500000000000000001.
TEST(DecimalTest, MoneyTimesARoundedRateNoLongerOverflows) {
  const Decimal price = D("10.5");
  const Decimal rate = *Decimal::Div(*Decimal::Sub(price, D("1")), price);
  EXPECT_EQ(rate.ToString(), "0.904761904761904762");
  EXPECT_EQ(Decimal::Mul(price, rate)->ToString(), "9.500000000000000001");
  EXPECT_EQ(Decimal::Mul(D("2.5"), D("0.000000000000000001"))->ToString(), "0.000000000000000002");
  EXPECT_EQ(Decimal::Mul(D("3.5"), D("0.000000000000000001"))->ToString(), "0.000000000000000004");
}

TEST(DecimalTest, RemainderIsFlooredAndExact) {
  EXPECT_EQ(Decimal::Mod(D("7.5"), D("2"))->ToString(), "1.5");
  EXPECT_EQ(Decimal::Mod(D("-7.5"), D("2"))->ToString(), "0.5");
  EXPECT_EQ(Decimal::Mod(D("7.5"), D("-2"))->ToString(), "-0.5");
  EXPECT_FALSE(Decimal::Mod(D("1"), D("0")).has_value());
  EXPECT_EQ(Decimal::Floor(D("-0.5")).ToString(), "-1");
  EXPECT_EQ(Decimal::Floor(D("2.999")).ToString(), "2");
}

TEST(DecimalTest, AValueHoldsEveryDecimalExactly) {
  for (const char* text : {"0", "1", "-1", "0.000000000000000001", "-0.000000000000000001", "10.5",
                           "99999999999999999.999999999999999999", "-99999999999999999.999999999999999999",
                           "72057594037927936", "-72057594037927935.5", "1234567.891234567891"}) {
    const Value v = Value::Dec(D(text));
    EXPECT_EQ(v.tag(), Kind::kDecimal);
    EXPECT_EQ(v.as_decimal().ToString(), text);
  }
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
