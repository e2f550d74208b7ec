#include "runtime/analysis/analyze.h"

#include <fmt/format.h>

#include <chrono>

#include <functional>
#include <random>

#include "runtime/analysis/encode.h"
#include "runtime/analysis/witness.h"
#include "runtime/engine/case_search.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

using json = nlohmann::json;

auto SameSpan(Span a, Span b) -> bool {
  return a.file == b.file && a.begin == b.begin;
}

// What the interpreter does with one case: the result, or the error, and the explanation.
struct Concrete {
  bool readable = false;
  std::optional<vm::DecisionResult> result;
  std::optional<Diagnostic> error;
  vm::Trace trace;
  std::string outcome;
};

auto Run(const Engine& e, uint32_t decision, const std::string& case_json, Date as_of) -> Concrete {
  Concrete out;
  auto ctx = e.NewContext();
  DiagnosticSink diags;
  const ir::Decision& d = e.program().ir().decisions[decision];
  std::optional<Value> input = Value();
  if (!d.params.empty()) {
    input = e.ReadCase(decision, case_json, "witness.json", *ctx, diags);
  }
  if (!input) {
    return out;
  }
  out.readable = true;
  out.result = e.Evaluate(decision, *input, as_of, *ctx, &out.trace, diags);
  if (!out.result) {
    out.error = diags.diagnostics().front();
    out.outcome = fmt::format("error {}: {}", GetKindInfo(out.error->code).code, out.error->message);
  } else if (!out.result->in_effect) {
    out.outcome = "not applicable (not in effect on this date)";
  } else if (!out.result->applicable) {
    out.outcome = "not applicable (no rule applies and there is no default)";
  } else {
    out.outcome = exact_json::Dump(e.ValueToJson(d.result, out.result->value));
  }
  return out;
}

// The question a finding answers, checked on a concrete evaluation: the interpreter must
// reproduce every witness before it is reported.
using Holds = std::function<bool(const Concrete&)>;

auto ConflictHolds(const ir::Decision& d, uint32_t i, uint32_t j) -> Holds {
  const Span a = d.rules[i].span;
  const Span b = d.rules[j].span;
  return [a, b](const Concrete& c) {
    if (!c.error || c.error->code != DiagCode::kConflict || !SameSpan(c.error->primary, a)) {
      return false;
    }
    return std::any_of(c.error->labels.begin(), c.error->labels.end(),
                       [&](const Label& l) { return SameSpan(l.span, b); });
  };
}

auto RuleAppliesHolds(const ir::Decision& d, uint32_t decision, uint32_t i) -> Holds {
  const Span span = d.rules[i].span;
  return [decision, i, span](const Concrete& c) {
    if (c.error) {
      // It applied if it is one side of a conflict in this decision.
      if (c.error->code != DiagCode::kConflict) {
        return false;
      }
      if (SameSpan(c.error->primary, span)) {
        return true;
      }
      return std::any_of(c.error->labels.begin(), c.error->labels.end(),
                         [&](const Label& l) { return SameSpan(l.span, span); });
    }
    if (c.trace.records.empty() || c.trace.records.back().decision != decision) {
      return false;
    }
    const auto& rules = c.trace.records.back().rules;
    return std::any_of(rules.begin(), rules.end(), [&](const vm::RuleOutcome& o) {
      return o.rule == i && o.kind == vm::RuleOutcome::Kind::kApplied;
    });
  };
}

auto GapHolds() -> Holds {
  return [](const Concrete& c) { return c.result && c.result->in_effect && !c.result->applicable; };
}

class Analyzer {
 public:
  Analyzer(const Engine& engine, const AnalyzeOptions& options)
      : engine_(engine),
        ir_(engine.program().ir()),
        options_(options),
        pool_(ctx_, options.as_of ? std::optional<int32_t>(options.as_of->days()) : std::nullopt),
        deadline_(options.total_ms == 0
                      ? std::chrono::steady_clock::time_point::max()
                      : std::chrono::steady_clock::now() + std::chrono::milliseconds(options.total_ms)) {
    for (size_t i = 0; i < options.seeds.size(); ++i) {
      auto j = exact_json::TryParse<json>(options.seeds[i], InputLimits{}.max_depth);
      if (j && j->is_object()) {
        seeds_.push_back(std::move(*j));
        seed_names_.push_back(i < options.seed_names.size() ? options.seed_names[i] : "");
      }
    }
  }

