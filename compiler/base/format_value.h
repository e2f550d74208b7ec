// A value in the policy language's own syntax, for the IR printer (`policy check --dump ir`),
// messages, test failures and explanations: the one printer of values. Here, beside the type
// table, because a Value carries no type: the printer needs the type the checker gave it.
#pragma once

#include <string>

#include "compiler/base/types.h"
#include "core/value.h"

namespace policy {

// Renders `value` of type `type`: `2024-03-17`, `full_time`, `{a, b}`, `12 months`, `none`,
// `Programme { mode: full_time, ... }`.
auto FormatValue(const TypeTable& types, TypeId type, const Value& value) -> std::string;

}  // namespace policy
