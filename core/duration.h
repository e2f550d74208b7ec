// Calendar-aware durations. A duration keeps the unit it was written in (26 weeks stays
// "P26W", 8 months stays "P8M"), because the law states periods in a unit and the JSON
// contract prints them unnormalised.
//
// Comparison: days and weeks compare by their length in days; months and years compare by
// their length in months. A day-based and a month-based duration have no single answer
// (is 4 weeks shorter than 1 month? it depends on the month), so comparing them is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace policy {

enum class DurationUnit : uint8_t { kDays, kWeeks, kMonths, kYears };

struct Duration {
  int64_t count = 0;
  DurationUnit unit = DurationUnit::kDays;

  auto IsDayBased() const -> bool { return unit == DurationUnit::kDays || unit == DurationUnit::kWeeks; }
  // Length in the base unit of its family: days for days/weeks, months for months/years.
  auto BaseCount() const -> std::optional<int64_t>;
  // ISO 8601: P3D, P26W, P8M, P2Y.
  auto ToIso() const -> std::string;
  // "3 days", "1 month".
  auto ToText() const -> std::string;
};

// -1/0/1, or nullopt when the two are not comparable (day-based against month-based).
auto CompareDurations(const Duration& a, const Duration& b) -> std::optional<int>;
auto UnitName(DurationUnit unit, bool plural) -> const char*;

}  // namespace policy
