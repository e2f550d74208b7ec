#include "runtime/analysis/partial.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "runtime/analysis/encode.h"
#include "runtime/analysis/witness.h"
#include "runtime/engine/case_search.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

using json = nlohmann::json;

// Fills every required field absent from `j` with a placeholder and records its path. A field
// declared `name?: T` may be absent (it is then none), so it is not missing.
void FillMissing(const TypeTable& types, TypeId type, json& j, const std::string& path, CaseMutator& fresh,
                 std::vector<std::string>& missing, int depth) {
  const TypeId t = types.Unwrap(type);
  if (types.kind(t) != Kind::kRecord || !j.is_object() || depth > 16) {
    return;
  }
  for (const FieldInfo& f : types.record_info(t).fields) {
    const std::string sub = path + "." + f.name;
    if (!j.contains(f.name)) {
      if (f.may_be_absent) {
        continue;
      }
      if (types.kind(f.type) == Kind::kRecord) {
        // A whole record missing: each of its fields is a question of its own.
        j[f.name] = json::object();
      } else {
        j[f.name] = fresh.Fresh(f.type);
        missing.push_back(sub);
        continue;
      }
    }
    FillMissing(types, f.type, j[f.name], sub, fresh, missing, depth + 1);
  }
}

auto Under(const std::string& path, const std::string& prefix) -> bool {
  return path == prefix ||
         (path.size() > prefix.size() && path.rfind(prefix, 0) == 0 && path[prefix.size()] == '.');
}

struct Outcome {
  bool readable = false;
  bool failed = false;  // an evaluation error
  bool applicable = false;
  json value;
};

auto Run(const Engine& engine, uint32_t decision, const json& c, Date as_of, DiagnosticSink* report)
    -> Outcome {
  Outcome out;
  auto ctx = engine.NewContext();
  DiagnosticSink local;
  const auto input =
      engine.ReadCase(decision, exact_json::Dump(c), "case.json", *ctx, report != nullptr ? *report : local);
  if (!input) {
    return out;
  }
  out.readable = true;
  DiagnosticSink eval_diags;
  const auto r = engine.Evaluate(decision, *input, as_of, *ctx, nullptr, eval_diags);
  out.failed = !r;
  if (r && r->applicable) {
    out.applicable = true;
    out.value = exact_json::Parse<json>(
        exact_json::Dump(engine.ValueToJson(engine.DecisionResultType(decision), r->value)));
  }
  return out;
}

auto SameOutcome(const Outcome& a, const Outcome& b) -> bool {
  if (a.failed || b.failed || a.applicable != b.applicable) {
    return a.failed == b.failed && a.applicable == b.applicable;
  }
  return !a.applicable || exact_json::Dump(a.value) == exact_json::Dump(b.value);
}

// The uninterpreted constants of `e`, by name.
void Constants(const z3::expr& e, std::set<std::string>& out, std::set<unsigned>& seen) {
  if (!seen.insert(e.id()).second) {
    return;
  }
  if (e.is_const() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    out.insert(e.decl().name().str());
    return;
  }
  if (e.is_app()) {
    for (unsigned i = 0; i < e.num_args(); ++i) {
      Constants(e.arg(i), out, seen);
    }
  }
}

}  // namespace

