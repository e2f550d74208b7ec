#include "core/date.h"

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
// (which puts the leap day at the end of the year). Any year; the fast paths below cover the
// years dates can have and fall back to these outside them.
auto DaysFromCivilAnyYear(int64_t y, uint32_t m, uint32_t d) -> int64_t {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

auto CivilFromDaysAnyDay(int64_t z) -> CivilDate {
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

// The fast paths count in the "computational calendar" of Neri and Schneider ("Euclidean affine
// functions and their application to calendar algorithms", 2022): years start on 1 March, so
// the leap day is the last day of a year, and day 0 is 0000-03-01 (719468 days before
// 1970-01-01). Every division is by a constant or a power of two, and the chain of dependent
// multiplications is about half as long as the era-based one: these conversions are most of
// the cost of a decision that does date arithmetic (`age_on`, `d + n months`).
namespace {
constexpr int64_t kDaysTo1970 = 719468;
// Unsigned 32-bit arithmetic below needs 4 * n + 3 < 2^32; 2^30 days is about 2.9 million years.
constexpr int64_t kFastDays = int64_t{1} << 30;

// A date in the computational calendar: `year` from 1 March, `month` 3 (March) to 14 (the next
// February), `day` 1..31.
struct Computational {
  uint32_t year;
  uint32_t month;
  uint32_t day;
};

// `n` days after 0000-03-01, n < kFastDays.
auto ComputationalFromDays(uint32_t n) -> Computational {
  // The century, and the day in it, from 4n + 3 = 146097 century + 4 day + r.
  const uint32_t n1 = 4 * n + 3;
  const uint32_t century = n1 / 146097;
  const uint32_t day_of_century = n1 % 146097 / 4;
  // The year in the century and the day in the year at once: 2939745 / 2^32 is 4 / 1461 less
  // a little, so the high half of the product is the year and the low half the remainder.
  const uint64_t p2 = uint64_t{2939745} * (4 * day_of_century + 3);
  const auto year_of_century = static_cast<uint32_t>(p2 >> 32);
  const uint32_t day_of_year = static_cast<uint32_t>(p2) / 2939745 / 4;  // 0 = 1 March
  // Month and day: 2141 / 2^16 approximates 5 / 153, the slope of the month lengths from March.
  const uint32_t n3 = 2141 * day_of_year + 197913;
  return {100 * century + year_of_century, n3 >> 16, (n3 & 0xffff) / 2141 + 1};
}

// Days since 1970-01-01 of a computational date (year < 1'000'000).
auto DaysFromComputational(uint32_t year, uint32_t month, uint32_t day) -> int64_t {
  const uint32_t century = year / 100;
  // Days before the year (365.25 a year, less the skipped century leap days), then before the
  // month (30.59 days a month from March, exact for months 3..14).
  const uint32_t year_days = 1461 * year / 4 - century + century / 4;
  const uint32_t month_days = (979 * month - 2919) / 32;
  return static_cast<int64_t>(year_days) + month_days + day - 1 - kDaysTo1970;
}
}  // namespace

auto DaysFromCivil(int64_t y, uint32_t m, uint32_t d) -> int64_t {
  const bool jan_feb = m <= 2;
  const int64_t year = y - (jan_feb ? 1 : 0);
  if (year < 0 || year >= 1'000'000 || m < 1 || m > 12) [[unlikely]] {
    return DaysFromCivilAnyYear(y, m, d);
  }
  return DaysFromComputational(static_cast<uint32_t>(year), jan_feb ? m + 12 : m, d);
}

auto CivilFromDays(int64_t z) -> CivilDate {
  const int64_t n = z + kDaysTo1970;
  if (n < 0 || n >= kFastDays) [[unlikely]] {
    return CivilFromDaysAnyDay(z);
  }
  const Computational c = ComputationalFromDays(static_cast<uint32_t>(n));
  const bool jan_feb = c.month >= 13;  // January and February belong to the next civil year
  return {static_cast<int32_t>(c.year + (jan_feb ? 1 : 0)), jan_feb ? c.month - 12 : c.month, c.day};
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

auto Date::AddMonthsToDays(int64_t n) const -> int64_t {
  if (n > 12 * 10000 || n < -12 * 10000) {
    return kNoDays;
  }
  const int64_t from_march_0 = int64_t{days_} + kDaysTo1970;
  if (from_march_0 < 0 || from_march_0 >= kFastDays) [[unlikely]] {
    // Not a date of years 1..9999 (FromDays takes any count): the era-based way.
    const CivilDate c = ToCivil();
    const int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + n;
    const int64_t y = total >= 0 ? total / 12 : (total - 11) / 12;
    const auto m = static_cast<uint32_t>(total - y * 12 + 1);
    if (y < kMinYear || y > kMaxYear) {
      return kNoDays;
    }
    const uint32_t last = DaysInMonth(static_cast<int32_t>(y), m);
    return DaysFromCivil(y, m, c.day < last ? c.day : last);
  }
  // In the computational calendar the month count is a plain number of months since March of
  // year 0, and February, the only month of varying length, is the last of its year.
  const Computational c = ComputationalFromDays(static_cast<uint32_t>(from_march_0));
  const int64_t total = int64_t{c.year} * 12 + (c.month - 3) + n;
  if (total < 0) {
    return kNoDays;  // before March of year 0
  }
  const auto year = static_cast<uint32_t>(total / 12);
  const auto month = static_cast<uint32_t>(total % 12) + 3;
  const int64_t civil_year = int64_t{year} + (month >= 13 ? 1 : 0);
  if (civil_year < kMinYear || civil_year > kMaxYear) {
    return kNoDays;
  }
  static constexpr uint32_t kDaysFromMarch[] = {31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28};
  const uint32_t last =
      month == 14 && IsLeapYear(static_cast<int32_t>(civil_year)) ? 29 : kDaysFromMarch[month - 3];
  // A real date by construction (the day is clamped to the month's last), so no FromCivil.
  return DaysFromComputational(year, month, c.day < last ? c.day : last);
}

}  // namespace policy
