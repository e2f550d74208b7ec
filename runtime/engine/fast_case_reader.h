// The fast road from a case record's JSON to runtime values: simdjson's DOM parser (SIMD, chosen
// for the CPU at run time) and one walk of its tape guided by the declared record type.
//
// It only ever succeeds or steps aside. On anything it does not handle exactly as the full
// reader (input_json.cpp) would — a value of the wrong type, a missing or unknown field, a key
// given twice, a set with duplicates, a fraction for a `Decimal` in a text that has a number of
// 16 or more significant digits (simdjson keeps a fraction as a double, which then may not tell
// the digits written), a nesting or size limit — it returns nullopt
// without a word, and the full reader reads the case again and reports every problem with its
// JSON path. So every diagnostic still comes from one reader, and a value it gives is the value
// the full reader gives (tests/unit/engine/fast_case_reader_test.cpp checks both on every
// example case and every case of the fuzz corpus).
#pragma once

#include <optional>
#include <string_view>

#include "compiler/base/types.h"
#include "core/value.h"
#include "runtime/engine/engine.h"  // InputLimits

namespace policy {

auto ReadCaseFast(const TypeTable& types, TypeId record, std::string_view json, Arena& arena,
                  const InputLimits& limits) -> std::optional<Value>;

// What the two readers share: the ISO 8601 durations of case records (P26W, P12M, P3D, P2Y).
auto ParseCaseDuration(std::string_view text) -> std::optional<Duration>;

}  // namespace policy
