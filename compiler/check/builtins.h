// Builtin functions: the primitives the language cannot express itself. The checker types calls
// to them; the runtime implements them (runtime/vm/builtins.cpp). One line per builtin:
//   X(Name, "name", arity, "signature as documented")
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace policy::check {

#define POLICY_BUILTINS(X)                                                           \
  X(Min, "min", 2, "min(a: T, b: T) -> T for Int, Decimal, Date, Duration, Text")    \
  X(Max, "max", 2, "max(a: T, b: T) -> T for Int, Decimal, Date, Duration, Text")    \
  X(Abs, "abs", 1, "abs(x: Int | Decimal) -> same")                                  \
  X(Length, "length", 1, "length(x: List<T> | Set<T> | Text) -> Int (code points)")  \
  X(Year, "year", 1, "year(d: Date) -> Int")                                         \
  X(Month, "month", 1, "month(d: Date) -> Int (1-12)")                               \
  X(Day, "day_of_month", 1, "day_of_month(d: Date) -> Int (1-31)")                   \
  X(Weekday, "weekday", 1, "weekday(d: Date) -> Int (0 = Sunday ... 6 = Saturday)")  \
  X(DaysBetween, "days_between", 2, "days_between(a: Date, b: Date) -> Int (b - a)") \
  X(ToDecimal, "to_decimal", 1, "to_decimal(x: Int) -> Decimal")

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
