#include "compiler/base/timeline.h"

#include <algorithm>

namespace policy {
namespace {

// The day before and after a date inside the ranges here: callers only step inside a range
// whose other end exists, so the checked arithmetic never fails.
auto DayBefore(Date d) -> Date {
  return Date::FromDays(d.days() - 1);
}
auto DayAfter(Date d) -> Date {
  return Date::FromDays(d.days() + 1);
}

}  // namespace

auto FirstDate() -> Date {
  static const Date first = *Date::FromCivil(Date::kMinYear, 1, 1);
  return first;
}

auto LastDate() -> Date {
  static const Date last = *Date::FromCivil(Date::kMaxYear, 12, 31);
  return last;
}

auto RangeOf(const Period& p) -> std::optional<DateRange> {
  const DateRange r{p.from.value_or(FirstDate()), p.until.value_or(LastDate())};
  if (r.last < r.first) {
    return std::nullopt;
  }
  return r;
}

auto DescribeRange(DateRange r) -> std::string {
  const bool from_start = r.first == FirstDate();
  const bool to_end = r.last == LastDate();
  if (from_start && to_end) {
    return "on every date";
  }
  if (to_end) {
    return "from " + r.first.ToString() + " on";
  }
  if (from_start) {
    return "until " + r.last.ToString();
  }
  return "from " + r.first.ToString() + " to " + r.last.ToString();
}

auto FindGaps(std::span<const Period> periods) -> std::vector<TimelineGap> {
  // Sweep the periods by first date, keeping the last date covered so far and which period
  // covers it: a period that starts more than a day after it leaves a hole.
  std::vector<size_t> order;
  for (size_t i = 0; i < periods.size(); ++i) {
    if (RangeOf(periods[i])) {
      order.push_back(i);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return RangeOf(periods[a])->first < RangeOf(periods[b])->first;
  });
  std::vector<TimelineGap> gaps;
  if (order.empty()) {
    return gaps;
  }
  size_t covering = order.front();
  Date covered_until = RangeOf(periods[covering])->last;
  for (size_t k = 1; k < order.size() && covered_until < LastDate(); ++k) {
    const DateRange r = *RangeOf(periods[order[k]]);
    if (DayAfter(covered_until) < r.first) {
      gaps.push_back({covering, order[k], {DayAfter(covered_until), DayBefore(r.first)}});
    }
    if (covered_until < r.last) {
      covering = order[k];
      covered_until = r.last;
    }
  }
  return gaps;
}

auto FindOverlaps(std::span<const Period> periods) -> std::vector<TimelineOverlap> {
  std::vector<TimelineOverlap> out;
  for (size_t i = 0; i < periods.size(); ++i) {
    for (size_t j = i + 1; j < periods.size(); ++j) {
      const auto a = RangeOf(periods[i]);
      const auto b = RangeOf(periods[j]);
      if (!a || !b) {
        continue;
      }
      const DateRange shared{std::max(a->first, b->first), std::min(a->last, b->last)};
      if (!(shared.last < shared.first)) {
        out.push_back({i, j, shared});
      }
    }
  }
  return out;
}

auto Union(std::vector<DateRange> ranges) -> std::vector<DateRange> {
  std::sort(ranges.begin(), ranges.end(),
            [](const DateRange& a, const DateRange& b) { return a.first < b.first; });
  std::vector<DateRange> out;
  for (const DateRange& r : ranges) {
    if (!out.empty() && (r.first <= out.back().last || r.first == DayAfter(out.back().last))) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

auto Uncovered(std::span<const DateRange> within, std::span<const Period> periods) -> std::vector<DateRange> {
  std::vector<DateRange> covered;
  for (const Period& p : periods) {
    if (const auto r = RangeOf(p)) {
      covered.push_back(*r);
    }
  }
  std::sort(covered.begin(), covered.end(),
            [](const DateRange& a, const DateRange& b) { return a.first < b.first; });
  std::vector<DateRange> out;
  for (const DateRange& w : within) {
    // Walk `w` from its first date, skipping what the covered ranges (in date order) cover.
    Date next = w.first;
    bool done = false;
    for (const DateRange& c : covered) {
      if (done || c.last < next) {
        continue;
      }
      if (w.last < c.first) {
        break;
      }
      if (next < c.first) {
        out.push_back({next, DayBefore(c.first)});
      }
      if (w.last <= c.last) {
        done = true;
      } else {
        next = DayAfter(c.last);
      }
    }
    if (!done) {
      out.push_back({next, w.last});
    }
  }
  return out;
}

auto Intersect(std::span<const DateRange> ranges, const Period& p) -> std::vector<DateRange> {
  std::vector<DateRange> out;
  const auto q = RangeOf(p);
  if (!q) {
    return out;
  }
  for (const DateRange& r : ranges) {
    const DateRange both{std::max(r.first, q->first), std::min(r.last, q->last)};
    if (!(both.last < both.first)) {
      out.push_back(both);
    }
  }
  return out;
}

auto NextChange(std::span<const Period> periods, Date after) -> std::optional<TimelineChange> {
  std::optional<TimelineChange> best;
  const auto consider = [&](size_t i, Date on) {
    if (after < on && (!best || on < best->on)) {
      best = TimelineChange{i, on};
    }
  };
  // Starts first: on a date one period ends and another starts, the one that starts is named.
  for (size_t i = 0; i < periods.size(); ++i) {
    if (const auto r = RangeOf(periods[i]); r && periods[i].from) {
      consider(i, r->first);
    }
  }
  for (size_t i = 0; i < periods.size(); ++i) {
    if (const auto r = RangeOf(periods[i]); r && periods[i].until && r->last < LastDate()) {
      consider(i, DayAfter(r->last));
    }
  }
  return best;
}

}  // namespace policy
