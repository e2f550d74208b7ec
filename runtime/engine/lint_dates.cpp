// The lint checks about effective dates: where a timeline that should be whole has a hole the
// checker cannot call an error (W0106, W0107), and where a test's answer depends on the day it
// is run (W0108). The checker already rejects what can only fail: two values of a parameter on
// one date (E0407) and dates between two values that neither covers (E0408).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "runtime/engine/lint_checks.h"

namespace policy::lint {
namespace {

auto DayBefore(Date d) -> Date {
  return Date::FromDays(d.days() - 1);
}

auto Kind(const ir::Rule& r) -> const char* {
  return r.is_exception ? "exception" : "rule";
}

// The parameters a function reads, itself or through the functions it calls (no function calls
// itself, E0210, so the recursion ends), each with the node it is read at, memoised.
class ParameterReads {
 public:
  explicit ParameterReads(const ir::Program& p) : p_(p), functions_(p.functions.size()) {}

  // Parameter index -> the first node under `root` that reads it (directly, or by calling a
  // function that does) on the date `root` is evaluated on. What `e as of d` evaluates is left
  // out: it reads on a date the case gives, which lint cannot know.
  auto Under(const ir::Node* root) -> std::map<uint32_t, const ir::Node*> {
    std::map<uint32_t, const ir::Node*> out;
    std::vector<const ir::Node*> stack;
    if (root != nullptr) {
      stack.push_back(root);
    }
    while (!stack.empty()) {
      const ir::Node& n = *stack.back();
      stack.pop_back();
      if (n.op == ir::Op::kCallDecision && p_.decisions[n.a].is_parameter) {
        out.emplace(n.a, &n);
      } else if (n.op == ir::Op::kCallFunction) {
        for (const uint32_t param : OfFunction(n.a)) {
          out.emplace(param, &n);
        }
      }
      for (size_t k = n.op == ir::Op::kAsOfDate ? 1 : 0; k < n.kids.size(); ++k) {
        if (n.kids[k]) {
          stack.push_back(n.kids[k].get());
        }
      }
    }
    return out;
  }

 private:
  auto OfFunction(uint32_t f) -> const std::set<uint32_t>& {
    if (!functions_[f]) {
      std::set<uint32_t> reads;
      for (const auto& [param, node] : Under(p_.functions[f].body.get())) {
        reads.insert(param);
      }
      functions_[f] = std::move(reads);
    }
    return *functions_[f];
  }