  auto Decision(uint32_t d) -> DecisionAnalysis {
    const ir::Decision& id = ir_.decisions[d];
    DecisionAnalysis out;
    out.decision = id.name;
    out.index = d;
    const bool takes_case = id.params.size() == 1 && ir_.types.kind(id.params[0]) == Kind::kRecord;
    if (!id.params.empty() && !takes_case) {
      out.skipped = "it does not take a single case record, so a witness could not be a case file";
      return out;
    }
    // An encoder per decision, so its solver carries only the calendar definitions this
    // decision needs.
    analysis::Encoder encoder(ir_, pool_);
    const analysis::DecisionSym* sym = encoder.Decision(d);
    if (sym == nullptr) {
      out.skipped = "it could not be encoded";
      return out;
    }
    out.analysed = true;
    PrepareBases(d, takes_case);
    out.approximations.assign(sym->approximations.begin(), sym->approximations.end());
    z3::solver solver(ctx_);
    z3::params params(ctx_);
    params.set("timeout", options_.timeout_ms);
    if (options_.rlimit != 0) {
      params.set("rlimit", options_.rlimit);
    }
    solver.set(params);
    for (const auto& c : pool_.domain()) {
      solver.add(c);
    }
    axioms_ = encoder.axioms();
    for (const auto& c : axioms_) {
      solver.add(c);
    }
    // Conflicts: pairs of rules with possibly different results.
    for (uint32_t i = 0; i < id.rules.size(); ++i) {
      for (uint32_t j = i + 1; j < id.rules.size(); ++j) {
        if (OutOfTime()) {
          ++out.unasked;
          continue;
        }
        const z3::expr differ = !encoder.Eq(sym->values[i], sym->values[j]);
        if (differ.simplify().is_false()) {
          continue;  // the two rules give the same result whenever both apply
        }
        Finding f;
        f.kind = Finding::Kind::kConflict;
        f.rules = {i, j};
        f.span = id.rules[j].span;
        Ask(solver, sym->applies[i] && sym->applies[j] && differ, d, takes_case, ConflictHolds(id, i, j), f);
        out.findings.push_back(std::move(f));
      }
    }
    for (const std::string& why : encoder.approximations_outside()) {
      if (std::find(out.approximations.begin(), out.approximations.end(), why) == out.approximations.end()) {
        out.approximations.push_back(why);
      }
    }
    // Dead rules.
    for (uint32_t i = 0; i < id.rules.size(); ++i) {
      if (OutOfTime()) {
        ++out.unasked;
        continue;
      }
      Finding f;
      f.kind = Finding::Kind::kDeadRule;
      f.rules = {i};
      f.span = id.rules[i].span;
      // The question asked is "can it apply?": a witness shows the rule is alive.
      Ask(solver, sym->applies[i], d, takes_case, RuleAppliesHolds(id, d, i), f, false);
      // Invert: a dead rule is found when applying is impossible.
      if (f.status == Finding::Status::kFound) {
        f.status = Finding::Status::kNone;
        f.witness.clear();
      } else if (f.status == Finding::Status::kNone) {
        f.status = Finding::Status::kFound;
      }
      out.findings.push_back(std::move(f));
    }
    // Gaps.
    if (!id.default_value && OutOfTime()) {
      ++out.unasked;
    } else if (!id.default_value) {
      Finding f;
      f.kind = Finding::Kind::kGap;
      f.span = id.span;
      z3::expr no_rule = ctx_.bool_val(true);
      for (const auto& a : sym->applies) {
        no_rule = no_rule && !a;
      }
      Ask(solver, sym->in_effect && no_rule, d, takes_case, GapHolds(), f);
      out.findings.push_back(std::move(f));
    }
    return out;
  }

 private:
  auto OutOfTime() const -> bool { return std::chrono::steady_clock::now() >= deadline_; }

