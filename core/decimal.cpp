#include "core/decimal.h"

#include <fmt/format.h>

#include <cstdlib>

namespace policy {
namespace {
__extension__ using i128 = __int128;

constexpr auto Pow10(int n) -> i128 {
  i128 r = 1;
  for (int i = 0; i < n; ++i) {
    r *= 10;
  }
  return r;
}

constexpr i128 kMaxMantissa = INT64_MAX;

// Builds a decimal from a 128-bit mantissa, reducing the scale while the value stays exact and
// failing when it cannot fit 64 bits.
auto FromWide(i128 mantissa, int scale) -> std::optional<Decimal> {
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  if (scale > Decimal::kMaxScale || mantissa > kMaxMantissa || mantissa < -kMaxMantissa) {
    return std::nullopt;
  }
  return Decimal::Make(static_cast<int64_t>(mantissa), scale);
}

// Brings both operands to the larger scale.
auto Align(Decimal a, Decimal b, i128& ma, i128& mb) -> int {
  const int s = a.scale() > b.scale() ? a.scale() : b.scale();
  ma = static_cast<i128>(a.mantissa()) * Pow10(s - a.scale());
  mb = static_cast<i128>(b.mantissa()) * Pow10(s - b.scale());
  return s;
}
}  // namespace

auto Decimal::Make(int64_t mantissa, int scale) -> Decimal {
  while (scale > 0 && mantissa % 10 == 0) {
    mantissa /= 10;
    --scale;
  }
  return Decimal(mantissa, scale);
}

auto Decimal::Parse(std::string_view text) -> std::optional<Decimal> {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  i128 mantissa = 0;
  int scale = 0;
  int digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      break;
    }
    mantissa = mantissa * 10 + (c - '0');
    if (seen_point) {
      ++scale;
    }
    if (mantissa > kMaxMantissa * 10) {
      return std::nullopt;
    }
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    int exp_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) {
        return std::nullopt;
      }
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return std::nullopt;
    }
    if (exp_negative) {
      exponent = -exponent;
    }
  }
  if (i != text.size()) {
    return std::nullopt;
  }
  scale -= exponent;
  while (scale < 0) {
    mantissa *= 10;
    ++scale;
    if (mantissa > kMaxMantissa * 10) {
      return std::nullopt;
    }
  }
  return FromWide(negative ? -mantissa : mantissa, scale);
}

auto Decimal::ToString() const -> std::string {
  if (scale_ == 0) {
    return fmt::format("{}", mantissa_);
  }
  const bool negative = mantissa_ < 0;
  // Work on the magnitude as unsigned so INT64_MIN cannot overflow.
  const uint64_t magnitude = negative ? static_cast<uint64_t>(0) - static_cast<uint64_t>(mantissa_)
                                      : static_cast<uint64_t>(mantissa_);
  std::string digits = fmt::format("{}", magnitude);
  if (static_cast<int>(digits.size()) <= scale_) {
    digits.insert(0, static_cast<size_t>(scale_) - digits.size() + 1, '0');
  }
  digits.insert(digits.size() - static_cast<size_t>(scale_), 1, '.');
  return negative ? "-" + digits : digits;
}

auto Decimal::ToDouble() const -> double {
  return std::strtod(ToString().c_str(), nullptr);
}

auto Decimal::Add(Decimal a, Decimal b) -> std::optional<Decimal> {
  i128 ma = 0;
  i128 mb = 0;
  const int s = Align(a, b, ma, mb);
  return FromWide(ma + mb, s);
}

auto Decimal::Sub(Decimal a, Decimal b) -> std::optional<Decimal> {
  i128 ma = 0;
  i128 mb = 0;
  const int s = Align(a, b, ma, mb);
  return FromWide(ma - mb, s);
}

auto Decimal::Mul(Decimal a, Decimal b) -> std::optional<Decimal> {
  return FromWide(static_cast<i128>(a.mantissa_) * b.mantissa_, a.scale_ + b.scale_);
}

auto Decimal::Negate(Decimal a) -> std::optional<Decimal> {
  return FromWide(-static_cast<i128>(a.mantissa_), a.scale_);
}

auto Decimal::Div(Decimal a, Decimal b) -> std::optional<Decimal> {
  if (b.mantissa_ == 0) {
    return std::nullopt;
  }
  // a/b = (ma / mb) * 10^(sb - sa). Long division on magnitudes: produce fractional digits
  // until the quotient is exact or has kMaxScale + 1 of them, then round half-to-even.
  const bool negative = (a.mantissa_ < 0) != (b.mantissa_ < 0);
  i128 num = a.mantissa_ < 0 ? -static_cast<i128>(a.mantissa_) : a.mantissa_;
  const i128 den = b.mantissa_ < 0 ? -static_cast<i128>(b.mantissa_) : b.mantissa_;
  int scale = a.scale_ - b.scale_;
  while (scale < 0) {
    num *= 10;
    ++scale;
  }
  i128 q = num / den;
  i128 r = num % den;
  while (r != 0 && scale <= kMaxScale && q <= kMaxMantissa) {
    q = q * 10 + (r * 10) / den;
    r = (r * 10) % den;
    ++scale;
  }
  // Drop digits that do not fit (scale or 64-bit mantissa), rounding half-to-even; `r` keeps
  // track of whether anything non-zero was dropped so far (the sticky bit).
  while ((scale > kMaxScale || q > kMaxMantissa) && scale > 0) {
    const i128 digit = q % 10;
    q /= 10;
    --scale;
    if (digit > 5 || (digit == 5 && (r != 0 || q % 2 != 0))) {
      ++q;
    }
    r = (r != 0 || digit != 0) ? 1 : 0;
  }
  return FromWide(negative ? -q : q, scale);
}

auto Decimal::Compare(Decimal a, Decimal b) -> int {
  i128 ma = 0;
  i128 mb = 0;
  Align(a, b, ma, mb);
  return ma < mb ? -1 : (ma > mb ? 1 : 0);
}

}  // namespace policy
