// std.time (written in the policy language) checked through the evaluator against C++20
// <chrono> over every day from 1900 to 2100: week starts for two first days, ages in completed
// years around every birthday (29 February included), and month ends.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "runtime/engine/engine.h"

namespace policy {
namespace {

namespace chr = std::chrono;

constexpr int32_t kFirst = -25567;  // 1900-01-01
constexpr int32_t kLast = 47846;    // 2100-12-31

const char* const kPolicy =
    "module t\n"
    "import std.time (week_start, age_on, add_months_keep_month_end, last_of_month)\n"
    "decision week_sunday(d: Date) -> Date\n  rule r then week_start(d, sunday)\n"
    "decision week_monday(d: Date) -> Date\n  rule r then week_start(d, monday)\n"
    "decision age(birth: Date, on: Date) -> Int\n  rule r then age_on(birth, on)\n"
    "decision last_day(d: Date) -> Date\n  rule r then last_of_month(d)\n"
    "decision keep_end(d: Date) -> Date\n  rule r then add_months_keep_month_end(d, 1)\n";

class TimeOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = Engine::LoadSources({{"t.policy", kPolicy}});
    ASSERT_NE(result_.engine, nullptr);
    ctx_ = result_.engine->NewContext();
  }
  auto Call(const char* name, std::initializer_list<Date> args) -> Value {
    const auto d = result_.engine->FindDecision(name);
    std::vector<Value> values;
    for (const Date a : args) {
      values.push_back(Value::DateV(a));
    }
    vm::EvalError error;
    const auto r =
        result_.engine->program().Evaluate(*ctx_, *d, values, *Date::FromCivil(2025, 1, 1), nullptr, &error);
    if (!r || !r->applicable) {
      ADD_FAILURE() << name << ": " << error.message;
      return Value();
    }
    return r->value;
  }
  LoadResult result_;
  std::unique_ptr<vm::Context> ctx_;
};

auto ToSys(Date d) -> chr::sys_days {
  return chr::sys_days{chr::days{d.days()}};
}
auto FromSys(chr::sys_days s) -> Date {
  return Date::FromDays(static_cast<int32_t>(s.time_since_epoch().count()));
}

TEST_F(TimeOracle, WeekStartMatchesChrono) {
  for (int32_t n = kFirst; n <= kLast; ++n) {
    const Date d = Date::FromDays(n);
    const chr::weekday wd{ToSys(d)};
    const Date sunday = FromSys(ToSys(d) - (wd - chr::Sunday));
    const Date monday = FromSys(ToSys(d) - (wd - chr::Monday));
    ASSERT_EQ(Call("t.week_sunday", {d}).as_date(), sunday) << d.ToString();
    ASSERT_EQ(Call("t.week_monday", {d}).as_date(), monday) << d.ToString();
  }
}

// The birthday in `year` of someone born on `birth`: the same month and day, or 1 March when the
// birthday is 29 February and `year` is common.
auto BirthdayIn(chr::year_month_day birth, chr::year year) -> chr::sys_days {
  const chr::year_month_day b = year / birth.month() / birth.day();
  return b.ok() ? chr::sys_days{b} : chr::sys_days{year / chr::March / 1};
}

TEST_F(TimeOracle, AgeInCompletedYearsMatchesChrono) {
  for (int32_t n = kFirst; n <= kLast - 20 * 366; ++n) {
    const Date birth = Date::FromDays(n);
    const chr::year_month_day b{ToSys(birth)};
    for (const int years : {0, 1, 18}) {
      const chr::sys_days birthday = BirthdayIn(b, b.year() + chr::years{years});
      for (const int offset : {-1, 0, 1}) {
        const chr::sys_days on = birthday + chr::days{offset};
        if (on < ToSys(birth)) {
          continue;
        }
        const chr::year_month_day o{on};
        const int expected =
            static_cast<int>(o.year()) - static_cast<int>(b.year()) - (on < BirthdayIn(b, o.year()) ? 1 : 0);
        ASSERT_EQ(Call("t.age", {birth, FromSys(on)}).as_int(), expected)
            << birth.ToString() << " on " << FromSys(on).ToString();
      }
    }
  }
}

TEST_F(TimeOracle, MonthEndsMatchChrono) {
  for (int32_t n = kFirst; n <= kLast - 31; ++n) {
    const Date d = Date::FromDays(n);
    const chr::year_month_day ymd{ToSys(d)};
    const chr::year_month_day_last last{ymd.year(), chr::month_day_last{ymd.month()}};
    ASSERT_EQ(Call("t.last_day", {d}).as_date(), FromSys(chr::sys_days{last})) << d.ToString();
    // Keep-month-end: a month end goes to the next month's end; other days clamp as `+ 1 month`.
    const chr::year_month_day next = ymd + chr::months{1};
    const chr::year_month_day_last next_last{next.year(), chr::month_day_last{next.month()}};
    const bool at_end = ymd.day() == last.day();
    const Date expected =
        at_end || !next.ok() ? FromSys(chr::sys_days{next_last}) : FromSys(chr::sys_days{next});
    ASSERT_EQ(Call("t.keep_end", {d}).as_date(), expected) << d.ToString();
  }
}

}  // namespace
}  // namespace policy
