// Builtin functions: the primitives the language cannot express itself. The checker types calls
// to them; the runtime implements them (runtime/vm/builtins.cpp). One line per builtin:
//   X(Name, "name", arity, "signature as documented")
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace policy::check {

#define POLICY_BUILTINS(X)                                                                               \
  X(Min, "min", 2, "min(a: T, b: T) -> T for Int, Decimal, Date, Duration, Text")                        \
  X(Max, "max", 2, "max(a: T, b: T) -> T for Int, Decimal, Date, Duration, Text")                        \
  X(Abs, "abs", 1, "abs(x: Int | Decimal) -> same")                                                      \
  X(Length, "length", 1, "length(x: List<T> | Set<T> | Text) -> Int (code points)")                      \
  X(Year, "year", 1, "year(d: Date) -> Int")                                                             \
  X(Month, "month", 1, "month(d: Date) -> Int (1-12)")                                                   \
  X(Day, "day_of_month", 1, "day_of_month(d: Date) -> Int (1-31)")                                       \
  X(Weekday, "weekday", 1, "weekday(d: Date) -> Int (0 = Sunday ... 6 = Saturday)")                      \
  X(DaysBetween, "days_between", 2, "days_between(a: Date, b: Date) -> Int (b - a)")                     \
  X(ToDecimal, "to_decimal", 1, "to_decimal(x: Int) -> Decimal")                                         \
  X(AddWorkingDays, "add_working_days", 4,                                                               \
    "add_working_days(d: Date, n: Int, holidays: Set<Date>, extra_working_days: Set<Date>) -> Date")     \
  X(WorkingDaysBetween, "working_days_between", 4,                                                       \
    "working_days_between(a: Date, b: Date, holidays: Set<Date>, extra_working_days: Set<Date>) -> Int") \
  X(AddMonthsOverflow, "add_months_overflow", 2, "add_months_overflow(d: Date, n: Int) -> Date")         \
  X(DatesEvery, "dates_every", 3, "dates_every(first: Date, last: Date, step: Duration) -> List<Date>")  \
  X(Distinct, "distinct", 1, "distinct(xs: List<T>) -> Set<T>")                                          \
  X(ToList, "to_list", 1, "to_list(xs: Set<T>) -> List<T> (ascending)")                                  \
  X(Flatten, "flatten", 1, "flatten(xs: List<List<T>> | List<Set<T>>) -> List<T>")

enum class Builtin : uint8_t {
#define X(name, text, arity, doc) k##name,
  POLICY_BUILTINS(X)
#undef X
};

struct BuiltinInfo {
  Builtin id;
  std::string_view name;
  int arity;
  std::string_view doc;
};

auto FindBuiltin(std::string_view name) -> std::optional<BuiltinInfo>;
auto GetBuiltin(Builtin b) -> BuiltinInfo;

}  // namespace policy::check
