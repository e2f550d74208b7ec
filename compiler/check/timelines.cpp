// A parameter's values form one timeline: from the first date any value covers to the last, one
// value, and only one, is in effect on every date. Two values on one date (E0407) would make a
// read depend on the order of the lines; a date between them that no value covers (E0408) would
// make every read on it fail (E0915), for every case. Before the first value and after a last
// value that ends with `until` are not gaps: those are written on purpose, and whether something
// still reads the parameter then is for `policy lint` to say (W0107), because only the readers'
// dates tell a parameter that was repealed from one that was forgotten.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/base/timeline.h"
#include "compiler/check/checker.h"

namespace policy::check {
namespace {

auto PeriodOf(const ast::RuleDecl& v) -> Period {
  return {v.effective_from, v.effective_until};
}

// Where to point at a value: its `effective` clause, or the whole value when it has none.
auto SpanOf(const ast::RuleDecl& v) -> Span {
  return v.effective_span.valid() ? v.effective_span : v.span;
}

// As the E0407 labels have always said it: "from 2014-03-17 until further notice".
auto Written(const ast::RuleDecl& v) -> std::string {
  return fmt::format("from {} until {}", v.effective_from ? v.effective_from->ToString() : "the start",
                     v.effective_until ? v.effective_until->ToString() : "further notice");
}

auto DayBefore(Date d) -> std::string {
  return Date::FromDays(d.days() - 1).ToString();
}

// The fix that ends value `v` on `last`: its `effective` clause written again with that end, for
// an editor to apply (the help line says the same in words). None when `v` has no clause to edit.
void AddEndFix(Diagnostic& diag, const ast::RuleDecl& v, Date last) {
  if (!v.effective_span.valid()) {
    return;
  }
  const Period ended{v.effective_from, last};
  diag.WithFix(fmt::format("End the earlier value on {}", last.ToString()), v.effective_span,
               "effective " + ended.ToString());
}

}  // namespace

void Checker::CheckParameterTimeline(const ast::DecisionDecl& decl) {
  const std::vector<ast::RuleDecl>& v = decl.rules;
  std::vector<Period> periods;
  for (const ast::RuleDecl& value : v) {
    periods.push_back(PeriodOf(value));
  }
  // E0407, reported at the value declared later, which is usually the one just added.
  for (const TimelineOverlap& o : FindOverlaps(periods)) {
    const DateRange a = *RangeOf(periods[o.first]);
    const DateRange b = *RangeOf(periods[o.second]);
    Diagnostic& diag =
        diags_
            .Report(DiagCode::kOverlappingVersions, SpanOf(v[o.second]),
                    fmt::format("two values of parameter `{}` are both in effect {}", decl.name.text,
                                DescribeRange(o.dates)),
                    fmt::format("this value is in effect {}", Written(v[o.second])))
            .WithLabel(SpanOf(v[o.first]), fmt::format("and this one {}", Written(v[o.first])));
    const DateRange& earlier = a.first <= b.first ? a : b;
    const DateRange& later = a.first <= b.first ? b : a;
    if (earlier.first == later.first) {
      diag.WithHelp("give each value its own dates: `effective from A until B`, then `effective from B+1`");
    } else if (later.last < earlier.last) {
      // The earlier value covers the later one on both sides: ending it would open a gap.
      diag.WithHelp(fmt::format(
          "the earlier value surrounds the later one: end it on {} (`until {}`) and write its value again "
          "`effective from {}`",
          DayBefore(later.first), DayBefore(later.first), Date::FromDays(later.last.days() + 1).ToString()));
    } else {
      diag.WithHelp(fmt::format("end the earlier value the day before the later one starts: `until {}`",
                                DayBefore(later.first)));
      AddEndFix(diag, v[a.first <= b.first ? o.first : o.second], Date::FromDays(later.first.days() - 1));
    }
  }
  // E0408, reported at the value after the gap, with the value before it: the two lines to fix.
  for (const TimelineGap& g : FindGaps(periods)) {
    const DateRange before = *RangeOf(periods[g.before]);
    const DateRange after = *RangeOf(periods[g.after]);
    Diagnostic& gap =
        diags_
            .Report(DiagCode::kParameterGap, SpanOf(v[g.after]),
                    fmt::format("parameter `{}` has no value {}", decl.name.text, DescribeRange(g.dates)),
                    fmt::format("this value starts on {}", after.first.ToString()))
            .WithLabel(SpanOf(v[g.before]),
                       fmt::format("the value before it ends on {}", before.last.ToString()))
            .WithHelp(
                fmt::format("end the earlier value on {} (`until {}`), or start this one on {} (`from {}`)",
                            g.dates.last.ToString(), g.dates.last.ToString(), g.dates.first.ToString(),
                            g.dates.first.ToString()))
            .WithNote(
                "reading a parameter on a date none of its values covers fails for every case (E0915); a law "
                "that lapses for a while is written on the rules that read the parameter, with their "
                "`effective` periods");
    AddEndFix(gap, v[g.before], g.dates.last);
  }
}

}  // namespace policy::check
