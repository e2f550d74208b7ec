// W0109: a number written in a decision that is the value of a parameter of the same module, on
// dates when the decision could read the parameter. A parameter exists so that a change of the
// law is one new `value` line; a rule that writes the number out instead keeps the old value
// when the parameter changes, and nothing fails to say so (`hk.employment.timesheet_violations`
// wrote the weekly limit as `20` beside `part_time_hours_per_week`).
//
// What counts: Int and Decimal literals in a decision's default and rules (not in functions,
// constants or tests: a test is expected to write the values it checks, and a `const` names a
// number on purpose), compared by value with the parameter's values written as literals, and
// only where the value's period meets the dates the rule is in effect. 0 and 1 are left out:
// they are counts, bounds and identities (`> 0`, `+ 1`) far more often than a limit that
// happens to equal a parameter, and reporting every one would bury the real cases.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "runtime/engine/lint_checks.h"

namespace policy::lint {
namespace {

// A number as a Decimal, so that `20` and `20.0` compare equal; nothing for other values (and
// for an Int too large to be a Decimal, which no parameter value can equal then).
auto NumberOf(const ir::Program& p, const ir::Node& n) -> std::optional<Decimal> {
  if (n.op != ir::Op::kConst) {
    return std::nullopt;
  }
  const Value& v = p.constants[n.a];
  if (v.tag() == Kind::kInt) {
    return Decimal::FromInt(v.as_int());
  }
  if (v.tag() == Kind::kDecimal) {
    return v.as_decimal();
  }
  return std::nullopt;
}

// The numbers under `root`, except the count of a duration (`20 weeks` is a duration, not the
// number 20).
void CollectNumbers(const ir::Program& p, const ir::Node* root, std::vector<const ir::Node*>& out) {
  ForEachNode(root, [&](const ir::Node& n) {
    if (NumberOf(p, n)) {
      out.push_back(&n);
    }
    return n.op != ir::Op::kDuration;
  });
}

struct ParameterValue {
  const ir::Decision* parameter;
  const ir::Rule* value;
  Decimal number;
};

}  // namespace

void NumbersEqualToParameters(const Scope& scope, DiagnosticSink& out) {
  const ir::Program& p = scope.program;
  const std::optional<Decimal> zero = Decimal::FromInt(0);
  const std::optional<Decimal> one = Decimal::FromInt(1);
  for (const ir::Decision& d : p.decisions) {
    if (d.is_parameter || !scope.IsUser(d.span)) {
      continue;
    }
    const std::string module = ModuleOf(d.name);
    std::vector<ParameterValue> candidates;
    for (const ir::Decision& parameter : p.decisions) {
      if (!parameter.is_parameter || ModuleOf(parameter.name) != module) {
        continue;
      }
      for (const ir::Rule& value : parameter.rules) {
        const auto number = value.then ? NumberOf(p, *value.then) : std::nullopt;
        if (number && number != zero && number != one) {
          candidates.push_back({&parameter, &value, *number});
        }
      }
    }
    if (candidates.empty()) {
      continue;
    }
    ForEachSiteExpr(d, [&](const ir::Rule* rule, const ir::Node* root) {
      std::vector<const ir::Node*> numbers;
      CollectNumbers(p, root, numbers);
      if (numbers.empty()) {
        return;
      }
      const std::vector<DateRange> dates = SiteDates(d, rule);
      for (const ir::Node* n : numbers) {
        const Decimal number = *NumberOf(p, *n);
        for (const ParameterValue& c : candidates) {
          if (c.number != number || Intersect(dates, c.value->effective).empty()) {
            continue;
          }
          const std::string_view text = scope.engine.sources().Get(n->span.file).Slice(n->span);
          const std::string short_name = c.parameter->name.substr(ModuleOf(c.parameter->name).size() + 1);
          out.Report(DiagCode::kNumberEqualsParameter, n->span,
                     fmt::format("{} writes {}, the value of parameter `{}`", SiteName(d, rule), text,
                                 c.parameter->name),
                     "written as a number")
              .WithLabel(c.value->then->span, fmt::format("`{}` is {} here", short_name, text))
              .WithHelp(
                  fmt::format("read the parameter instead (`{}`), so that a new value reaches this {} too",
                              short_name, rule == nullptr ? "default" : "rule"))
              .WithNote("if the two are equal only by chance, name the number with a `const` to say so");
          break;
        }
      }
    });
  }
}

}  // namespace policy::lint
