// What a decision's value can depend on, as text: its default and rules (conditions, results,
// effective periods, which rule overrides which), and the same for every function, decision and
// constant it reaches, with the declarations of every enum and record type. Two programs that
// give a decision the same text decide it identically for every case and date, so `policy
// review` and `policy diff` need not ask Z3 about it. Doc comments, citations, the source text
// of conditions and the layout of the file are not part of it: rewording or reformatting
// changes no decision.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace policy::ir {

// One text per decision of `program`, in the order of `program.decisions`.
auto DecisionDefinitions(const Program& program) -> std::vector<std::string>;

// Each rule of `decision` on its own (its conditions, value, effective period and the rules it
// overrides, not what they call): which rules of a touched decision a change edited.
auto RuleDefinitions(const Program& program, uint32_t decision) -> std::vector<std::string>;

}  // namespace policy::ir
