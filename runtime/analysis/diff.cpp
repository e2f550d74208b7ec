#include "runtime/analysis/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "compiler/ir/fingerprint.h"
#include "runtime/analysis/encode.h"
#include "runtime/analysis/encode_support.h"
#include "runtime/analysis/witness.h"
#include "runtime/engine/case_search.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

using json = nlohmann::json;

// One side's evaluation of a case: its outcome text and what gave it.
auto EvaluateInput(const Engine& e, uint32_t decision, const Value& input, Date as_of, vm::Context& ctx)
    -> SideResult {
  SideResult out;
  DiagnosticSink diags;
  vm::Trace trace;
  const auto r = e.Evaluate(decision, input, as_of, ctx, &trace, diags);
  if (!r) {
    const Diagnostic& d = diags.diagnostics().front();
    out.outcome = fmt::format("error {}: {}", GetKindInfo(d.code).code, d.message);
    return out;
  }
  out.outcome = r->applicable ? exact_json::Dump(e.ValueToJson(e.DecisionResultType(decision), r->value))
                              : "not applicable";
  const ir::Decision& id = e.program().ir().decisions[decision];
  if (!trace.records.empty()) {
    const vm::DecisionRecord& top = trace.records.back();
    for (const uint32_t i : top.deciding_rules) {
      const ir::Rule& rule = id.rules[i];
      out.deciding_rules.push_back(i);
      out.rules.push_back(fmt::format("{} `{}`{}", rule.is_exception ? "exception" : "rule", rule.name,
                                      rule.source.empty() ? "" : fmt::format(" [{}]", rule.source)));
    }
    if (top.via == vm::DecisionRecord::Via::kDefault) {
      out.rules.push_back("the default (no rule applies)");
    } else if (top.via == vm::DecisionRecord::Via::kNotInEffect) {
      out.rules.push_back("not in effect on this date");
    } else if (top.via == vm::DecisionRecord::Via::kNotApplicable) {
      out.rules.push_back("no rule applies and there is no default");
    }
  }
  return out;
}

auto Evaluate(const Engine& e, uint32_t decision, const std::string& case_json, Date as_of, bool* readable)
    -> SideResult {
  auto ctx = e.NewContext();
  DiagnosticSink diags;
  const auto input = e.ReadCase(decision, case_json, "case.json", *ctx, diags);
  *readable = input.has_value();
  if (!input) {
    return {};
  }
  return EvaluateInput(e, decision, *input, as_of, *ctx);
}

auto RecordType(const Engine& e, uint32_t decision) -> std::optional<TypeId> {
  const ir::Decision& d = e.program().ir().decisions[decision];
  if (d.params.size() != 1 || e.program().ir().types.kind(d.params[0]) != Kind::kRecord) {
    return std::nullopt;
  }
  return d.params[0];
}

// The dates on which something of `program` starts or stops being in effect: the first day of
// every effective period and the day after its last. Between two of them, a policy's effective
// dating selects the same rules and values.
void AddBoundaries(const ir::Program& program, std::set<int32_t>& out) {
  const auto add = [&](const Period& p) {
    if (p.from) {
      out.insert(p.from->days());
    }
    if (p.until && *p.until < *Date::FromCivil(Date::kMaxYear, 12, 31)) {
      out.insert(p.until->days() + 1);
    }
  };
  for (const ir::Decision& d : program.decisions) {
    add(d.effective);
    for (const ir::Rule& r : d.rules) {
      add(r.effective);
    }
  }
}

auto Boundaries(const Engine& a, const Engine& b) -> std::vector<Date> {
  std::set<int32_t> days;
  AddBoundaries(a.program().ir(), days);
  AddBoundaries(b.program().ir(), days);
  std::vector<Date> out;
  for (const int32_t d : days) {
    out.push_back(Date::FromDays(d));
  }
  return out;
}

