// Calendar dates as a count of days since 1970-01-01 (proleptic Gregorian), restricted to the
// years 1 to 9999. Every operation that could leave that range reports failure instead of
// wrapping: a result outside it is an evaluation error, never a garbage date.
//
// Month arithmetic follows the rule in docs/language.md ("Time"): the same day of the month N
// months later, clamped to the last day of the target month when that day does not exist
// (2025-01-31 + 1 month = 2025-02-28; 2024-02-29 + 12 months = 2025-02-28).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace policy {

struct CivilDate {
  int32_t year;
  uint32_t month;  // 1..12
  uint32_t day;    // 1..31
};

class Date {
 public:
  static constexpr int32_t kMinYear = 1;
  static constexpr int32_t kMaxYear = 9999;

  constexpr Date() = default;
  static constexpr auto FromDays(int32_t days) -> Date { return Date(days); }
  // Returns nullopt when the triple is not a real date (2023-02-29) or is out of range.
  static auto FromCivil(int32_t year, uint32_t month, uint32_t day) -> std::optional<Date>;
  // Parses exactly "YYYY-MM-DD". Returns nullopt for anything else or for an invalid date.
  static auto Parse(std::string_view text) -> std::optional<Date>;

  constexpr auto days() const -> int32_t { return days_; }
  auto ToCivil() const -> CivilDate;
  auto ToString() const -> std::string;
  // 0 = Sunday ... 6 = Saturday.
  auto Weekday() const -> int;

  // Checked arithmetic: nullopt when the result leaves years 1..9999.
  auto AddDays(int64_t n) const -> std::optional<Date>;
  // Inline over AddMonthsToDays: built out of line, the optional was assembled on the stack with
  // two narrow stores and read back with one wide load, which the processor cannot forward
  // from the stores (a stall on every call; it was most of D3's time under the JIT).
  auto AddMonths(int64_t n) const -> std::optional<Date> {
    const int64_t days = AddMonthsToDays(n);
    return days == kNoDays ? std::nullopt : std::optional<Date>(Date(static_cast<int32_t>(days)));
  }
  // AddMonths as days since 1970-01-01, or kNoDays, for callers that keep it in a register.
  static constexpr int64_t kNoDays = INT64_MIN;
  auto AddMonthsToDays(int64_t n) const -> int64_t;

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

// Days since 1970-01-01 from a proleptic Gregorian (year, month, day) and back. The fast forms
// follow Neri and Schneider (2022) for years 0 to about a million; the *Any* forms are the
// era-based algorithms (Howard Hinnant's, re-derived here), valid for any year, which the fast
// forms fall back to and the unit tests compare them with. `m` must be 1..12.
auto DaysFromCivil(int64_t y, uint32_t m, uint32_t d) -> int64_t;
auto CivilFromDays(int64_t z) -> CivilDate;
auto DaysFromCivilAnyYear(int64_t y, uint32_t m, uint32_t d) -> int64_t;
auto CivilFromDaysAnyDay(int64_t z) -> CivilDate;
auto DaysInMonth(int32_t year, uint32_t month) -> uint32_t;
auto IsLeapYear(int32_t year) -> bool;

}  // namespace policy
