// Exact decimal numbers with 18 places: a Decimal is a 128-bit integer count of 10^-18 units, so
// hours such as 7.5, money such as 1234.56 and rates such as 0.904761904761904762 are all held
// exactly and 0.1 + 0.2 == 0.3.
//
// Range: |value| < 10^17 (17 integer digits and 18 places: 35 significant digits, SQL
// NUMERIC(35,18)). The coefficient needs 120 bits, which is what a Value holds inline next to its
// tag (core/value.h), so a decimal costs no more than an integer in records, lists and typed
// facts and never allocates. docs/language.md explains the choice against a 38-digit range.
//
// Every operation is exact when the exact result has at most 18 places and is otherwise rounded
// half-to-even to 18 places (multiplication and division alike). An operation whose result is
// outside the range, and division by zero, report failure (nullopt) instead of wrapping.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace policy {

class Decimal {
 public:
  __extension__ using Coefficient = __int128;

  static constexpr int kPlaces = 18;                               // digits after the point
  static constexpr int kIntegerDigits = 17;                        // digits before it
  static constexpr Coefficient kUnit = 1'000'000'000'000'000'000;  // 10^18: the coefficient of 1
  // Every coefficient is strictly between -kLimit and kLimit: 10^35.
  static constexpr Coefficient kLimit = kUnit * 100'000'000'000'000'000;

  constexpr Decimal() = default;
  // nullopt when |value| >= 10^17.
  static constexpr auto FromInt(int64_t value) -> std::optional<Decimal> {
    return FromCoefficient(static_cast<Coefficient>(value) * kUnit);
  }
  // The decimal coefficient * 10^-18; nullopt outside the range.
  static constexpr auto FromCoefficient(Coefficient c) -> std::optional<Decimal> {
    if (c >= kLimit || c <= -kLimit) {
      return std::nullopt;
    }
    return Decimal(c);
  }
  // For a coefficient read back from where a Decimal was stored (core/value.h): not range-checked.
  static constexpr auto FromStoredCoefficient(Coefficient c) -> Decimal { return Decimal(c); }
  static constexpr auto Max() -> Decimal { return Decimal(kLimit - 1); }
  static constexpr auto Min() -> Decimal { return Decimal(-(kLimit - 1)); }
  // Parses an optional sign, digits, and an optional '.digits' part, or an exponent form as JSON
  // allows ("1e2", "2.5E-1"). nullopt when malformed, out of range, or with a non-zero digit
  // beyond the 18th place (a number is read exactly or not at all).
  static auto Parse(std::string_view text) -> std::optional<Decimal>;

  constexpr auto coefficient() const -> Coefficient { return c_; }
  // The coefficient in decimal digits ("-10500000000000000000" for -10.5), for tools that hold
  // decimals as integers (the Z3 encoding).
  auto CoefficientText() const -> std::string;
  constexpr auto IsInteger() const -> bool { return c_ % kUnit == 0; }
  constexpr auto IsNegative() const -> bool { return c_ < 0; }
  // The shortest exact text: no exponent, no trailing fractional zeros ("7.5", "-0.125", "20").
  auto ToString() const -> std::string;
  auto ToDouble() const -> double;

  static auto Add(Decimal a, Decimal b) -> std::optional<Decimal>;
  static auto Sub(Decimal a, Decimal b) -> std::optional<Decimal>;
  static auto Mul(Decimal a, Decimal b) -> std::optional<Decimal>;
  // nullopt on division by zero (b == 0) or when the quotient is out of range.
  static auto Div(Decimal a, Decimal b) -> std::optional<Decimal>;
  // a - b * floor(a / b), always exact; nullopt when b == 0.
  static auto Mod(Decimal a, Decimal b) -> std::optional<Decimal>;
  // Never fails: the range is symmetric.
  static constexpr auto Negate(Decimal a) -> Decimal { return Decimal(-a.c_); }
  // The largest integer <= a.
  static auto Floor(Decimal a) -> Decimal;
  static constexpr auto Compare(Decimal a, Decimal b) -> int {
    return a.c_ < b.c_ ? -1 : (a.c_ > b.c_ ? 1 : 0);
  }

  friend constexpr auto operator==(Decimal a, Decimal b) -> bool { return a.c_ == b.c_; }
  friend constexpr auto operator<=>(Decimal a, Decimal b) -> std::strong_ordering { return a.c_ <=> b.c_; }

 private:
  constexpr explicit Decimal(Coefficient c) : c_(c) {}
  Coefficient c_ = 0;
};

}  // namespace policy
