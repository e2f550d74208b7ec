#include "core/calendar.h"

#include <algorithm>

namespace policy {

auto DateSet::Contains(Date d) const -> bool {
  const auto it = std::lower_bound(dates_.begin(), dates_.end(), d,
                                   [](const Value& v, Date x) { return v.as_date() < x; });
  return it != dates_.end() && it->as_date() == d;
}

auto WorkingCalendar::IsWorkingDay(Date d) const -> bool {
  if (extra_working_days.Contains(d)) {
    return true;
  }
  const int w = d.Weekday();
  return w != 0 && w != 6 && !holidays.Contains(d);
}

auto AddWorkingDays(Date d, int64_t n, const WorkingCalendar& cal) -> std::optional<Date> {
  const int64_t step = n < 0 ? -1 : 1;
  // The magnitude as unsigned: -INT64_MIN does not fit in an int64_t.
  uint64_t remaining = n < 0 ? uint64_t{0} - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  Date cur = d;
  // Each iteration moves one day, so the loop ends after at most the ~3.65 million days of the
  // supported range, whatever the calendar says.
  while (remaining > 0) {
    const std::optional<Date> next = cur.AddDays(step);
    if (!next) {
      return std::nullopt;
    }
    cur = *next;
    if (cal.IsWorkingDay(cur)) {
      --remaining;
    }
  }
  return cur;
}

auto WorkingDaysBetween(Date a, Date b, const WorkingCalendar& cal) -> int64_t {
  // Forward: the days after a up to b. Backward: the days from b up to (not including) a, the
  // days AddWorkingDays walks over when it counts back from a.
  const bool forward = a <= b;
  const int32_t lo = forward ? a.days() + 1 : b.days();
  const int32_t hi = forward ? b.days() : a.days() - 1;
  int64_t count = 0;
  for (int32_t day = lo; day <= hi; ++day) {
    count += cal.IsWorkingDay(Date::FromDays(day)) ? 1 : 0;
  }
  return forward ? count : -count;
}

auto AddMonthsOverflow(Date d, int64_t n) -> std::optional<Date> {
  const CivilDate c = d.ToCivil();
  // The first of the target month, then the original day counted from it.
  const std::optional<Date> first = Date::FromCivil(c.year, c.month, 1);
  const std::optional<Date> target = first ? first->AddMonths(n) : std::nullopt;
  if (!target) {
    return std::nullopt;
  }
  return target->AddDays(static_cast<int64_t>(c.day) - 1);
}

auto AddDuration(Date d, const Duration& step, int64_t count) -> std::optional<Date> {
  int64_t n = 0;
  const int64_t per = step.unit == DurationUnit::kWeeks ? 7 : step.unit == DurationUnit::kYears ? 12 : 1;
  if (__builtin_mul_overflow(step.count, count, &n) || __builtin_mul_overflow(n, per, &n)) {
    return std::nullopt;
  }
  return step.IsDayBased() ? d.AddDays(n) : d.AddMonths(n);
}

auto DatesEvery(Date first, Date last, const Duration& step, size_t max_items, DatesEveryError* error)
    -> std::vector<Date> {
  *error = DatesEveryError::kNone;
  std::vector<Date> out;
  if (step.count <= 0) {
    *error = DatesEveryError::kStepNotPositive;
    return out;
  }
  for (int64_t k = 0;; ++k) {
    const std::optional<Date> d = AddDuration(first, step, k);
    if (!d) {
      // Past year 9999: every later step would be too, and all of them are after `last`.
      return out;
    }
    if (*d > last) {
      return out;
    }
    if (out.size() == max_items) {
      *error = DatesEveryError::kTooMany;
      out.clear();
      return out;
    }
    out.push_back(*d);
  }
}

}  // namespace policy