// A decision without a case record (a parameter, or a decision of no arguments) over time: its
// value changes only where effective dating selects another rule or value, so evaluating both
// versions on the first date of every interval between boundaries compares it exactly.
void DiffOverTime(const Engine& old_set, const Engine& new_set, uint32_t old_d, uint32_t new_d,
                  const DiffOptions& options, DecisionDiff& out) {
  std::vector<Date> starts;
  if (options.as_of) {
    starts.push_back(*options.as_of);
  } else {
    starts.push_back(*Date::FromCivil(Date::kMinYear, 1, 1));
    for (const Date d : Boundaries(old_set, new_set)) {
      starts.push_back(d);
    }
  }
  auto old_ctx = old_set.NewContext();
  auto new_ctx = new_set.NewContext();
  for (size_t i = 0; i < starts.size(); ++i) {
    const SideResult a = EvaluateInput(old_set, old_d, Value(), starts[i], *old_ctx);
    const SideResult b = EvaluateInput(new_set, new_d, Value(), starts[i], *new_ctx);
    ++out.cases_tried;
    if (a.outcome == b.outcome) {
      continue;
    }
    std::optional<Date> last;
    if (options.as_of) {
      last = options.as_of;
    } else if (i + 1 < starts.size()) {
      last = Date::FromDays(starts[i + 1].days() - 1);
    }
    // A change that continues the previous run (same values, adjacent dates) extends it.
    ValueChange* previous = out.value_changes.empty() ? nullptr : &out.value_changes.back();
    if (previous != nullptr && previous->old_value == a.outcome && previous->new_value == b.outcome &&
        previous->dates.until && previous->dates.until->days() + 1 == starts[i].days()) {
      previous->dates.until = last;
    } else {
      out.value_changes.push_back(ValueChange{Period{starts[i], last}, a.outcome, b.outcome});
    }
    if (out.status != DecisionDiff::Status::kDifferent) {
      out.status = DecisionDiff::Status::kDifferent;
      out.method = "dates";
      out.witness_as_of = starts[i];
      out.old_side = a;
      out.new_side = b;
    }
  }
  if (out.status != DecisionDiff::Status::kDifferent) {
    out.proven = true;  // every interval was evaluated
  } else {
    out.differs_on = Period{out.value_changes.front().dates.from, out.value_changes.back().dates.until};
  }
}

// A Z3 question with a time limit per check, for bisecting over the evaluation date.
struct DateBisection {
  z3::solver& solver;
  const z3::expr& as_of;

  // The earliest (or latest) date in [lo, hi] for which the constraints are satisfiable, given
  // that they are on `hi` (on `lo`); nullopt when a check is left undecided.
  auto Earliest(int64_t lo, int64_t hi) -> std::optional<int64_t> {
    return Search(
        lo, hi, [&](int64_t mid) { return as_of <= solver.ctx().int_val(mid); }, true);
  }
  auto Latest(int64_t lo, int64_t hi) -> std::optional<int64_t> {
    return Search(
        lo, hi, [&](int64_t mid) { return as_of >= solver.ctx().int_val(mid); }, false);
  }

