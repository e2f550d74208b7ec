#include "runtime/analysis/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "runtime/analysis/encode.h"
#include "runtime/analysis/witness.h"
#include "runtime/engine/case_search.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

using json = nlohmann::json;

// One side's evaluation of a case: its outcome text and what gave it.
auto Evaluate(const Engine& e, uint32_t decision, const std::string& case_json, Date as_of, bool* readable)
    -> SideResult {
  SideResult out;
  auto ctx = e.NewContext();
  DiagnosticSink diags;
  const auto input = e.ReadCase(decision, case_json, "case.json", *ctx, diags);
  *readable = input.has_value();
  if (!input) {
    return out;
  }
  vm::Trace trace;
  const auto r = e.Evaluate(decision, *input, as_of, *ctx, &trace, diags);
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

auto RecordType(const Engine& e, uint32_t decision) -> std::optional<TypeId> {
  const ir::Decision& d = e.program().ir().decisions[decision];
  if (d.params.size() != 1 || e.program().ir().types.kind(d.params[0]) != Kind::kRecord) {
    return std::nullopt;
  }
  return d.params[0];
}

// Asks Z3 whether some case decides differently. True when it settled the question: proven the
// same (out.proven), or a witness that both interpreters confirm (out.status = kDifferent).
auto Prove(const Engine& old_set, const Engine& new_set, uint32_t old_d, uint32_t new_d,
           const std::vector<json>& seeds, const DiffOptions& options, DecisionDiff& out) -> bool {
  z3::context ctx;
  analysis::InputPool pool(ctx, options.as_of.days());
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
  // The witness closest to one of the first two examples, then the plain model written over
  // each example in turn.
  std::vector<std::pair<z3::model, size_t>> models;
  for (size_t i = 0; i < seeds.size() && i < 2; ++i) {
    bool timed_out = false;
    if (auto m =
            analysis::ClosestModel(hard, pool, seeds[i], options.timeout_ms, 0, std::nullopt, &timed_out)) {
      models.emplace_back(*m, i);
    } else if (timed_out) {
      break;
    }
  }
  for (size_t i = 0; i < seeds.size(); ++i) {
    models.emplace_back(solver.get_model(), i);
  }
  for (const auto& [model, i] : models) {
    const json candidate = analysis::OverlayModel(model, pool, seeds[i]);
    bool old_ok = false;
    bool new_ok = false;
    SideResult x = Evaluate(old_set, old_d, exact_json::Dump(candidate), options.as_of, &old_ok);
    SideResult y = Evaluate(new_set, new_d, exact_json::Dump(candidate), options.as_of, &new_ok);
    if (old_ok && new_ok && x.outcome != y.outcome) {
      out.status = DecisionDiff::Status::kDifferent;
      out.method = "smt";
      out.witness = exact_json::Dump(candidate, 2);
      out.old_side = std::move(x);
      out.new_side = std::move(y);
      return true;
    }
  }
  return false;
}

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
  CaseMutator mutator(types, options.as_of, options.random_seed ^ name_hash);
  std::vector<json> seeds;
  for (const std::string& s : options.seeds) {
    if (auto j = exact_json::TryParse<json>(s, InputLimits{}.max_depth)) {
      seeds.push_back(std::move(*j));
    }
  }
  if (seeds.empty()) {
    seeds.push_back(mutator.Fresh(*record));
  }
  std::vector<json> witness_bases = seeds;  // Z3's witness is written over one of these
  if (!options.seeds.empty()) {
    witness_bases.push_back(mutator.Fresh(*record));  // for when no example fits the record type
  }
  if (options.prove && Prove(old_set, new_set, *old_d, *new_d, witness_bases, options, out)) {
    return out;
  }
  out.method = "search";
  // Each candidate is a seed with a few mutations; a candidate that both sets can read and
  // evaluate the same way may seed later candidates, so the search wanders away from the seeds.
  std::vector<json> pool = seeds;
  std::mt19937_64 pick(options.random_seed);
  size_t readable_cases = 0;
  for (size_t i = 0; i < options.budget; ++i) {
    json candidate = i < seeds.size() ? seeds[i] : pool[pick() % pool.size()];
    if (i >= seeds.size()) {
      const size_t mutations = 1 + pick() % 3;
      for (size_t m = 0; m < mutations; ++m) {
        mutator.Mutate(candidate, *record);
      }
    }
    const std::string text = exact_json::Dump(candidate);
    bool old_ok = false;
    bool new_ok = false;
    SideResult a = Evaluate(old_set, *old_d, text, options.as_of, &old_ok);
    SideResult b = Evaluate(new_set, *new_d, text, options.as_of, &new_ok);
    ++out.cases_tried;
    if (!old_ok || !new_ok) {
      continue;  // not a valid case for one of the record types
    }
    ++readable_cases;
    if (a.outcome != b.outcome) {
      out.status = DecisionDiff::Status::kDifferent;
      out.witness = exact_json::Dump(candidate, 2);
      out.old_side = std::move(a);
      out.new_side = std::move(b);
      return out;
    }
    if (pool.size() < 4096 && i >= seeds.size()) {
      pool.push_back(std::move(candidate));
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
  std::vector<std::string> names = options.decisions;
  if (names.empty()) {
    std::vector<std::string> a = old_set.DecisionNames();
    std::vector<std::string> b = new_set.DecisionNames();
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(names));
  }
  std::vector<DecisionDiff> out;
  for (const std::string& name : names) {
    if (name.rfind("std.", 0) == 0) {
      continue;
    }
    out.push_back(DiffOne(old_set, new_set, name, options));
  }
  return out;
}

}  // namespace policy
