#include "runtime/value/date.h"

#include <fmt/format.h>

namespace policy {
namespace {
const int64_t kMinDays = DaysFromCivil(Date::kMinYear, 1, 1);
const int64_t kMaxDays = DaysFromCivil(Date::kMaxYear, 12, 31);
}  // namespace

auto IsLeapYear(int32_t year) -> bool {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

auto DaysInMonth(int32_t year, uint32_t month) -> uint32_t {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[month - 1];
}

// Era-based conversion: an era is 400 years (146097 days), after which the Gregorian calendar
// repeats exactly, so all the work happens on a year-of-era in [0, 399] starting in March
// (which puts the leap day at the end of the year).
auto DaysFromCivil(int64_t y, uint32_t m, uint32_t d) -> int64_t {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

auto CivilFromDays(int64_t z) -> CivilDate {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int32_t>(y + (m <= 2 ? 1 : 0)), m, d};
}

auto Date::FromCivil(int32_t year, uint32_t month, uint32_t day) -> std::optional<Date> {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return Date(static_cast<int32_t>(DaysFromCivil(year, month, day)));
}

auto Date::Parse(std::string_view text) -> std::optional<Date> {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  auto digits = [&](size_t from, size_t count) -> int {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return -1;
      }
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const int y = digits(0, 4);
  const int m = digits(5, 2);
  const int d = digits(8, 2);
  if (y < 0 || m < 0 || d < 0) {
    return std::nullopt;
  }
  return FromCivil(y, static_cast<uint32_t>(m), static_cast<uint32_t>(d));
}

auto Date::ToCivil() const -> CivilDate {
  return CivilFromDays(days_);
}

auto Date::ToString() const -> std::string {
  const CivilDate c = ToCivil();
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

auto Date::Weekday() const -> int {
  // 1970-01-01 was a Thursday (4).
  const int64_t w = (static_cast<int64_t>(days_) + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

auto Date::AddDays(int64_t n) const -> std::optional<Date> {
  // |n| beyond the whole supported range can only fail; checking first avoids overflow.
  if (n > kMaxDays - kMinDays || n < kMinDays - kMaxDays) {
    return std::nullopt;
  }
  const int64_t r = static_cast<int64_t>(days_) + n;
  if (r < kMinDays || r > kMaxDays) {
    return std::nullopt;
  }
  return Date(static_cast<int32_t>(r));
}

auto Date::AddMonths(int64_t n) const -> std::optional<Date> {
  if (n > 12 * 10000 || n < -12 * 10000) {
    return std::nullopt;
  }
  const CivilDate c = ToCivil();
  const int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + n;
  const int64_t y = total >= 0 ? total / 12 : (total - 11) / 12;
  const auto m = static_cast<uint32_t>(total - y * 12 + 1);
  if (y < kMinYear || y > kMaxYear) {
    return std::nullopt;
  }
  const uint32_t last = DaysInMonth(static_cast<int32_t>(y), m);
  return FromCivil(static_cast<int32_t>(y), m, c.day < last ? c.day : last);
}

}  // namespace policy
