// Exact decimal numbers: value = mantissa / 10^scale with a 64-bit mantissa and a scale of
// 0..18. Hours such as 7.5 and money such as 1234.56 are represented exactly, so
// 0.1 + 0.2 == 0.3. Addition, subtraction, multiplication and comparison are exact; division
// rounds half-to-even at 18 significant fractional digits where the quotient does not
// terminate. Every operation that would overflow reports failure rather than wrapping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace policy {

class Decimal {
 public:
  static constexpr int kMaxScale = 18;

  constexpr Decimal() = default;
  static auto FromInt(int64_t value) -> Decimal { return Decimal(value, 0); }
  // Normalises: trailing fractional zeros are dropped (7.50 -> 7.5).
  static auto Make(int64_t mantissa, int scale) -> Decimal;
  // Parses an optional '-', digits, and an optional '.digits' part, or an exponent form as JSON
  // allows ("1e2", "2.5E-1"). nullopt when malformed or not representable exactly.
  static auto Parse(std::string_view text) -> std::optional<Decimal>;

  auto mantissa() const -> int64_t { return mantissa_; }
  auto scale() const -> int { return scale_; }
  auto IsInteger() const -> bool { return scale_ == 0; }
  auto ToString() const -> std::string;
  auto ToDouble() const -> double;

  static auto Add(Decimal a, Decimal b) -> std::optional<Decimal>;
  static auto Sub(Decimal a, Decimal b) -> std::optional<Decimal>;
  static auto Mul(Decimal a, Decimal b) -> std::optional<Decimal>;
  // nullopt on division by zero or overflow.
  static auto Div(Decimal a, Decimal b) -> std::optional<Decimal>;
  static auto Negate(Decimal a) -> std::optional<Decimal>;
  // -1, 0, 1. Exact for all representable values.
  static auto Compare(Decimal a, Decimal b) -> int;

  friend auto operator==(Decimal a, Decimal b) -> bool { return Compare(a, b) == 0; }

 private:
  constexpr Decimal(int64_t mantissa, int scale) : mantissa_(mantissa), scale_(scale) {}
  int64_t mantissa_ = 0;
  int scale_ = 0;
};

}  // namespace policy
