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

#include "runtime/analysis/encode.h"
#include "runtime/value/date.h"

namespace policy::analysis {

// `base` with every input variable the model fixes written into it.
auto OverlayModel(const z3::model& model, const InputPool& pool, nlohmann::json base) -> nlohmann::json;
// The evaluation date of the model (the pool's fixed date when it is not symbolic).
auto ModelAsOf(const z3::model& model, const InputPool& pool) -> std::optional<Date>;

}  // namespace policy::analysis