 private:
  auto Search(int64_t lo, int64_t hi, const std::function<z3::expr(int64_t)>& bound, bool earliest)
      -> std::optional<int64_t> {
    while (lo < hi) {
      const int64_t mid = earliest ? lo + (hi - lo) / 2 : hi - (hi - lo) / 2;
      solver.push();
      solver.add(bound(mid));
      const z3::check_result r = solver.check();
      solver.pop();
      if (r == z3::unknown) {
        return std::nullopt;
      }
      // Earliest: a difference on or before `mid` means the first one is in [lo, mid], none
      // means it is after. Latest: on or after `mid`, in [mid, hi]; none, before.
      const bool found = r == z3::sat;
      if (earliest && found) {
        hi = mid;
      } else if (earliest) {
        lo = mid + 1;
      } else if (found) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
};

// Asks Z3 whether some case decides differently (on some date, or on options.as_of). True when
// it settled the question: proven the same (out.proven), or a witness that both interpreters
// confirm (out.status = kDifferent).
auto Prove(const Engine& old_set, const Engine& new_set, uint32_t old_d, uint32_t new_d,
           const std::vector<json>& seeds, const std::vector<std::string>& seed_names,
           const DiffOptions& options, DecisionDiff& out) -> bool {
  z3::context ctx;
  analysis::InputPool pool(ctx, options.as_of ? std::optional<int32_t>(options.as_of->days()) : std::nullopt);
  analysis::Encoder old_enc(old_set.program().ir(), pool);
  analysis::Encoder new_enc(new_set.program().ir(), pool, &old_enc);
  const analysis::DecisionSym* a = old_enc.Decision(old_d);
  const analysis::DecisionSym* b = new_enc.Decision(new_d);
  if (a == nullptr || b == nullptr) {
    return false;
  }
  out.approximations.assign(a->approximations.begin(), a->approximations.end());
  out.approximations.insert(out.approximations.end(), b->approximations.begin(), b->approximations.end());
  std::sort(out.approximations.begin(), out.approximations.end());
  out.approximations.erase(std::unique(out.approximations.begin(), out.approximations.end()),
                           out.approximations.end());
  const z3::expr differ =
      a->defined != b->defined || (a->defined && b->defined && !old_enc.Eq(a->value, b->value));
  for (const std::string& why : old_enc.approximations_outside()) {
    out.approximations.push_back(why);
  }
  std::vector<z3::expr> hard = pool.domain();
  hard.insert(hard.end(), old_enc.axioms().begin(), old_enc.axioms().end());
  hard.insert(hard.end(), new_enc.axioms().begin(), new_enc.axioms().end());  // calendar ones are old_enc's
  hard.push_back(differ);
  z3::solver solver(ctx);
  z3::params params(ctx);
  params.set("timeout", options.timeout_ms);
  solver.set(params);
  for (const z3::expr& c : hard) {
    solver.add(c);
  }
  const z3::check_result r = solver.check();
  if (r == z3::unsat) {
    out.status = DecisionDiff::Status::kSame;
    out.proven = true;
    return true;
  }
  if (r != z3::sat) {
    return false;
  }
  // Over every date: the first and last dates with a difference, by bisection (each step a
  // shorter check; an undecided one leaves the range unknown), and the witness on the first.
  const z3::model any_model = solver.get_model();  // later checks replace the solver's model
  std::optional<Period> range;
  if (pool.as_of_is_symbolic()) {
    if (const auto w = analysis::ModelAsOf(any_model, pool)) {
      z3::params quick(ctx);
      quick.set("timeout", std::min(options.timeout_ms, 2000U));
      solver.set(quick);
      DateBisection bisect{solver, pool.as_of()};
      const auto first = bisect.Earliest(analysis::MinDay(), w->days());
      const auto last = first ? bisect.Latest(w->days(), analysis::MaxDay()) : std::nullopt;
      if (first && last) {
        range =
            Period{Date::FromDays(static_cast<int32_t>(*first)), Date::FromDays(static_cast<int32_t>(*last))};
      }
      solver.set(params);
    }
  }
  std::vector<z3::expr> pinned = hard;
  if (range) {
    pinned.push_back(pool.as_of() == ctx.int_val(range->from->days()));
  }
  // The witness closest to one of the first two examples, then a plain model written over each
  // example in turn; on the first date when it is known, else on the date Z3 chose.
  std::vector<std::pair<z3::model, size_t>> models;
  for (const std::vector<z3::expr>* constraints : {&pinned, &hard}) {
    for (size_t i = 0; i < seeds.size() && i < 2; ++i) {
      bool timed_out = false;
      const std::optional<int32_t> prefer =
          pool.as_of_is_symbolic() ? std::optional<int32_t>(options.today.days()) : std::nullopt;
      if (auto m = analysis::ClosestModel(*constraints, pool, seeds[i], options.timeout_ms, 0, prefer,
                                          &timed_out)) {
        models.emplace_back(*m, i);
      } else if (timed_out) {
        break;
      }
    }
    if (constraints == &hard) {
      for (size_t i = 0; i < seeds.size(); ++i) {
        models.emplace_back(any_model, i);
      }
    }
  }
  for (const auto& [model, i] : models) {
    const json candidate = analysis::OverlayModel(model, pool, seeds[i]);
    const Date as_of =
        options.as_of ? *options.as_of : analysis::ModelAsOf(model, pool).value_or(options.today);
    bool old_ok = false;
    bool new_ok = false;
    SideResult x = Evaluate(old_set, old_d, exact_json::Dump(candidate), as_of, &old_ok);
    SideResult y = Evaluate(new_set, new_d, exact_json::Dump(candidate), as_of, &new_ok);
    if (old_ok && new_ok && x.outcome != y.outcome) {
      out.status = DecisionDiff::Status::kDifferent;
      out.method = "smt";
      out.witness = exact_json::Dump(candidate, 2);
      out.witness_as_of = as_of;
      // The range is claimed only when the interpreters confirm a difference on its first date.
      // The witness is then shown today if the same case differs today too, which reads better
      // than a date in year 1 for a change that has always applied.
      if (range && as_of == *range->from) {
        out.differs_on = range;
        if (range->Contains(options.today) && options.today != as_of) {
          bool old_today = false;
          bool new_today = false;
          SideResult xt = Evaluate(old_set, old_d, exact_json::Dump(candidate), options.today, &old_today);
          SideResult yt = Evaluate(new_set, new_d, exact_json::Dump(candidate), options.today, &new_today);
          if (old_today && new_today && xt.outcome != yt.outcome) {
            out.witness_as_of = options.today;
            x = std::move(xt);
            y = std::move(yt);
          }
        }
      }
      if (i < seed_names.size() && !seed_names[i].empty()) {
        out.witness_base = seed_names[i];
        out.witness_changes = analysis::JsonChanges(seeds[i], candidate);
      }
      out.old_side = std::move(x);
      out.new_side = std::move(y);
      return true;
    }
  }
  return false;
}

// What a decision reads that `policy diff` compares by itself and names as a cause: the
// parameters (decisions without a case record) and the constants it reads, directly or through
// the decisions, functions and constants it uses.
struct Reads {
  std::set<uint32_t> parameters;  // indices into Program::decisions
  std::set<uint32_t> constants;   // indices into Program::globals
};

auto ReadsOf(const ir::Program& program, uint32_t decision) -> Reads {
  std::set<uint32_t> decisions_seen;
  std::set<uint32_t> functions_seen;
  Reads out;
  std::function<void(const ir::Node&)> walk_node;
  const auto walk_decision = [&](uint32_t d) {
    if (!decisions_seen.insert(d).second) {
      return;
    }
    const ir::Decision& id = program.decisions[d];
    if (id.params.empty()) {
      out.parameters.insert(d);
    }
    if (id.default_value) {
      walk_node(*id.default_value);
    }
    for (const ir::Rule& r : id.rules) {
      for (const ir::Conjunct& c : r.when) {
        walk_node(*c.cond);
      }
      if (r.then) {
        walk_node(*r.then);
      }
    }
  };
  walk_node = [&](const ir::Node& n) {
    if (n.op == ir::Op::kCallDecision) {
      walk_decision(n.a);
    } else if (n.op == ir::Op::kCallFunction && functions_seen.insert(n.a).second) {
      walk_node(*program.functions[n.a].body);
    } else if (n.op == ir::Op::kGlobal && out.constants.insert(n.a).second) {
      walk_node(*program.globals[n.a].init);  // a constant computed from other constants
    }
    for (const auto& k : n.kids) {
      if (k) {
        walk_node(*k);
      }
    }
  };
  walk_decision(decision);
  out.parameters.erase(decision);
  return out;
}

// The user's constants of a program by qualified name (the standard library's are not compared).
auto Constants(const Engine& e) -> std::map<std::string, uint32_t> {
  std::map<std::string, uint32_t> out;
  const std::vector<ir::Global>& globals = e.program().ir().globals;
  for (uint32_t g = 0; g < globals.size(); ++g) {
    if (globals[g].name.rfind("std.", 0) != 0) {
      out.emplace(globals[g].name, g);
    }
  }
  return out;
}

// A constant's value as JSON text, as a parameter's is shown.
auto ConstantText(const Engine& e, uint32_t g) -> std::string {
  return exact_json::Dump(e.ValueToJson(e.program().ir().globals[g].type, e.program().global_values()[g]));
}

// A `const` on both sides, compared by value: constants are computed once, when the policies are
// loaded, and cannot depend on the date (E0406), so one comparison is exact for every date.
auto DiffConstant(const Engine& old_set, const Engine& new_set, const std::string& name,
                  const std::map<std::string, uint32_t>& old_constants,
                  const std::map<std::string, uint32_t>& new_constants) -> DecisionDiff {
  DecisionDiff out;
  out.decision = name;
  out.constant = true;
  const auto a = old_constants.find(name);
  const auto b = new_constants.find(name);
  if (a == old_constants.end() || b == new_constants.end()) {
    out.status =
        a != old_constants.end() ? DecisionDiff::Status::kOnlyInOld : DecisionDiff::Status::kOnlyInNew;
    return out;
  }
  out.old_side.outcome = ConstantText(old_set, a->second);
  out.new_side.outcome = ConstantText(new_set, b->second);
  out.proven = out.old_side.outcome == out.new_side.outcome;
  if (!out.proven) {
    out.status = DecisionDiff::Status::kDifferent;
    out.method = "value";
  }
  return out;
}

}  // namespace

auto DescribeValueChange(const ValueChange& c) -> std::string {
  std::string dates;
  if (c.dates.from && c.dates.from->days() > Date::FromCivil(Date::kMinYear, 1, 1)->days()) {
    dates = " from " + c.dates.from->ToString();
  }
  if (c.dates.until) {
    dates += (dates.empty() ? " until " : " until ") + c.dates.until->ToString();
  }
  return fmt::format("{} -> {}{}", c.old_value, c.new_value, dates.empty() ? " on every date" : dates);
}

auto DescribeConstantChange(const DecisionDiff& c) -> std::string {
  return fmt::format("{} -> {}", c.old_side.outcome, c.new_side.outcome);
}

namespace {

auto DiffOne(const Engine& old_set, const Engine& new_set, const std::string& name,
             const DiffOptions& options) -> DecisionDiff {
  DecisionDiff out;
  out.decision = name;
  const auto old_d = old_set.FindDecision(name);
  const auto new_d = new_set.FindDecision(name);
  if (!old_d || !new_d) {
    out.status = old_d ? DecisionDiff::Status::kOnlyInOld : DecisionDiff::Status::kOnlyInNew;
    return out;
  }
  const ir::Decision& old_ir = old_set.program().ir().decisions[*old_d];
  const ir::Decision& new_ir = new_set.program().ir().decisions[*new_d];
  if (old_ir.params.empty() && new_ir.params.empty()) {
    DiffOverTime(old_set, new_set, *old_d, *new_d, options, out);
    return out;
  }
  const auto record = RecordType(new_set, *new_d);
  if (!record || !RecordType(old_set, *old_d)) {
    out.status = DecisionDiff::Status::kNotComparable;
    out.reason = "it does not take a single case record, so it cannot be evaluated on case files";
    return out;
  }
  const TypeTable& types = new_set.program().ir().types;
  uint64_t name_hash = 1469598103934665603ULL;  // FNV-1a: the same search on every machine
  for (const char c : name) {
    name_hash = (name_hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  const Date search_date = options.as_of.value_or(options.today);
  CaseMutator mutator(types, search_date, options.random_seed ^ name_hash);
  std::vector<json> seeds;
  std::vector<std::string> seed_names;
  for (size_t i = 0; i < options.seeds.size(); ++i) {
    if (auto j = exact_json::TryParse<json>(options.seeds[i], InputLimits{}.max_depth)) {
      seeds.push_back(std::move(*j));
      seed_names.push_back(i < options.seed_names.size() ? options.seed_names[i] : "");
    }
  }
  if (seeds.empty()) {
    seeds.push_back(mutator.Fresh(*record));
    seed_names.emplace_back();
  }
  std::vector<json> witness_bases = seeds;  // Z3's witness is written over one of these
  if (!options.seeds.empty()) {
    witness_bases.push_back(mutator.Fresh(*record));  // for when no example fits the record type
  }
  if (options.prove && Prove(old_set, new_set, *old_d, *new_d, witness_bases, seed_names, options, out)) {
    return out;
  }
  out.method = "search";
  // The dates the search evaluates on: the one given, or today and every date on which either
  // version's effective dating changes.
  std::vector<Date> dates{search_date};
  if (!options.as_of) {
    for (const Date d : Boundaries(old_set, new_set)) {
      if (d != search_date) {
        dates.push_back(d);
      }
    }
  }
  // Each candidate is a seed with a few mutations; a candidate that both sets can read and
  // evaluate the same way may seed later candidates, so the search wanders away from the seeds.
  std::vector<std::pair<json, size_t>> pool;  // a candidate and the seed it comes from
  for (size_t i = 0; i < seeds.size(); ++i) {
    pool.emplace_back(seeds[i], i);
  }
  std::mt19937_64 pick(options.random_seed);
  size_t readable_cases = 0;
  for (size_t i = 0; i < options.budget; ++i) {
    auto [candidate, origin] = i < seeds.size() ? pool[i] : pool[pick() % pool.size()];
    if (i >= seeds.size()) {
      const size_t mutations = 1 + pick() % 3;
      for (size_t m = 0; m < mutations; ++m) {
        mutator.Mutate(candidate, *record);
      }
    }
    const Date as_of = dates[i % dates.size()];
    const std::string text = exact_json::Dump(candidate);
    bool old_ok = false;
    bool new_ok = false;
    SideResult a = Evaluate(old_set, *old_d, text, as_of, &old_ok);
    SideResult b = Evaluate(new_set, *new_d, text, as_of, &new_ok);
    ++out.cases_tried;
    if (!old_ok || !new_ok) {
      continue;  // not a valid case for one of the record types
    }
    ++readable_cases;
    if (a.outcome != b.outcome) {
      out.status = DecisionDiff::Status::kDifferent;
      out.witness = exact_json::Dump(candidate, 2);
      out.witness_as_of = as_of;
      if (!seed_names[origin].empty()) {
        out.witness_base = seed_names[origin];
        out.witness_changes = analysis::JsonChanges(seeds[origin], candidate);
      }
      out.old_side = std::move(a);
      out.new_side = std::move(b);
      return out;
    }
    if (pool.size() < 4096 && i >= seeds.size()) {
      pool.emplace_back(std::move(candidate), origin);
    }
  }
  if (readable_cases == 0) {
    out.status = DecisionDiff::Status::kNotComparable;
    out.reason = "no case could be read by both versions of its case record";
  }
  return out;
}

}  // namespace

auto DiffPolicySets(const Engine& old_set, const Engine& new_set, const DiffOptions& options)
    -> std::vector<DecisionDiff> {
  // Every constant of either side, compared once: they are few, and both the listing and the
  // causes need them.
  const std::map<std::string, uint32_t> old_constants = Constants(old_set);
  const std::map<std::string, uint32_t> new_constants = Constants(new_set);
  std::map<std::string, DecisionDiff> constants;
  for (const auto* side : {&old_constants, &new_constants}) {
    for (const auto& [name, g] : *side) {
      if (!constants.contains(name) && !old_set.FindDecision(name) && !new_set.FindDecision(name)) {
        constants.emplace(name, DiffConstant(old_set, new_set, name, old_constants, new_constants));
      }
    }
  }
  std::vector<std::string> names = options.decisions;
  if (names.empty()) {
    std::vector<std::string> a = old_set.DecisionNames();
    std::vector<std::string> b = new_set.DecisionNames();
    std::vector<std::string> decisions;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(decisions));
    // Constants are listed when they differ (changed, added or removed), among the decisions by
    // name; an unchanged one only when asked for by name.
    std::vector<std::string> changed;
    for (const auto& [name, diff] : constants) {
      if (diff.status != DecisionDiff::Status::kSame) {
        changed.push_back(name);
      }
    }
    std::merge(decisions.begin(), decisions.end(), changed.begin(), changed.end(), std::back_inserter(names));
  }
  // A decision whose definition, and everything it reaches, reads the same in both versions
  // decides the same: no question for Z3 (compiler/ir/fingerprint.h).
  const std::vector<std::string> old_definitions = ir::DecisionDefinitions(old_set.program().ir());
  const std::vector<std::string> new_definitions = ir::DecisionDefinitions(new_set.program().ir());
  const auto identical = [&](const std::string& name) {
    const auto a = old_set.FindDecision(name);
    const auto b = new_set.FindDecision(name);
    return !options.prove_identical && a && b && !new_set.program().ir().decisions[*b].is_parameter &&
           old_definitions[*a] == new_definitions[*b];
  };
  std::vector<DecisionDiff> out;
  std::vector<size_t> to_compare;  // indices into `out` of the decisions DiffOne compares
  for (const std::string& name : names) {
    if (name.rfind("std.", 0) == 0) {
      continue;
    }
    if (const auto c = constants.find(name); c != constants.end()) {
      out.push_back(c->second);
      continue;
    }
    DecisionDiff pending;
    pending.decision = name;
    if (identical(name)) {
      pending.proven = true;
      pending.method = "identical";
    } else {
      to_compare.push_back(out.size());
    }
    out.push_back(std::move(pending));
  }
  // Each decision is compared on its own (its own Z3 context, its own seeded search), so they
  // run on all cores and the results do not depend on the order or the number of threads.
  const size_t threads = std::min<size_t>(
      to_compare.size(),
      options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  std::exception_ptr failure;  // the first exception of a worker, rethrown here after the join
  std::mutex failure_mutex;
  const auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < to_compare.size();) {
        DecisionDiff& slot = out[to_compare[i]];
        slot = DiffOne(old_set, new_set, slot.decision, options);
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) {
        failure = std::current_exception();
      }
      next = to_compare.size();  // the others stop after their current decision
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back(work);
  }
  work();
  for (std::thread& t : pool) {
    t.join();
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  std::map<std::string, std::string> changed_parameters;  // name -> its first change
  for (const DecisionDiff& d : out) {
    if (!d.constant && !d.value_changes.empty()) {
      changed_parameters[d.decision] = DescribeValueChange(d.value_changes.front());
    }
  }
  // Name the changed parameters and constants a differing decision reads (in the new version)
  // as its cause.
  for (DecisionDiff& d : out) {
    const auto id = d.constant ? std::nullopt : new_set.FindDecision(d.decision);
    if (d.status != DecisionDiff::Status::kDifferent || !id) {
      continue;
    }
    const Reads reads = ReadsOf(new_set.program().ir(), *id);
    // A parameter's causes are the constants it reads; the other parameters it reads are named
    // only for decisions on a case record.
    if (d.value_changes.empty()) {
      for (const uint32_t p : reads.parameters) {
        const std::string& parameter = new_set.program().ir().decisions[p].name;
        auto it = changed_parameters.find(parameter);
        if (it == changed_parameters.end() && !options.decisions.empty()) {
          // Not asked about: compare it now, only to name it as a cause.
          const DecisionDiff pd = DiffOne(old_set, new_set, parameter, options);
          if (pd.value_changes.empty()) {
            continue;
          }
          it = changed_parameters.emplace(parameter, DescribeValueChange(pd.value_changes.front())).first;
        }
        if (it != changed_parameters.end()) {
          d.causes.push_back(fmt::format("{} ({})", parameter, it->second));
        }
      }
    }
    std::set<std::string> constants_read;  // by name, not in the order they are computed
    for (const uint32_t g : reads.constants) {
      constants_read.insert(new_set.program().ir().globals[g].name);
    }
    for (const std::string& name : constants_read) {
      const auto c = constants.find(name);
      if (c != constants.end() && c->second.status == DecisionDiff::Status::kDifferent) {
        d.causes.push_back(fmt::format("{} ({})", name, DescribeConstantChange(c->second)));
      }
    }
  }
  return out;
}

}  // namespace policy
