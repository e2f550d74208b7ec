// A generator of random *well-typed* policies, with a case record for them, driven by bytes.
//
// The structured fuzz target (fuzz_well_typed) lets libFuzzer choose the bytes; the test suite
// uses fixed seeds. Every choice is read from the bytes, and when they run out every choice is
// 0, so any input, even an empty one, yields a program that must compile: a generated program
// that does not is a bug in the generator or in the checker, and both are worth knowing about.
//
// What is generated: one module with an enum, a record `Item` and a record `Case` (ints, bools,
// a decimal, dates, an enum, a set of enums, a list of items, an optional int); constants;
// functions that may call earlier functions; decisions of type Int, Bool, Decimal, Date or the
// enum, with a default or not, rules and exceptions with conditions, effective periods, and
// calls to earlier decisions. Expressions cover arithmetic (overflow and division by zero
// included: those are evaluation errors, and must be deterministic ones), comparisons, `if`,
// `match`, `??`, `is some`, `in`, aggregates over the items, and date arithmetic.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"

namespace policy::fuzz {

// Reads choices from a byte string, little by little.
class Choices {
 public:
  explicit Choices(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  // A number in [0, n); 0 when the bytes have run out.
  auto Below(uint32_t n) -> uint32_t;
  auto Chance(uint32_t percent) -> bool { return Below(100) < percent; }
  auto Between(int64_t lo, int64_t hi) -> int64_t { return lo + Below(static_cast<uint32_t>(hi - lo + 1)); }
  auto exhausted() const -> bool { return at_ >= bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

struct GeneratedProgram {
  std::string policy;                  // the module `gen`, as `.policy` text
  std::string case_json;               // a case record of type `gen.Case`
  std::vector<std::string> decisions;  // qualified names, all taking `(c: Case)`
  Date as_of;
};

auto GenerateProgram(std::span<const uint8_t> bytes) -> GeneratedProgram;

// Runs the invariants on the program `bytes` generate: it compiles; the case reads; every
// decision gives the same result (value or error) evaluated twice in one context, in a fresh
// context, and with an explanation; the explanation's value is the result, and rendering the
// explanation is deterministic; in a build with the JIT, the native code gives the same
// result as the interpreter (value, or the same error). Returns "" when all hold, else what failed with the
// program and the case, ready to be printed.
auto CheckGeneratedProgram(std::span<const uint8_t> bytes) -> std::string;

}  // namespace policy::fuzz
