#include "core/duration.h"

#include <fmt/format.h>

namespace policy {

auto UnitName(DurationUnit unit, bool plural) -> const char* {
  switch (unit) {
    case DurationUnit::kDays:
      return plural ? "days" : "day";
    case DurationUnit::kWeeks:
      return plural ? "weeks" : "week";
    case DurationUnit::kMonths:
      return plural ? "months" : "month";
    case DurationUnit::kYears:
      return plural ? "years" : "year";
  }
  return "?";
}

auto Duration::BaseCount() const -> std::optional<int64_t> {
  const int64_t factor = unit == DurationUnit::kWeeks ? 7 : (unit == DurationUnit::kYears ? 12 : 1);
  int64_t r = 0;
  if (__builtin_mul_overflow(count, factor, &r)) {
    return std::nullopt;
  }
  return r;
}

auto Duration::ToIso() const -> std::string {
  static constexpr char kLetter[] = {'D', 'W', 'M', 'Y'};
  return fmt::format("P{}{}", count, kLetter[static_cast<int>(unit)]);
}

auto Duration::ToText() const -> std::string {
  return fmt::format("{} {}", count, UnitName(unit, count != 1));
}

auto CompareDurations(const Duration& a, const Duration& b) -> std::optional<int> {
  if (a.IsDayBased() != b.IsDayBased()) {
    return std::nullopt;
  }
  const auto x = a.BaseCount();
  const auto y = b.BaseCount();
  if (!x || !y) {
    return std::nullopt;
  }
  return *x < *y ? -1 : (*x > *y ? 1 : 0);
}

}  // namespace policy
