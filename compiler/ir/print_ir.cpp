#include <fmt/format.h>

#include "compiler/base/format_value.h"
#include "compiler/ir/lower.h"
#include "core/builtins.h"

namespace policy::ir {
namespace {

auto OpName(const Node& n) -> std::string {
  static constexpr const char* kNames[] = {
      "const",   "local", "global",  "as_of",     "field",      "call",           "decide",
      "builtin", "not",   "neg",     "and",       "or",         "arith",          "compare",
      "eq",      "in",    "is_none", "coalesce",  "if",         "duration",       "record",
      "with",    "list",  "set",     "aggregate", "match_enum", "match_optional", "as_of_date"};
  static constexpr const char* kArith[] = {"add", "sub", "mul", "div", "mod"};
  static constexpr const char* kCmp[] = {"lt", "le", "gt", "ge"};
  static constexpr const char* kAgg[] = {"all", "any", "count", "sum", "min", "max", "filter", "map"};
  std::string name = kNames[static_cast<int>(n.op)];
  switch (n.op) {
    case Op::kArith:
      return kArith[static_cast<int>(n.arith)];
    case Op::kCompare:
      return kCmp[static_cast<int>(n.cmp)];
    case Op::kAggregate:
      return fmt::format("{} $%{}", kAgg[static_cast<int>(n.agg)], n.a);
    case Op::kEq:
      return n.b != 0 ? "ne" : "eq";
    case Op::kIsNone:
      return n.b != 0 ? "is_some" : "is_none";
    case Op::kIn:
      return n.b != 0 ? "not_in" : "in";
    default:
      return name;
  }
}

void Print(const Program& p, const Node& n, int depth, std::string& out) {
  out += std::string(static_cast<size_t>(depth) * 2, ' ');
  out += fmt::format("({} : {}", OpName(n), p.types.Name(n.type));
  switch (n.op) {
    case Op::kConst:
      out += fmt::format(" {}", FormatValue(p.types, n.type, p.constants[n.a]));
      break;
    case Op::kLocal:
      out += fmt::format(" %{}", n.a);
      break;
    case Op::kGlobal:
      out += fmt::format(" {}", p.globals[n.a].name);
      break;
    case Op::kField:
      out += fmt::format(" .{}", n.a);
      break;
    case Op::kCallFunction:
      out += fmt::format(" {}", p.functions[n.a].name);
      break;
    case Op::kCallDecision:
      out += fmt::format(" {}", p.decisions[n.a].name);
      break;
    case Op::kCallBuiltin:
      out += fmt::format(" {}", GetBuiltin(static_cast<Builtin>(n.a)).name);
      break;
    case Op::kAsOfDate:
      out += fmt::format(" `{}`", p.constants[n.a].as_text());
      break;
    default:
      break;
  }
  if (n.kids.empty()) {
    out += ")\n";
    return;
  }
  out += "\n";
  for (const auto& k : n.kids) {
    if (k) {
      Print(p, *k, depth + 1, out);
    }
  }
  out += std::string(static_cast<size_t>(depth) * 2, ' ') + ")\n";
}

}  // namespace

auto PrintIr(const Program& program) -> std::string {
  std::string out;
  for (const Global& g : program.globals) {
    out += fmt::format("global {} : {} =\n", g.name, program.types.Name(g.type));
    Print(program, *g.init, 1, out);
  }
  for (const Function& f : program.functions) {
    out += fmt::format("function {} ({} params, {} slots) -> {} =\n", f.name, f.num_params, f.num_slots,
                       program.types.Name(f.result));
    Print(program, *f.body, 1, out);
  }
  for (const Decision& d : program.decisions) {
    out += fmt::format("decision {} ({} params, {} slots) -> {}\n", d.name, d.params.size(), d.num_slots,
                       program.types.Name(d.result));
    if (d.default_value) {
      out += "  default\n";
      Print(program, *d.default_value, 2, out);
    }
    for (const Rule& r : d.rules) {
      out += fmt::format("  {} {}", r.is_exception ? "exception" : "rule", r.name);
      if (!r.overrides.empty()) {
        out += " overrides";
        for (const uint32_t o : r.overrides) {
          out += fmt::format(" {}", d.rules[o].name);
        }
      }
      out += "\n";
      for (const Conjunct& c : r.when) {
        out += fmt::format("    when {}\n", c.text);
        Print(program, *c.cond, 3, out);
      }
      out += "    then\n";
      Print(program, *r.then, 3, out);
    }
  }
  return out;
}

}  // namespace policy::ir