auto EvaluatePartial(const Engine& engine, uint32_t decision, std::string_view case_json,
                     const PartialOptions& options, DiagnosticSink& diags) -> std::optional<PartialResult> {
  const ir::Program& ir = engine.program().ir();
  const ir::Decision& d = ir.decisions[decision];
  if (d.params.size() != 1 || ir.types.kind(d.params[0]) != Kind::kRecord) {
    diags.ReportInput(
        DiagCode::kBadArgument, "--partial", "",
        fmt::format("`{}` does not take a single case record, so no field of it can be missing", d.name));
    return std::nullopt;
  }
  auto parsed = exact_json::TryParse<json>(case_json, InputLimits{}.max_depth);
  if (!parsed || !parsed->is_object()) {
    // Not an object, or not JSON: the reader says exactly what is wrong and where.
    auto ctx = engine.NewContext();
    engine.ReadCase(decision, case_json, "case.json", *ctx, diags);
    return std::nullopt;
  }
  PartialResult result;
  json filled = std::move(*parsed);
  CaseMutator fresh(ir.types, options.as_of, 1);
  FillMissing(ir.types, d.params[0], filled, "$", fresh, result.missing, 0);
  const Outcome base = Run(engine, decision, filled, options.as_of, &diags);
  if (!base.readable) {
    return std::nullopt;
  }
  result.value_json = base.applicable ? exact_json::Dump(base.value) : "";
  if (result.missing.empty()) {
    result.verdict = PartialResult::Verdict::kDecided;
    return result;
  }
  if (base.failed) {
    return result;  // kUnknown: errors are not modelled
  }

  z3::context ctx;
  analysis::InputPool pool(ctx, options.as_of.days());
  analysis::Encoder encoder(ir, pool);
  const analysis::DecisionSym* sym = encoder.Decision(decision);
  if (sym == nullptr) {
    return result;
  }
  result.approximations.assign(sym->approximations.begin(), sym->approximations.end());
  z3::expr differs = sym->defined;
  if (base.applicable) {
    const auto v = analysis::SymOfJson(ir.types, d.result, base.value, ctx);
    if (!v) {
      return result;  // a result type the search does not compare
    }
    differs = !(sym->defined && encoder.Eq(sym->value, *v));
  }
  z3::solver solver(ctx);
  z3::params params(ctx);
  params.set("timeout", options.timeout_ms);
  if (options.rlimit != 0) {
    params.set("rlimit", options.rlimit);
  }
  solver.set(params);
  for (const z3::expr& c : pool.domain()) {
    solver.add(c);
  }
  for (const z3::expr& c : encoder.axioms()) {
    solver.add(c);
  }
  // The known fields keep their values; the missing ones are free.
  std::vector<std::pair<z3::expr, z3::expr>> known;  // variable, value
  for (const analysis::FieldKeep& k : analysis::KeepConstraints(pool, filled)) {
    const bool is_missing = std::any_of(result.missing.begin(), result.missing.end(),
                                        [&](const std::string& m) { return Under(k.path, m); });
    if (!is_missing) {
      for (const z3::expr& e : k.equal) {
        solver.add(e);
        known.emplace_back(e.arg(0), e.arg(1));
      }
    }
  }
  solver.add(differs);
  const z3::check_result r = solver.check();
  if (r == z3::unsat) {
    result.verdict = PartialResult::Verdict::kDecided;
    return result;
  }
  if (r != z3::sat) {
    return result;
  }
  const json other = analysis::OverlayModel(solver.get_model(), pool, filled);
  const Outcome o = Run(engine, decision, other, options.as_of, nullptr);
  if (!o.readable || SameOutcome(o, base)) {
    return result;  // the encoding over-approximates: no confirmed difference
  }
  result.verdict = PartialResult::Verdict::kUndecided;
  result.other_case_json = exact_json::Dump(other, 2);
  result.other_value_json = o.applicable ? exact_json::Dump(o.value) : "";

  // The questions: the missing fields whose variables the decision still reads once the known
  // fields are substituted (directly, or through a calendar decomposition of them), the one read
  // most often first.
  z3::expr_vector from(ctx);
  z3::expr_vector to(ctx);
  for (const auto& [var, value] : known) {
    from.push_back(var);
    to.push_back(value);
  }
  z3::expr_vector parts(ctx);
  parts.push_back(sym->defined);
  for (const z3::expr& e : sym->value.e) {
    parts.push_back(e);
  }
  std::map<std::string, size_t> reads;  // variable name -> occurrences
  std::set<std::string> names;
  for (unsigned i = 0; i < parts.size(); ++i) {
    std::set<unsigned> seen;
    Constants(parts[i].substitute(from, to).simplify(), names, seen);
  }
  // Through the calendar: an axiom that defines year/month/day of a date ties them to it.
  for (bool grew = true; grew;) {
    grew = false;
    for (const z3::expr& axiom : encoder.axioms()) {
      std::set<std::string> in;
      std::set<unsigned> seen;
      Constants(axiom, in, seen);
      const bool touches =
          std::any_of(in.begin(), in.end(), [&](const std::string& n) { return names.count(n) != 0; });
      if (touches) {
        for (const std::string& n : in) {
          grew = names.insert(n).second || grew;
        }
      }
    }
  }
  for (const std::string& m : result.missing) {
    size_t count = 0;
    for (const analysis::InputLeaf& leaf : pool.leaves()) {
      std::string path = "$";
      for (const auto& p : leaf.path) {
        path += "." + p;
      }
      if (!Under(path, m)) {
        continue;
      }
      for (const z3::expr& e : leaf.sym.e) {
        count += names.count(e.decl().name().str());
      }
    }
    if (count > 0) {
      reads[m] = count;
    }
  }
  for (const std::string& m : result.missing) {
    if (reads.count(m) != 0) {
      result.questions.push_back(m);
    }
  }
  std::stable_sort(result.questions.begin(), result.questions.end(),
                   [&](const std::string& a, const std::string& b) { return reads[a] > reads[b]; });
  return result;
}

auto PartialVerdictName(PartialResult::Verdict verdict) -> const char* {
  switch (verdict) {
    case PartialResult::Verdict::kDecided:
      return "decided";
    case PartialResult::Verdict::kUndecided:
      return "undecided";
    case PartialResult::Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

auto PartialResultJson(const Engine& engine, uint32_t decision, const PartialResult& r, Date as_of)
    -> nlohmann::ordered_json {
  const auto value_or_null = [](const std::string& v) {
    return v.empty() ? nlohmann::ordered_json() : exact_json::Parse<nlohmann::ordered_json>(v);
  };
  nlohmann::ordered_json j;
  j["decision"] = engine.program().ir().decisions[decision].name;
  j["as_of"] = as_of.ToString();
  j["verdict"] = PartialVerdictName(r.verdict);
  j["missing"] = r.missing;
  j["value"] = value_or_null(r.value_json);
  j["questions"] = r.questions;
  if (r.verdict == PartialResult::Verdict::kUndecided) {
    j["other_value"] = value_or_null(r.other_value_json);
    j["other_case"] = exact_json::Parse<nlohmann::ordered_json>(r.other_case_json);
  }
  j["approximations"] = r.approximations;
  return j;
}

}  // namespace policy
