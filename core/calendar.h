// Calendar operations that need iteration or a choice of convention, and so cannot be written in
// the policy language itself: working days, month arithmetic that rolls over instead of
// clamping, and enumerating dates at a fixed step. The simpler ones (week start, age, month
// ends) are written in the language, in stdlib/std/time.policy.
//
// Like Date's own arithmetic, every function reports failure (nullopt) instead of producing a
// date outside years 1..9999, and every loop is bounded by that range.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/date.h"
#include "core/duration.h"
#include "core/value.h"

namespace policy {

// A policy `Set<Date>`: date Values kept sorted and free of duplicates (see value.h), so
// membership is a binary search and no copy is needed.
class DateSet {
 public:
  DateSet() = default;
  explicit DateSet(std::span<const Value> sorted_dates) : dates_(sorted_dates) {}
  auto Contains(Date d) const -> bool;

 private:
  std::span<const Value> dates_;
};

// The working-day rule of docs/language.md ("Working days"): a day is a working day when it is
// Monday to Friday and not a holiday, or when it is listed as an extra working day (the
// weekend days that some calendars declare as make-up working days).
struct WorkingCalendar {
  DateSet holidays;
  DateSet extra_working_days;
  auto IsWorkingDay(Date d) const -> bool;
};

// The n-th working day after `d` (n > 0), before it (n < 0), or `d` itself (n = 0). `d` itself is
// never counted: the first working day after a Friday is the following Monday.
auto AddWorkingDays(Date d, int64_t n, const WorkingCalendar& cal) -> std::optional<Date>;

// The number of working days after a up to and including b when a <= b; when b < a, minus the
// number from b up to but not including a (the days AddWorkingDays passes when counting back).
// So when b is a working day, AddWorkingDays(a, WorkingDaysBetween(a, b)) == b.
auto WorkingDaysBetween(Date a, Date b, const WorkingCalendar& cal) -> int64_t;

// Month arithmetic with roll-over: when the day does not exist in the target month, the
// surplus days run into the next month (2025-01-31 + 1 month = 2025-03-03).
auto AddMonthsOverflow(Date d, int64_t n) -> std::optional<Date>;

// Moves `d` by `count` steps of `unit` (days, weeks, months clamped, years clamped).
auto AddDuration(Date d, const Duration& step, int64_t count) -> std::optional<Date>;

enum class DatesEveryError : uint8_t { kNone, kStepNotPositive, kTooMany };

// first, first + step, first + 2 step, ... up to and including `last` (empty when last < first).
// Month steps are taken from `first` each time (first + k months), so the day of the month does
// not drift after a short month. At most `max_items` dates are produced.
auto DatesEvery(Date first, Date last, const Duration& step, size_t max_items, DatesEveryError* error)
    -> std::vector<Date>;

}  // namespace policy