  // Answers "is `question` satisfiable?": kFound with a reproduced witness, kNone when proven
  // unsatisfiable, otherwise the bounded search, and kNotProven if that finds nothing.
  void Ask(z3::solver& solver, const z3::expr& question, uint32_t d, bool takes_case, const Holds& holds,
           Finding& f, bool prefer_examples = true) {
    solver.push();
    solver.add(question);
    // No question may run past the overall limit either.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (options_.total_ms != 0 && left.count() < static_cast<int64_t>(options_.timeout_ms)) {
      z3::params limited(ctx_);
      limited.set("timeout", static_cast<unsigned>(std::max<int64_t>(1, left.count())));
      solver.set(limited);
    }
    const z3::check_result r = solver.check();
    if (r == z3::unsat) {
      solver.pop();
      f.status = Finding::Status::kNone;
      f.method = "smt";
      return;
    }
    if (r == z3::sat) {
      const z3::model model = solver.get_model();
      const std::vector<json>& bases = bases_;
      // A witness a reader can follow: the example case that needs the fewest changes. Two
      // examples at most, and no second try once the optimiser runs out of time.
      if (prefer_examples && takes_case) {
        for (size_t b = 0; b < bases.size() && b < 2; ++b) {
          bool timed_out = false;
          if (const auto m = Closest(question, bases[b], &timed_out);
              m && Accept(d, analysis::OverlayModel(*m, pool_, bases[b]), *m, holds, b, bases[b], f)) {
            solver.pop();
            return;
          }
          if (timed_out) {
            break;
          }
        }
      }
      for (size_t b = 0; b < bases.size(); ++b) {
        const json candidate = takes_case ? analysis::OverlayModel(model, pool_, bases[b]) : json::object();
        if (Accept(d, candidate, model, holds, b, bases[b], f)) {
          solver.pop();
          return;
        }
      }
    }
    solver.pop();
    Search(d, takes_case, holds, f);
  }

  auto Closest(const z3::expr& question, const json& base, bool* timed_out) -> std::optional<z3::model> {
    std::vector<z3::expr> hard = pool_.domain();
    hard.insert(hard.end(), axioms_.begin(), axioms_.end());
    hard.push_back(question);
    return analysis::ClosestModel(hard, pool_, base, options_.timeout_ms, options_.rlimit,
                                  options_.search_as_of.days(), timed_out);
  }

  auto Accept(uint32_t d, const json& candidate, const z3::model& model, const Holds& holds, size_t b,
              const json& base, Finding& f) -> bool {
    const auto as_of = analysis::ModelAsOf(model, pool_);
    if (!as_of || !Reproduce(d, candidate, *as_of, holds, f)) {
      return false;
    }
    f.method = "smt";
    f.base = b < base_names_.size() ? base_names_[b] : "";
    f.changes = analysis::JsonChanges(base, candidate);
    return true;
  }

  // The cases witnesses are written over, once per decision: the examples whose record type it
  // reads (others are other policies' cases), then a fresh case.
  void PrepareBases(uint32_t d, bool takes_case) {
    bases_.clear();
    base_names_.clear();
    if (!takes_case) {
      bases_.push_back(json::object());
      return;
    }
    for (size_t i = 0; i < seeds_.size(); ++i) {
      auto ctx = engine_.NewContext();
      DiagnosticSink diags;
      if (engine_.ReadCase(d, exact_json::Dump(seeds_[i]), "example.json", *ctx, diags)) {
        bases_.push_back(seeds_[i]);
        base_names_.push_back(seed_names_[i]);
      }
    }
    CaseMutator fresh(ir_.types, options_.search_as_of, 1);
    bases_.push_back(fresh.Fresh(ir_.decisions[d].params[0]));
  }

  auto Reproduce(uint32_t d, const json& candidate, Date as_of, const Holds& holds, Finding& f) -> bool {
    const std::string text = exact_json::Dump(candidate);
    const Concrete c = Run(engine_, d, text, as_of);
    if (!c.readable || !holds(c)) {
      return false;
    }
    f.status = Finding::Status::kFound;
    f.witness = exact_json::Dump(candidate, 2);
    f.as_of = as_of.ToString();
    f.outcome = c.outcome;
    return true;
  }

  // The bounded search: example cases mutated along the record type, on the analysis date, or
  // (when every date is in question) on today and the rules' effective dates.
  void Search(uint32_t d, bool takes_case, const Holds& holds, Finding& f) {
    const ir::Decision& id = ir_.decisions[d];
    std::vector<Date> dates;
    if (options_.as_of) {
      dates.push_back(*options_.as_of);
    } else {
      dates.push_back(options_.search_as_of);
      const auto add = [&](const std::optional<Date>& x, int delta) {
        if (x) {
          if (const auto moved = x->AddDays(delta)) {
            dates.push_back(*moved);
          }
        }
      };
      add(id.effective.from, 0);
      add(id.effective.until, 0);
      for (const ir::Rule& r : id.rules) {
        add(r.effective.from, 0);
        add(r.effective.until, 0);
        add(r.effective.from, -1);
        add(r.effective.until, 1);
      }
    }
    f.method = "search";
    const std::vector<json>& bases = bases_;
    std::vector<json> pool = bases;
    std::vector<size_t> origin(bases.size());  // the base each pool entry descends from
    for (size_t b = 0; b < origin.size(); ++b) {
      origin[b] = b;
    }
    const size_t initial = pool.size();
    uint64_t seed = 1469598103934665603ULL;  // FNV-1a of the decision name: the same search everywhere
    for (const char ch : id.name) {
      seed = (seed ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
    }
    for (const uint32_t r : f.rules) {
      seed = (seed ^ r) * 1099511628211ULL;
    }
    CaseMutator mutator(ir_.types, options_.search_as_of, seed);
    std::mt19937_64 pick(seed);
    const size_t budget = takes_case ? options_.search_budget : dates.size();
    for (size_t i = 0; i < budget; ++i) {
      const size_t from = i < initial ? i : pick() % pool.size();
      json candidate = pool[from];
      if (i >= initial && takes_case) {
        const size_t mutations = 1 + pick() % 3;
        for (size_t m = 0; m < mutations; ++m) {
          mutator.Mutate(candidate, id.params[0]);
        }
      }
      const Date as_of = dates[takes_case ? pick() % dates.size() : i % dates.size()];
      ++f.cases_tried;
      if (Reproduce(d, candidate, as_of, holds, f)) {
        const size_t b = origin[from];
        f.base = b < base_names_.size() ? base_names_[b] : "";
        f.changes = analysis::JsonChanges(bases[b], candidate);
        return;
      }
      if (pool.size() < 2048 && i >= initial) {
        pool.push_back(std::move(candidate));
        origin.push_back(origin[from]);
      }
    }
    f.status = Finding::Status::kNotProven;
  }

  const Engine& engine_;
  const ir::Program& ir_;
  const AnalyzeOptions& options_;
  z3::context ctx_;
  analysis::InputPool pool_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<json> seeds_;
  std::vector<std::string> seed_names_;
  std::vector<json> bases_;              // of the decision being analysed (PrepareBases)
  std::vector<std::string> base_names_;  // their names: the examples', then "" (the fresh case)
  std::vector<z3::expr> axioms_;         // of the decision being analysed
};

}  // namespace

auto FindingKindName(Finding::Kind kind) -> const char* {
  switch (kind) {
    case Finding::Kind::kConflict:
      return "conflict";
    case Finding::Kind::kDeadRule:
      return "dead_rule";
    case Finding::Kind::kGap:
      return "gap";
  }
  return "?";
}

auto FindingStatusName(Finding::Status status) -> const char* {
  switch (status) {
    case Finding::Status::kFound:
      return "found";
    case Finding::Status::kNone:
      return "none";
    case Finding::Status::kNotProven:
      return "not_proven";
  }
  return "?";
}

auto AnalyzePolicies(const Engine& engine, const AnalyzeOptions& options) -> std::vector<DecisionAnalysis> {
  Analyzer analyzer(engine, options);
  std::vector<DecisionAnalysis> out;
  const ir::Program& ir = engine.program().ir();
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    const std::string& name = ir.decisions[d].name;
    if (name.rfind("std.", 0) == 0) {
      continue;
    }
    if (!options.decisions.empty() &&
        std::find(options.decisions.begin(), options.decisions.end(), name) == options.decisions.end()) {
      continue;
    }
    out.push_back(analyzer.Decision(d));
  }
  return out;
}

}  // namespace policy
