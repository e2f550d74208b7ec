#include "core/decimal.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>

namespace policy {
namespace {
using Coefficient = Decimal::Coefficient;
__extension__ using u128 = unsigned __int128;

constexpr auto Magnitude(Coefficient c) -> u128 {
  return c < 0 ? static_cast<u128>(0) - static_cast<u128>(c) : static_cast<u128>(c);
}

constexpr auto Pow10(int n) -> u128 {
  u128 r = 1;
  for (int i = 0; i < n; ++i) {
    r *= 10;
  }
  return r;
}

// (hi * 2^64 + lo) / d and the remainder, for hi < d (so the quotient fits 64 bits): one
// hardware division on x86-64 instead of a call to the 128-bit division routine.
inline auto DivideWord(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) -> uint64_t {
#if defined(__x86_64__)
  uint64_t q = 0;
  uint64_t r = 0;
  asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
  *rem = r;
  return q;
#else
  const u128 n = static_cast<u128>(hi) << 64 | lo;
  const auto q = static_cast<uint64_t>(n / d);
  *rem = static_cast<uint64_t>(n - static_cast<u128>(q) * d);
  return q;
#endif
}

// An unsigned 256-bit integer in four 64-bit limbs, least significant first: wide enough for the
// exact product of two coefficients (< 10^70) and for a dividend scaled by 10^18 (< 10^53).
struct U256 {
  std::array<uint64_t, 4> limb{};

  static auto Product(u128 a, u128 b) -> U256 {
    const std::array<uint64_t, 2> x{static_cast<uint64_t>(a), static_cast<uint64_t>(a >> 64)};
    const std::array<uint64_t, 2> y{static_cast<uint64_t>(b), static_cast<uint64_t>(b >> 64)};
    U256 r;
    for (size_t i = 0; i < 2; ++i) {
      u128 carry = 0;
      for (size_t j = 0; j < 2; ++j) {
        const u128 t = static_cast<u128>(x[i]) * y[j] + r.limb[i + j] + carry;
        r.limb[i + j] = static_cast<uint64_t>(t);
        carry = t >> 64;
      }
      r.limb[i + 2] = static_cast<uint64_t>(carry);
    }
    return r;
  }
  auto FitsU128() const -> bool { return limb[2] == 0 && limb[3] == 0; }
  auto Low() const -> u128 { return static_cast<u128>(limb[1]) << 64 | limb[0]; }
  auto Bit(int i) const -> bool { return ((limb[static_cast<size_t>(i / 64)] >> (i % 64)) & 1) != 0; }
  auto HighestBit() const -> int {
    for (int i = 3; i >= 0; --i) {
      if (limb[static_cast<size_t>(i)] != 0) {
        return i * 64 + 63 - __builtin_clzll(limb[static_cast<size_t>(i)]);
      }
    }
    return -1;
  }
  // Divides in place by a 64-bit divisor, returning the remainder (limb by limb, top first).
  auto DivideSmall(uint64_t d) -> uint64_t {
    uint64_t rem = 0;
    for (size_t i = 4; i-- > 0;) {
      if (rem == 0 && limb[i] < d) {  // a leading zero digit of the quotient: no division
        rem = limb[i];
        limb[i] = 0;
        continue;
      }
      limb[i] = DivideWord(rem, limb[i], d, &rem);
    }
    return rem;
  }
};

// The quotient and remainder of a 256-bit dividend by a divisor of up to 128 bits, with the
// quotient known to fit 128 bits or reported as not fitting (nullopt).
struct Division {
  u128 quotient;
  u128 remainder;
};
auto Divide(U256 n, u128 d) -> std::optional<Division> {
  if ((d >> 64) == 0) {
    const uint64_t rem = n.DivideSmall(static_cast<uint64_t>(d));
    if (!n.FitsU128()) {
      return std::nullopt;
    }
    return Division{n.Low(), rem};
  }
  // Shift-subtract long division; the divisor has 65 or more bits, so a quotient that fits 128
  // bits comes out of at most 192 steps. Rare: only a divisor with more than 19 significant
  // digits after removing trailing zeros gets here.
  u128 rem = 0;
  u128 q = 0;
  for (int i = n.HighestBit(); i >= 0; --i) {
    const bool carry = (rem >> 127) != 0;
    rem = rem << 1 | (n.Bit(i) ? 1 : 0);
    if ((q >> 127) != 0) {
      return std::nullopt;
    }
    q <<= 1;
    if (carry || rem >= d) {
      rem -= d;
      q |= 1;
    }
  }
  return Division{q, rem};
}

// Rounds quotient + remainder/divisor half-to-even and applies the sign; nullopt out of range.
auto RoundHalfEven(Division r, u128 divisor, bool negative) -> std::optional<Decimal> {
  u128 q = r.quotient;
  // Compare 2 * remainder with the divisor without overflowing: remainder < divisor.
  const u128 rest = divisor - r.remainder;  // > 0
  if (r.remainder > rest || (r.remainder == rest && (q & 1) != 0)) {
    ++q;
  }
  if (q >= static_cast<u128>(Decimal::kLimit)) {
    return std::nullopt;
  }
  const auto c = static_cast<Coefficient>(q);
  return Decimal::FromCoefficient(negative ? -c : c);
}
}  // namespace

auto Decimal::Parse(std::string_view text) -> std::optional<Decimal> {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  // The significant digits (leading zeros dropped) and the power of ten of the last one.
  std::string digits;
  int exponent = 0;
  int digit_count = 0;
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
    ++digit_count;
    if (seen_point) {
      --exponent;
    }
    if (digits.empty() && c == '0') {
      continue;
    }
    if (digits.size() > 64) {
      return std::nullopt;  // far out of range
    }
    digits.push_back(c);
  }
  if (digit_count == 0) {
    return std::nullopt;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    int e = 0;
    int exp_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      e = e * 10 + (text[i] - '0');
      if (e > 100000) {
        return std::nullopt;
      }
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return std::nullopt;
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) {
    return std::nullopt;
  }
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits.empty()) {
    return Decimal();
  }
  // value = digits * 10^exponent = coefficient * 10^-18.
  const int shift = exponent + kPlaces;
  if (shift < 0 || static_cast<int>(digits.size()) + shift > kPlaces + kIntegerDigits) {
    return std::nullopt;  // a non-zero digit beyond the 18th place, or out of range
  }
  u128 c = 0;
  for (const char d : digits) {
    c = c * 10 + static_cast<u128>(d - '0');
  }
  c *= Pow10(shift);
  const auto coefficient = static_cast<Coefficient>(c);
  return FromCoefficient(negative ? -coefficient : coefficient);
}