  const ir::Program& p_;
  std::vector<std::optional<std::set<uint32_t>>> functions_;
};

auto ValuePeriods(const ir::Decision& parameter) -> std::vector<Period> {
  std::vector<Period> periods;
  for (const ir::Rule& v : parameter.rules) {
    periods.push_back(v.effective);
  }
  return periods;
}

}  // namespace

auto SiteDates(const ir::Decision& d, const ir::Rule* rule) -> std::vector<DateRange> {
  std::vector<DateRange> ranges;
  d.AnyInEffectPeriod([&](const Period& p) {
    if (const auto r = RangeOf(p)) {
      ranges.push_back(*r);
    }
    return false;
  });
  ranges = Union(std::move(ranges));
  return rule == nullptr ? ranges : Intersect(ranges, rule->effective);
}

auto SiteName(const ir::Decision& d, const ir::Rule* rule) -> std::string {
  if (rule == nullptr) {
    return fmt::format("the default of `{}`", d.name);
  }
  return fmt::format("{} `{}` of `{}`", Kind(*rule), rule->name, d.name);
}

auto ModuleOf(const std::string& qualified) -> std::string {
  const size_t dot = qualified.rfind('.');
  return dot == std::string::npos ? std::string() : qualified.substr(0, dot);
}

// W0106. When every rule of a decision is dated and the decision has no period of its own, it
// is in effect only while one of its rules is (docs/language.md, "Effective dating"): its rules'
// periods are its versions, and a date between two of them that neither covers is a date on which
// the law does not exist. That can be meant (a scheme that lapsed and came back), so it is a
// warning; the checker makes the same hole in a parameter an error (E0408), because there it can
// only fail.
void DecisionGaps(const Scope& scope, DiagnosticSink& out) {
  for (const ir::Decision& d : scope.program.decisions) {
    if (d.is_parameter || !scope.IsUser(d.span) || d.effective.IsBounded() || !d.in_effect_with_rules) {
      continue;
    }
    std::vector<const ir::Rule*> rules;
    std::vector<Period> periods;
    for (const ir::Rule& r : d.rules) {
      if (!r.is_exception) {
        rules.push_back(&r);
        periods.push_back(r.effective);
      }
    }
    const std::vector<TimelineGap> gaps = FindGaps(periods);
    if (gaps.empty()) {
      continue;
    }
    // The period that would keep the decision in effect throughout: from its rules' first date to
    // their last.
    Date first = LastDate();
    Date last = FirstDate();
    for (const Period& p : periods) {
      if (const auto r = RangeOf(p)) {
        first = std::min(first, r->first);
        last = std::max(last, r->last);
      }
    }
    const Period whole{first == FirstDate() ? std::nullopt : std::optional<Date>(first),
                       last == LastDate() ? std::nullopt : std::optional<Date>(last)};
    for (const TimelineGap& g : gaps) {
      const ir::Rule& before = *rules[g.before];
      const ir::Rule& after = *rules[g.after];
      out.Report(
             DiagCode::kDecisionLapses, after.effective_span,
             fmt::format("decision `{}` is not in effect {}: none of its rules is", d.name,
                         DescribeRange(g.dates)),
             fmt::format("{} `{}` starts on {}", Kind(after), after.name, after.effective.from->ToString()))
          .WithLabel(before.effective_span, fmt::format("{} `{}` ends on {}", Kind(before), before.name,
                                                        before.effective.until->ToString()))
          .WithNote(
              "every rule of the decision is dated and the decision has no period of its own, so it is in "
              "effect only while one of its rules is; on these dates it is not applicable, and a decision "
              "or test that needs it stops (E0911)")
          .WithHelp(
              fmt::format("end {} `{}` on {} or start {} `{}` on {}; if the decision should still answer "
                          "then, give it its own period: `effective {}`",
                          Kind(before), before.name, g.dates.last.ToString(), Kind(after), after.name,
                          g.dates.first.ToString(), whole.ToString()));
    }
  }
}

// W0107. A rule (or default) that is in effect on a date when a parameter it reads has no value
// fails there for every case (E0915). The checker rejects a hole between two values (E0408);
// what is left is before the first value and after a last value that ends with `until`. Those
// are deliberate when everything that reads the parameter starts and ends with it (a temporary
// measure, dated on both sides), and a mistake when a reader outlives it (a value ended in
// preparation for a successor that was never added). Only the readers' dates tell the two
// apart, so this is a lint warning and not a check error: a reader guarded by a condition on
// `as_of` instead of an `effective` period is reported although it never reads the parameter.
void ParameterReadsWithoutValue(const Scope& scope, DiagnosticSink& out) {
  const ir::Program& p = scope.program;
  ParameterReads reads(p);
  for (const ir::Decision& d : p.decisions) {
    if (d.is_parameter || !scope.IsUser(d.span)) {
      continue;
    }
    // Per site, every parameter it reads in any of its expressions, reported once.
    std::map<const ir::Rule*, std::map<uint32_t, const ir::Node*>> by_site;
    std::vector<const ir::Rule*> order;
    ForEachSiteExpr(d, [&](const ir::Rule* rule, const ir::Node* root) {
      const auto [site, added] = by_site.try_emplace(rule);
      if (added) {
        order.push_back(rule);
      }
      for (const auto& [param, node] : reads.Under(root)) {
        site->second.emplace(param, node);
      }
    });
    for (const ir::Rule* rule : order) {
      const std::vector<DateRange> dates = SiteDates(d, rule);
      for (const auto& [param, node] : by_site[rule]) {
        const ir::Decision& parameter = p.decisions[param];
        const std::vector<Period> values = ValuePeriods(parameter);
        const std::vector<DateRange> missing = Uncovered(dates, values);
        if (missing.empty()) {
          continue;
        }
        // Before the first value, or after the last: point at that value.
        const DateRange hole = missing.front();
        const auto first_value =
            std::min_element(values.begin(), values.end(), [](const Period& a, const Period& b) {
              return RangeOf(a).value_or(DateRange{LastDate(), LastDate()}).first <
                     RangeOf(b).value_or(DateRange{LastDate(), LastDate()}).first;
            });
        const auto last_value =
            std::max_element(values.begin(), values.end(), [](const Period& a, const Period& b) {
              return RangeOf(a).value_or(DateRange{FirstDate(), FirstDate()}).last <
                     RangeOf(b).value_or(DateRange{FirstDate(), FirstDate()}).last;
            });
        const bool before_first =
            first_value != values.end() && first_value->from && hole.last < *first_value->from;
        const ir::Rule& value =
            parameter.rules[static_cast<size_t>((before_first ? first_value : last_value) - values.begin())];
        if (!before_first && !value.effective.until) {
          continue;  // a hole between two values: the checker has reported it (E0408)
        }
        const std::string edge =
            before_first ? fmt::format("its first value starts on {}", value.effective.from->ToString())
                         : fmt::format("its last value ends on {}", value.effective.until->ToString());
        const std::string fix = before_first
                                    ? fmt::format("effective from {}", value.effective.from->ToString())
                                    : fmt::format("effective until {}", value.effective.until->ToString());
        const std::string reader =
            rule == nullptr ? fmt::format("decision `{}`", d.name)
                            : fmt::format("{} `{}` (or decision `{}`)", Kind(*rule), rule->name, d.name);
        Diagnostic& diag =
            out.Report(DiagCode::kParameterReadWithoutValue, node->span,
                       fmt::format("parameter `{}` has no value {}, when {} can read it", parameter.name,
                                   DescribeRange(hole), SiteName(d, rule)),
                       node->op == ir::Op::kCallDecision
                           ? std::string("read here")
                           : fmt::format("`{}` reads it", p.functions[node->a].name))
                .WithLabel(value.effective_span, edge)
                .WithHelp(fmt::format("give {} the parameter's dates (`{}`), or add a value {}", reader, fix,
                                      DescribeRange(hole)))
                .WithNote(
                    "reading a parameter on a date none of its values covers fails for every case (E0915)");
        for (size_t i = 1; i < missing.size(); ++i) {
          diag.WithNote(fmt::format("it has no value {} either", DescribeRange(missing[i])));
        }
      }
    }
  }
}

// W0108. A test without `as of` runs on the day it is run. When something it evaluates changes
// after that day (a rule or value takes effect or ends, a decision starts or stops), the test
// checks a different law from then on, and can start failing with nobody having touched it.
void UndatedTestsOfChangingLaw(const Scope& scope, const std::vector<std::vector<uint32_t>>& evaluated,
                               DiagnosticSink& out) {
  const ir::Program& p = scope.program;
  for (size_t t = 0; t < p.tests.size() && t < evaluated.size(); ++t) {
    const ir::Test& test = p.tests[t];
    if (test.as_of || !scope.IsUser(test.span)) {
      continue;
    }
    // The earliest change after today among everything the test evaluated.
    struct Change {
      Date on;
      const ir::Decision* decision;
      const ir::Rule* rule;  // null: the decision's own period
    };
    std::optional<Change> first;
    for (const uint32_t di : evaluated[t]) {
      const ir::Decision& d = p.decisions[di];
      std::vector<Period> periods;
      for (const ir::Rule& r : d.rules) {
        periods.push_back(r.effective);
      }
      periods.push_back(d.effective);
      const auto change = NextChange(periods, scope.today);
      if (change && (!first || change->on < first->on)) {
        first = Change{change->on, &d, change->period < d.rules.size() ? &d.rules[change->period] : nullptr};
      }
    }
    if (!first) {
      continue;
    }
    const Period& period = first->rule != nullptr ? first->rule->effective : first->decision->effective;
    const bool starts = period.from && *period.from == first->on;
    std::string what;
    if (first->decision->is_parameter) {
      what = starts ? fmt::format("this value of `{}` takes effect on {}", first->decision->name,
                                  first->on.ToString())
                    : fmt::format("this value of `{}` ends on {}", first->decision->name,
                                  DayBefore(first->on).ToString());
    } else if (first->rule != nullptr) {
      what = starts ? fmt::format("{} `{}` takes effect on {}", Kind(*first->rule), first->rule->name,
                                  first->on.ToString())
                    : fmt::format("{} `{}` ends on {}", Kind(*first->rule), first->rule->name,
                                  DayBefore(first->on).ToString());
    } else {
      what = starts ? fmt::format("`{}` takes effect on {}", first->decision->name, first->on.ToString())
                    : fmt::format("`{}` ends on {}", first->decision->name, DayBefore(first->on).ToString());
    }
    const Span at = first->rule != nullptr ? first->rule->effective_span : first->decision->effective_span;
    out.Report(DiagCode::kUndatedTestOfChangingLaw, test.span,
               fmt::format("test \"{}\" has no `as of`, and `{}`, which it evaluates, changes on {}",
                           test.name, first->decision->name, first->on.ToString()),
               fmt::format("runs as of the day it is run ({} here)", scope.today.ToString()))
        .WithLabel(at, what)
        .WithNote(fmt::format("from {} it checks a different law, and may start failing by itself",
                              first->on.ToString()))
        .WithHelp(fmt::format("give it the date it was written for (`test \"{}\" as of {}`), and test the "
                              "change in a test `as of {}`",
                              test.name, scope.today.ToString(), first->on.ToString()));
  }
}

}  // namespace policy::lint
