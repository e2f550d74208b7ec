// Default logic: how a decision is evaluated. Its rules in order, exceptions defeating the rules
// they override, a conflict between applicable rules with different values, the default when no
// rule applies, and decisions evaluated outside their effective period; with an explanation
// recorded into the Trace when one is asked for.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "runtime/vm/program.h"

namespace policy::vm {

// ---- decisions -----------------------------------------------------------------------------------

auto CompiledProgram::Impl::CallDecision(Context& ctx, uint32_t d, Value* slots, Span call_site,
                                         DecisionResult* top) const -> Value {
  const CompiledDecision& cd = decisions[d];
  const ir::Decision& id = ir->decisions[d];
  Frame frame{ctx, slots};
  Trace* trace = CA::GetTrace(ctx);
  const Date as_of = CA::AsOf(ctx);
  uint32_t& depth = CA::Depth(ctx);
  DecisionRecord record;
  if (trace != nullptr) {
    record.decision = d;
    record.depth = depth;
    record.as_of = as_of;
    record.as_of_reason = CA::AsOfReason(ctx);
  }
  if (!id.InEffect(as_of)) {
    return NotInEffect(ctx, d, call_site, top, std::move(record));
  }
  ++depth;
  // Slots [num_slots, num_slots + mask_words) hold the bit set of rules defeated by an applicable
  // exception; they start cleared (SlotWindow zeroes them).
  Value* mask = slots + cd.num_slots;
  std::optional<Value> result;
  uint32_t first_rule = 0;
  std::vector<uint32_t> overridden_by;
  if (trace != nullptr) {
    overridden_by.assign(cd.rules.size(), UINT32_MAX);
  }
  // With an explanation, an error on the way records this decision as far as it got (a throw
  // costs nothing until it happens; without a trace the handler only rethrows).
  constexpr uint32_t kNoRule = UINT32_MAX;
  uint32_t current = kNoRule;  // the rule being evaluated; kNoRule while the default is
  bool recorded = false;       // the conflict below records itself before throwing
  DecisionRecord::Via via = DecisionRecord::Via::kRule;
  try {
    for (uint32_t i = 0; i < cd.rules.size(); ++i) {
      current = i;
      const CompiledRule& rule = cd.rules[i];
      if (((static_cast<uint64_t>(mask[i / 64].as_int()) >> (i % 64)) & 1U) != 0) {
        if (trace != nullptr) {
          record.rules.push_back({RuleOutcome::Kind::kOverridden, i, 0, overridden_by[i]});
        }
        continue;
      }
      if (!rule.effective.Contains(as_of)) {
        if (trace != nullptr) {
          record.rules.push_back({RuleOutcome::Kind::kNotInEffect, i, 0, 0});
        }
        continue;
      }
      bool holds = true;
      uint32_t failed = 0;
      for (uint32_t k = 0; k < rule.conjuncts.size(); ++k) {
        if (!rule.conjuncts[k]->Eval(frame).as_bool()) {
          holds = false;
          failed = k;
          break;
        }
      }
      if (!holds) {
        if (trace != nullptr) [[unlikely]] {
          RecordOutcome(frame, *trace, record, {RuleOutcome::Kind::kConditionFailed, i, failed, 0},
                        id.rules[i].when[failed].cond.get(), Value());
        }
        continue;
      }
      const Value v = rule.then->Eval(frame);
      for (const uint32_t o : rule.overrides) {
        mask[o / 64] = Value::Int(
            static_cast<int64_t>(static_cast<uint64_t>(mask[o / 64].as_int()) | (uint64_t{1} << (o % 64))));
        if (trace != nullptr && overridden_by[o] == UINT32_MAX) {
          overridden_by[o] = i;
        }
      }
      if (trace != nullptr) [[unlikely]] {
        RecordOutcome(frame, *trace, record, {RuleOutcome::Kind::kApplied, i, 0, 0}, nullptr, v);
        record.deciding_rules.push_back(i);
      }
      if (!result) {
        result = v;
        first_rule = i;
        continue;
      }
      if (!ValuesEqual(*result, v)) {
        const ir::Rule& a = id.rules[first_rule];
        const ir::Rule& b = id.rules[i];
        const auto cite = [](const ir::Rule& r) {
          return r.source.empty() ? std::string() : fmt::format(" ({})", r.source);
        };
        EvalError err;
        err.code = DiagCode::kConflict;
        err.span = a.span;
        err.message = fmt::format("conflicting rules for `{}`: `{}`{} gives `{}`, `{}`{} gives `{}`", id.name,
                                  a.name, cite(a), FormatValue(ir->types, id.result, *result), b.name,
                                  cite(b), FormatValue(ir->types, id.result, v));
        err.labels.push_back(
            {a.span, false, fmt::format("gives `{}`", FormatValue(ir->types, id.result, *result))});
        err.labels.push_back(
            {b.span, false,
             fmt::format("gives `{}` for the same case", FormatValue(ir->types, id.result, v))});
        // The line to write: which one wins is the law's to say, so both ways are offered.
        const auto win = [](const ir::Rule& winner, const ir::Rule& loser) {
          if (winner.is_exception) {
            return fmt::format(
                "to let `{}` win, add `{}` to the rules it is an exception to: `exception {} to {}`",
                winner.name, loser.name, winner.name,
                fmt::format("{}, {}", fmt::join(winner.targets, ", "), loser.name));
          }
          return fmt::format("to let `{}` win, write `exception {} to {}` in place of `rule {}`", winner.name,
                             winner.name, loser.name, winner.name);
        };
        err.help.push_back(win(b, a));
        err.help.push_back(win(a, b));
        err.notes.push_back("or make the two conditions exclusive, if the law never meant both to apply");
        if (call_site.valid()) {
          err.labels.push_back({call_site, false, "needed here"});
        }
        --depth;
        if (trace != nullptr) {
          record.via = DecisionRecord::Via::kConflict;
          record.deciding_rules = {first_rule, i};
          trace->records.push_back(std::move(record));
          recorded = true;
        }
        throw EvalFailure{std::move(err)};
      }
    }
    current = kNoRule;
    if (!result) {
      if (cd.default_value) {
        result = cd.default_value->Eval(frame);
        via = DecisionRecord::Via::kDefault;
      } else {
        via = DecisionRecord::Via::kNotApplicable;
      }
    }
  } catch (const EvalFailure&) {
    if (trace != nullptr && !recorded) {
      if (current != kNoRule) {
        record.rules.push_back({RuleOutcome::Kind::kFailed, current, 0, 0});
      }
      record.via = DecisionRecord::Via::kFailed;
      record.deciding_rules.clear();
      trace->records.push_back(std::move(record));
    }
    throw;
  }
  --depth;
  if (trace != nullptr) {
    record.via = via;
    record.value = result.value_or(Value());
    trace->records.push_back(std::move(record));
  }
  if (!result) {
    if (top != nullptr) {
      top->applicable = false;
      top->value = Value();
      return Value();
    }
    EvalError err;
    err.code = DiagCode::kNotApplicable;
    err.span = call_site;
    err.message =
        fmt::format("decision `{}` was needed, but none of its rules applied and it has no default", id.name);
    err.labels.push_back({id.span, false, "declared here"});
    err.help.push_back(
        fmt::format("give `{}` a `default` line for the cases no rule covers, or make the caller "
                    "handle the case where it does not apply",
                    id.name));
    throw EvalFailure{std::move(err)};
  }
  if (top != nullptr) {
    top->applicable = true;
    top->value = *result;
  }
  return *result;
}

// A rule's outcome into its decision's record, with its notes when the trace wants them: a
// failed `condition`, or the `then` that gave `value`. Out of line, so that the unexplained
// evaluation keeps CallDecision's loop as small as it was (issue 34: the notes must cost it
// nothing).
[[gnu::noinline]] void CompiledProgram::Impl::RecordOutcome(Frame& frame, const Trace& trace,
                                                            DecisionRecord& record, RuleOutcome outcome,
                                                            const ir::Node* condition,
                                                            const Value& value) const {
  if (trace.notes) {
    outcome.notes_begin = static_cast<uint32_t>(record.notes.size());
    if (condition != nullptr) {
      NoteCondition(frame, *condition, record.notes);
    } else {
      NoteThen(frame, *ir->decisions[record.decision].rules[outcome.rule].then, value, record.notes);
    }
    outcome.notes_end = static_cast<uint32_t>(record.notes.size());
  }
  record.rules.push_back(outcome);
}

// A decision evaluated on a date outside its effective period: not applicable, whatever its
// default says (issue: "a decision evaluated before any version of it took effect").
auto CompiledProgram::Impl::NotInEffect(Context& ctx, uint32_t d, Span call_site, DecisionResult* top,
                                        DecisionRecord record) const -> Value {
  const ir::Decision& id = ir->decisions[d];
  if (Trace* trace = CA::GetTrace(ctx); trace != nullptr) {
    record.via = DecisionRecord::Via::kNotInEffect;
    for (uint32_t i = 0; i < id.rules.size(); ++i) {
      record.rules.push_back({RuleOutcome::Kind::kNotInEffect, i, 0, 0});
    }
    trace->records.push_back(std::move(record));
  }
  if (top != nullptr) {
    top->applicable = false;
    top->in_effect = false;
    top->value = Value();
    return Value();
  }
  const std::string date = CA::AsOf(ctx).ToString();
  EvalError err;
  err.span = call_site;
  if (id.is_parameter) {
    err.code = DiagCode::kParameterNotInEffect;
    err.message = fmt::format("parameter `{}` has no value on {}", id.name, date);
    err.labels.push_back({id.span, false, "declared here"});
    err.notes.push_back(fmt::format("its values are in effect {}", EffectiveSummary(id)));
    // The two fixes: a value for the date, or a date that has one.
    std::vector<Period> periods = id.InEffectPeriods();
    std::sort(periods.begin(), periods.end());
    // The value to add covers the whole hole the date is in: from the day after the value before
    // it ends to the day before the next one starts, so the timeline stays one value per date.
    const Date as_of = CA::AsOf(ctx);
    const Period* next = nullptr;
    const Period* prev = nullptr;
    for (const Period& p : periods) {
      if (p.from && as_of < *p.from) {
        next = next == nullptr ? &p : next;
      } else if (p.until && *p.until < as_of) {
        prev = &p;
      }
    }
    Period hole;
    if (prev != nullptr) {
      hole.from = Date::FromDays(prev->until->days() + 1);
    }
    if (next != nullptr) {
      hole.until = Date::FromDays(next->from->days() - 1);
    }
    err.help.push_back(fmt::format("if the law has a value on {}, add it: `value ... effective {}`", date,
                                   hole.IsBounded() ? hole.ToString() : "from " + date));
    if (next != nullptr) {
      err.help.push_back(
          fmt::format("or evaluate on a date it has a value: `--as-of {}`", next->from->ToString()));
    }
  } else {
    err.code = DiagCode::kNotApplicable;
    err.message = fmt::format("decision `{}` was needed, but it is not in effect on {}", id.name, date);
    err.labels.push_back({id.span, false, "declared here"});
    err.notes.push_back(fmt::format("it is in effect {}", EffectiveSummary(id)));
  }
  throw EvalFailure{std::move(err)};
}

auto EffectiveSummary(const ir::Decision& d) -> std::string {
  std::vector<Period> periods = d.InEffectPeriods();
  std::sort(periods.begin(), periods.end());
  std::string out;
  for (const Period& p : periods) {
    const std::string text = p.ToString();
    out += fmt::format("{}{}", out.empty() ? "" : ", and ", text.empty() ? "always" : text);
  }
  return out.empty() ? "always" : out;
}
}  // namespace policy::vm
