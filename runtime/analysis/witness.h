// Turning a Z3 model into a case record a person can read and the interpreter can evaluate.
//
// The model only fixes the variables the question depends on. A witness is therefore built by
// writing those values over a base case (an example case, or a fresh one), so the fields the
// question does not involve keep realistic values, and lists (which the encoding does not model)
// keep the base case's items.
#pragma once

#include <z3++.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "runtime/analysis/encode.h"

namespace policy::analysis {

// A value of `type` written as case JSON, as a symbolic constant: Bool, Int, Decimal, Date,
// enums, Text, sets of enum values and optionals of these; nullopt for other types or a value
// that is not of the type.
auto SymOfJson(const TypeTable& types, TypeId type, const nlohmann::json& value, z3::context& ctx)
    -> std::optional<Sym>;
// `base` with every input variable the model fixes written into it.
auto OverlayModel(const z3::model& model, const InputPool& pool, nlohmann::json base) -> nlohmann::json;
// Equalities that hold when the case record's variables take `base`'s values: soft constraints
// that make Z3 prefer a witness close to an example case.
auto Preferences(const InputPool& pool, const nlohmann::json& base) -> std::vector<z3::expr>;
// One field of the case record, as the what-if search counts changes (runtime/analysis/whatif.h):
// its JSON path (`$.a.b`) and the equalities that hold when it keeps `base`'s value (an optional's
// flag and payload are one field; a set of enum values is one field of several bits).
struct FieldKeep {
  std::string path;
  std::vector<z3::expr> equal;
};
auto KeepConstraints(const InputPool& pool, const nlohmann::json& base) -> std::vector<FieldKeep>;
// Where `after` differs from `before`: the JSON path and both values (numbers that are the same
// decimal written differently are not a difference).
struct JsonChange {
  std::string path;
  nlohmann::json before;
  nlohmann::json after;
};
auto JsonDiff(const nlohmann::json& before, const nlohmann::json& after) -> std::vector<JsonChange>;
// JsonDiff as one line per changed value: `$.a.b: old -> new`.
auto JsonChanges(const nlohmann::json& before, const nlohmann::json& after) -> std::vector<std::string>;
// The model of `hard` that keeps the most of `base`'s values (Z3's optimiser, each value a soft
// constraint), so a witness reads as "this example, with these changes". Optimising is much
// harder than solving, so it gets at most 2 s; nullopt when it finds nothing, with *timed_out
// set when it ran out of time. `prefer_as_of`: a date to prefer when the date is symbolic.
auto ClosestModel(const std::vector<z3::expr>& hard, InputPool& pool, const nlohmann::json& base,
                  unsigned timeout_ms, unsigned rlimit, std::optional<int32_t> prefer_as_of, bool* timed_out)
    -> std::optional<z3::model>;
// The evaluation date of the model (the pool's fixed date when it is not symbolic).
auto ModelAsOf(const z3::model& model, const InputPool& pool) -> std::optional<Date>;

}  // namespace policy::analysis
