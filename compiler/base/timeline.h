// A set of effective periods read as one timeline: the holes between them, the dates two of them
// share, and the dates of another range they leave uncovered. Core's Period answers "is this date
// inside?"; the questions here are about a whole set of periods (the values of a parameter, the
// dated rules that put a decision in effect), and are asked by the checker (E0407, E0408) and by
// `policy lint` (W0106-W0109). Open ends are closed at 0001-01-01 and 9999-12-31, the first and
// last dates the language has, so every range here is finite and ranges can be compared.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/period.h"

namespace policy {

// The dates from `first` to `last`, both included; never empty.
struct DateRange {
  Date first;
  Date last;

  friend auto operator==(const DateRange&, const DateRange&) -> bool = default;
};

auto FirstDate() -> Date;  // 0001-01-01
auto LastDate() -> Date;   // 9999-12-31

// The dates of a period, or nothing for a period that ends before it starts (E0404).
auto RangeOf(const Period& p) -> std::optional<DateRange>;

// "from 2026-12-31 to 2026-12-31"; "from 2030-01-01 on" when the range reaches 9999-12-31,
// "until 2014-03-16" when it starts at 0001-01-01, "on every date" when it does both.
auto DescribeRange(DateRange r) -> std::string;

// Dates between the first date any of `periods` covers and the last that none covers. `before`
// is the index of the period that ends the day before the hole (the latest-ending one of those
// that start before it), `after` the index of the period that starts the day after it.
struct TimelineGap {
  size_t before = 0;
  size_t after = 0;
  DateRange dates;
};
auto FindGaps(std::span<const Period> periods) -> std::vector<TimelineGap>;

// Every pair of periods (first < second, by index) that share dates, with the dates they share.
struct TimelineOverlap {
  size_t first = 0;
  size_t second = 0;
  DateRange dates;
};
auto FindOverlaps(std::span<const Period> periods) -> std::vector<TimelineOverlap>;

// The same dates as `ranges`, in date order, with ranges that overlap or touch joined.
auto Union(std::vector<DateRange> ranges) -> std::vector<DateRange>;

// The dates of `within` (in date order, disjoint: as Union returns them) that none of `periods`
// covers, in date order.
auto Uncovered(std::span<const DateRange> within, std::span<const Period> periods) -> std::vector<DateRange>;

// The dates both of `ranges` and of `p`, in the order of `ranges`.
auto Intersect(std::span<const DateRange> ranges, const Period& p) -> std::vector<DateRange>;

// The first date after `after` on which a date enters or leaves one of `periods` (a `from`, or
// the day after an `until`), with the index of that period (one that starts, when one starts and
// another ends that day); nothing when none changes later.
struct TimelineChange {
  size_t period = 0;
  Date on;
};
auto NextChange(std::span<const Period> periods, Date after) -> std::optional<TimelineChange>;

}  // namespace policy