auto Decimal::ToString() const -> std::string {
  const u128 magnitude = Magnitude(c_);
  const auto whole = static_cast<uint64_t>(magnitude / static_cast<u128>(kUnit));
  auto fraction = static_cast<uint64_t>(magnitude % static_cast<u128>(kUnit));
  std::string text = fmt::format("{}{}", c_ < 0 ? "-" : "", whole);
  if (fraction != 0) {
    int places = kPlaces;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --places;
    }
    text += fmt::format(".{:0{}}", fraction, places);
  }
  return text;
}

auto Decimal::CoefficientText() const -> std::string {
  u128 magnitude = Magnitude(c_);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  return c_ < 0 ? "-" + digits : digits;
}

auto Decimal::ToDouble() const -> double {
  return std::strtod(ToString().c_str(), nullptr);
}

auto Decimal::Add(Decimal a, Decimal b) -> std::optional<Decimal> {
  return FromCoefficient(a.c_ + b.c_);  // |sum| < 2 * 10^35: no 128-bit overflow
}

auto Decimal::Sub(Decimal a, Decimal b) -> std::optional<Decimal> {
  return FromCoefficient(a.c_ - b.c_);
}

auto Decimal::Mul(Decimal a, Decimal b) -> std::optional<Decimal> {
  // (ca * 10^-18) * (cb * 10^-18) = (ca * cb / 10^18) * 10^-18, rounded.
  const bool negative = (a.c_ < 0) != (b.c_ < 0);
  U256 product = U256::Product(Magnitude(a.c_), Magnitude(b.c_));
  const uint64_t rem = product.DivideSmall(static_cast<uint64_t>(kUnit));
  if (!product.FitsU128()) {
    return std::nullopt;
  }
  return RoundHalfEven({product.Low(), rem}, static_cast<u128>(kUnit), negative);
}

auto Decimal::Div(Decimal a, Decimal b) -> std::optional<Decimal> {
  if (b.c_ == 0) {
    return std::nullopt;
  }
  // (ca * 10^-18) / (cb * 10^-18) = (ca * 10^18 / cb) * 10^-18, rounded. Trailing zeros of the
  // divisor cancel against the 10^18, which keeps the usual divisor (100, 12, 0.5) to 64 bits.
  const bool negative = (a.c_ < 0) != (b.c_ < 0);
  u128 divisor = Magnitude(b.c_);
  int scale = kPlaces;
  while (scale > 0 && divisor % 10 == 0) {
    divisor /= 10;
    --scale;
  }
  const auto division = Divide(U256::Product(Magnitude(a.c_), Pow10(scale)), divisor);
  if (!division) {
    return std::nullopt;
  }
  return RoundHalfEven(*division, divisor, negative);
}

auto Decimal::Mod(Decimal a, Decimal b) -> std::optional<Decimal> {
  if (b.c_ == 0) {
    return std::nullopt;
  }
  // Both are counts of the same unit, so the floored remainder of the counts is exact.
  Coefficient r = a.c_ % b.c_;
  if (r != 0 && ((r < 0) != (b.c_ < 0))) {
    r += b.c_;
  }
  return Decimal(r);
}

auto Decimal::Floor(Decimal a) -> Decimal {
  Coefficient r = a.c_ % kUnit;
  if (r < 0) {
    r += kUnit;
  }
  return Decimal(a.c_ - r);
}

}  // namespace policy
