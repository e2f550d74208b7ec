// JSON with exact numbers: the one reader and the one writer for every JSON text that carries
// case or result values (case files, `eval --format json`, explanations, witnesses, the API).
//
// nlohmann's DOM holds a number with a fraction or an exponent as a double, which keeps about
// 15 significant digits: `1234567.891234567891` would come back as `1234567.8912345679`. A
// `Decimal` holds more than that, so such a number is kept instead as the text it is written
// with, in a binary node tagged kDecimalSubtype (JSON text never produces binary nodes, so the
// tag cannot be confused with anything read). `Parse` builds that DOM from text through
// nlohmann's SAX interface, which hands over each number's raw token; `Dump` writes it back,
// each tagged number as its text, the rest exactly as nlohmann's own `dump` would. Integers stay
// ordinary nlohmann integers while they fit 64 bits, so code that only reads integers, strings
// and booleans needs nothing from here.
//
// Never call nlohmann's `dump()` on a DOM that may hold a tagged number: it would write the
// node as `{"bytes":[...],"subtype":...}`. Use `exact_json::Dump`.
#pragma once

#include <nlohmann/json.hpp>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.h"

namespace policy::exact_json {

// The binary subtype that marks a node as the text of a number.
inline constexpr std::uint64_t kNumberSubtype = 0xDEC;

// Thrown by Parse when arrays and objects nest deeper than `max_depth`; ParseStrict says where.
struct TooDeep {
  std::string path;  // ParseStrict: the JSON path of the value past the limit
};
// Thrown by ParseStrict for a number no double holds (1e400), with where it is.
struct BadNumber {
  std::size_t byte = 0;  // nlohmann's position: one past the number's last byte
  std::string path;
  std::string text;
};
// Thrown by ParseStrict for a key an object already has; `path` is its JSON path ($.mode).
struct DuplicateKey {
  std::string path;
};

// Parses `text` as nlohmann's `json::parse` would, with the same errors (it throws
// nlohmann::json::parse_error, and out_of_range for a number no double can hold, such as 1e999),
// except that a number with a fraction or an exponent, or an integer beyond 64 bits, is kept as
// its text. A value inside `max_depth` open arrays and objects throws TooDeep: with 1, `{}` and
// `7` pass and `{"a": 1}` does not (nlohmann's callback depth).
template <class Json>
auto Parse(std::string_view text, int max_depth = INT_MAX) -> Json;
// Parse, but a key repeated in one object throws DuplicateKey instead of keeping the last value
// (a case record with `"mode"` twice is a mistake, not an answer).
template <class Json>
auto ParseStrict(std::string_view text, int max_depth = INT_MAX) -> Json;
// Parse, with nullopt for text that is not JSON or nests too deep.
template <class Json>
auto TryParse(std::string_view text, int max_depth = INT_MAX) -> std::optional<Json>;

// Writes `j` as nlohmann's `j.dump(indent)` would (compact when `indent` < 0), with every number
// exactly as held.
template <class Json>
auto Dump(const Json& j, int indent = -1) -> std::string;

// A number node for JSON number text such as "7.5", "-12" or "2.5E-1": an integer node when the
// text is an integer that fits 64 bits, else the text itself.
template <class Json>
auto Number(std::string_view text) -> Json;
// The number node of a decimal: its exact text (Decimal::ToString), never through a double.
template <class Json>
auto Number(const Decimal& d) -> Json {
  return Number<Json>(d.ToString());
}

// Whether `j` is a JSON number of any kind.
template <class Json>
auto IsNumber(const Json& j) -> bool {
  return j.is_number() ||
         (j.is_binary() && j.get_binary().has_subtype() && j.get_binary().subtype() == kNumberSubtype);
}
// The text of a number node as read or made: "2.5E-1" stays "2.5E-1". Empty when `j` is not a
// number. A double put into the DOM by hand is written as nlohmann writes it.
template <class Json>
auto NumberText(const Json& j) -> std::string;
// Whether the number text is an integer: no fraction and no exponent ("12", "-3").
auto IsIntegerText(std::string_view text) -> bool;

}  // namespace policy::exact_json
