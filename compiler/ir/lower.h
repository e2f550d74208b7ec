// Stage 3: checked program -> IR. Cannot fail: every user error was reported by the checker,
// and Lower() must only be called when the checker reported none.
#pragma once

#include <memory>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/check.h"
#include "compiler/ir/ir.h"

namespace policy::ir {

auto Lower(check::Program&& checked, const SourceManager& sources) -> std::unique_ptr<Program>;

// A readable dump of the IR (`policy check --dump=ir`).
auto PrintIr(const Program& program) -> std::string;

}  // namespace policy::ir
