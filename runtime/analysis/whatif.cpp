#include "runtime/analysis/whatif.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "core/decimal.h"
#include "runtime/analysis/encode.h"
#include "runtime/analysis/witness.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

using json = nlohmann::json;
using analysis::Sym;

// Two JSON values of the decision's result type that are the same value ("7.50" and "7.5"; a
// set in any order: only sets of enum values reach here, lists are not compared).
auto SameValue(const json& a, const json& b) -> bool {
  if (a.is_array() && b.is_array()) {
    std::vector<json> x(a.begin(), a.end());
    std::vector<json> y(b.begin(), b.end());
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    return x == y;
  }
  if (exact_json::IsNumber(a) && exact_json::IsNumber(b)) {
    const auto x = Decimal::Parse(exact_json::NumberText(a));
    const auto y = Decimal::Parse(exact_json::NumberText(b));
    return x && y && *x == *y;
  }
  return a == b;
}

// `$.a.b` for `a.b`, `$.a.b` or `$a.b`.
auto NormalizePath(std::string path) -> std::string {
  if (path.rfind("$.", 0) == 0) {
    return path;
  }
  if (path.rfind('$', 0) == 0) {
    path.erase(0, 1);
  }
  return "$." + path;
}

// Whether `path` names a field of the record `type` (or a field of a field...).
auto PathExists(const TypeTable& types, TypeId type, const std::string& path) -> bool {
  size_t at = 2;  // after "$."
  TypeId t = type;
  while (at <= path.size()) {
    const size_t dot = path.find('.', at);
    const std::string key = path.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
    t = types.Unwrap(t);
    if (types.kind(t) != Kind::kRecord) {
      return false;
    }
    const auto& fields = types.record_info(t).fields;
    const auto it =
        std::find_if(fields.begin(), fields.end(), [&](const FieldInfo& f) { return f.name == key; });
    if (it == fields.end()) {
      return false;
    }
    t = it->type;
    if (dot == std::string::npos) {
      return true;
    }
    at = dot + 1;
  }
  return false;
}

// The JSON paths of the fields declared `fixed`, anywhere in the record `type`.
void FixedPaths(const TypeTable& types, TypeId type, const std::string& prefix, int depth,
                std::vector<std::string>& out) {
  const TypeId t = types.Unwrap(type);
  if (types.kind(t) != Kind::kRecord || depth > 16) {
    return;
  }
  for (const FieldInfo& f : types.record_info(t).fields) {
    const std::string path = prefix + "." + f.name;
    if (f.fixed) {
      out.push_back(path);
    } else {
      FixedPaths(types, f.type, path, depth + 1, out);
    }
  }
}

auto Under(const std::string& path, const std::string& held) -> bool {
  return path == held || (path.size() > held.size() && path.rfind(held, 0) == 0 && path[held.size()] == '.');
}

// What the interpreter does with one case on the date.
struct Outcome {
  bool readable = false;
  bool applicable = false;
  json value;
  std::vector<uint32_t> deciding_rules;
  std::vector<uint32_t> applied_rules;           // every rule of the decision that applied
  std::vector<uint32_t> failed_condition_rules;  // its rules whose condition is false
};

auto Evaluate(const Engine& engine, uint32_t decision, const std::string& case_text, Date as_of,
              DiagnosticSink* report) -> Outcome {
  Outcome out;
  auto ctx = engine.NewContext();
  DiagnosticSink local;
  DiagnosticSink& diags = report != nullptr ? *report : local;
  const auto input = engine.ReadCase(decision, case_text, "case.json", *ctx, diags);
  if (!input) {
    return out;
  }
  out.readable = true;
  vm::Trace trace;
  DiagnosticSink eval_diags;
  const auto r = engine.Evaluate(decision, *input, as_of, *ctx, &trace, eval_diags);
  if (!trace.records.empty()) {
    for (const vm::RuleOutcome& rule : trace.records.back().rules) {
      if (rule.kind == vm::RuleOutcome::Kind::kApplied) {
        out.applied_rules.push_back(rule.rule);
      } else if (rule.kind == vm::RuleOutcome::Kind::kConditionFailed) {
        out.failed_condition_rules.push_back(rule.rule);
      }
    }
  }
  if (r && r->applicable) {
    out.applicable = true;
    out.value = exact_json::Parse<json>(
        exact_json::Dump(engine.ValueToJson(engine.DecisionResultType(decision), r->value)));
    if (!trace.records.empty()) {
      out.deciding_rules = trace.records.back().deciding_rules;
    }
  }
  return out;
}

auto ParseWant(const std::string& text) -> json {
  if (auto j = exact_json::TryParse<json>(text, 8)) {
    return *j;
  }
  return json(text);  // an enum value or a date written without quotes
}

// What a search looks for: the formula Z3 must satisfy, over the decision's encoding (nullopt
// when it cannot be written), and the interpreter's confirmation that a changed case reaches it.
struct Goal {
  std::function<std::optional<z3::expr>(analysis::Encoder&, const analysis::DecisionSym&, z3::context&)>
      formula;
  std::function<bool(const Outcome&)> reached;
};

class Search {
 public:
  Search(const Engine& engine, uint32_t decision, const WhatIfOptions& options, json base, Goal goal)
      : engine_(engine),
        decision_(decision),
        options_(options),
        base_(std::move(base)),
        goal_(std::move(goal)),
        pool_(ctx_, options.as_of.days()),
        encoder_(engine.program().ir(), pool_),
        solver_(ctx_) {}

  void Run(const std::vector<std::string>& held, WhatIfResult& result) {
    const analysis::DecisionSym* sym = encoder_.Decision(decision_);
    if (sym == nullptr) {
      return;  // kUnknown
    }
    result.approximations.assign(sym->approximations.begin(), sym->approximations.end());
    const std::optional<z3::expr> formula = goal_.formula(encoder_, *sym, ctx_);
    if (!formula) {
      return;
    }
    z3::expr goal = *formula;
    if (options_.tamper_goal) {
      goal = options_.tamper_goal(goal);
    }
    z3::params params(ctx_);
    params.set("timeout", options_.timeout_ms);
    if (options_.rlimit != 0) {
      params.set("rlimit", options_.rlimit);
    }
    solver_.set(params);
    for (const z3::expr& c : pool_.domain()) {
      solver_.add(c);
    }
    for (const z3::expr& c : encoder_.axioms()) {
      solver_.add(c);
    }
    solver_.add(goal);
    // Held fields keep their values; every other field may change, and says so with its flag.
    for (const analysis::FieldKeep& k : analysis::KeepConstraints(pool_, base_)) {
      const z3::expr keep = AllOf(k.equal);
      const bool is_held =
          std::any_of(held.begin(), held.end(), [&](const std::string& h) { return Under(k.path, h); });
      if (is_held) {
        solver_.add(keep);
        continue;
      }
      fields_.push_back(k.path);
      keeps_.push_back(keep);
      flags_.push_back(ctx_.bool_const(fmt::format("changed#{}", flags_.size()).c_str()));
      solver_.add(z3::implies(!flags_.back(), keep));
    }
    const z3::check_result possible = solver_.check();
    if (possible == z3::unsat) {
      result.verdict = WhatIfResult::Verdict::kImpossible;
      return;
    }
    if (possible != z3::sat) {
      return;  // kUnknown
    }
    bool settled = true;  // every bound was answered sat/unsat and no model was rejected
    for (size_t k = 1; k <= options_.max_changes && result.answers.size() < options_.max_answers; ++k) {
      // At most 50 models per bound: each either becomes an answer or is blocked.
      int tries = 0;
      for (; tries < 50 && result.answers.size() < options_.max_answers; ++tries) {
        solver_.push();
        solver_.add(AtMost(k));
        const z3::check_result r = solver_.check();
        if (r != z3::sat) {
          settled = settled && r == z3::unsat;
          solver_.pop();
          break;
        }
        const z3::model model = solver_.get_model();
        solver_.pop();
        const std::vector<size_t> changed = Changed(model);
        const z3::model closest = Closest(changed).value_or(model);
        const json candidate = analysis::OverlayModel(closest, pool_, base_);
        if (!Confirm(candidate, changed, result)) {
          ++result.rejected;
          settled = false;
        }
        // No later answer contains every field of this one: the answers are minimal sets.
        z3::expr_vector keep_one(ctx_);
        for (const size_t i : changed) {
          keep_one.push_back(!flags_[i]);
        }
        solver_.add(keep_one.empty() ? ctx_.bool_val(false) : z3::mk_or(keep_one));
        if (changed.empty()) {
          break;
        }
      }
      settled = settled && tries < 50;
    }
    if (!result.answers.empty()) {
      result.verdict = WhatIfResult::Verdict::kFound;
    } else if (settled) {
      result.verdict = WhatIfResult::Verdict::kNoneWithin;
    }
  }

 private:
  auto AllOf(const std::vector<z3::expr>& xs) -> z3::expr {
    z3::expr_vector v(ctx_);
    for (const auto& x : xs) {
      v.push_back(x);
    }
    return xs.empty() ? ctx_.bool_val(true) : z3::mk_and(v);
  }

  auto AtMost(size_t k) -> z3::expr {
    z3::expr_vector v(ctx_);
    for (const auto& f : flags_) {
      v.push_back(f);
    }
    return flags_.empty() ? ctx_.bool_val(true) : z3::atmost(v, static_cast<unsigned>(k));
  }

  // The fields whose values the model changes (a set flag on an unchanged field is not a change).
  auto Changed(const z3::model& model) -> std::vector<size_t> {
    std::vector<size_t> out;
    for (size_t i = 0; i < keeps_.size(); ++i) {
      if (model.eval(keeps_[i], true).is_false()) {
        out.push_back(i);
      }
    }
    return out;
  }

  // With only `changed` free, the model whose numbers and dates move least from the case's:
  // "20 hours" rather than "-9999 hours". Nullopt when the optimiser gives up.
  auto Closest(const std::vector<size_t>& changed) -> std::optional<z3::model> {
    z3::optimize opt(ctx_);
    z3::params params(ctx_);
    // The same limit as every question, not a shorter one: which values are closest must not
    // depend on how loaded the machine is (the answers are golden-tested).
    params.set("timeout", options_.timeout_ms);
    if (options_.rlimit != 0) {
      params.set("rlimit", options_.rlimit);
    }
    opt.set(params);
    for (const z3::expr& c : solver_.assertions()) {
      opt.add(c);
    }
    for (size_t i = 0; i < flags_.size(); ++i) {
      if (std::find(changed.begin(), changed.end(), i) == changed.end()) {
        opt.add(!flags_[i]);
      }
    }
    for (const analysis::InputLeaf& leaf : pool_.leaves()) {
      if (leaf.sym.shape != Sym::Shape::kScalar || leaf.path.empty()) {
        continue;
      }
      std::string path = "$";
      const json* at = &base_;
      for (const auto& p : leaf.path) {
        path += "." + p;
        at = at != nullptr && at->is_object() && at->contains(p) ? &(*at)[p] : nullptr;
      }
      const auto field = std::find(fields_.begin(), fields_.end(), path);
      if (at == nullptr || field == fields_.end() ||
          std::find(changed.begin(), changed.end(), static_cast<size_t>(field - fields_.begin())) ==
              changed.end()) {
        continue;
      }
      const TypeTable& types = *leaf.types;
      const auto from = analysis::SymOfJson(types, types.Unwrap(leaf.type), *at, ctx_);
      const Kind kind = types.kind(types.Unwrap(leaf.type));
      if (!from || (kind != Kind::kInt && kind != Kind::kDecimal && kind != Kind::kDate)) {
        continue;
      }
      const z3::expr d = leaf.sym.e[0] - from->e[0];
      opt.minimize(z3::ite(d < 0, -d, d));
    }
    if (opt.check() != z3::sat) {
      return std::nullopt;
    }
    return opt.get_model();
  }

  // The interpreter's verdict on a candidate; a confirmed one becomes an answer.
  auto Confirm(const json& candidate, const std::vector<size_t>& changed, WhatIfResult& result) -> bool {
    const std::string text = exact_json::Dump(candidate);
    const Outcome o = Evaluate(engine_, decision_, text, options_.as_of, nullptr);
    if (!o.readable || !goal_.reached(o)) {
      return false;
    }
    WhatIfAnswer a;
    for (const size_t i : changed) {
      a.changed_fields.push_back(fields_[i]);
    }
    for (const analysis::JsonChange& c : analysis::JsonDiff(base_, candidate)) {
      a.changes.push_back({c.path, exact_json::Dump(c.before), exact_json::Dump(c.after)});
    }
    if (a.changes.empty()) {
      return false;
    }
    a.case_json = exact_json::Dump(candidate, 2);
    a.value_json = exact_json::Dump(o.value);
    a.deciding_rules = o.deciding_rules;
    result.answers.push_back(std::move(a));
    return true;
  }

  const Engine& engine_;
  uint32_t decision_;
  const WhatIfOptions& options_;
  json base_;
  Goal goal_;
  z3::context ctx_;
  analysis::InputPool pool_;
  analysis::Encoder encoder_;
  z3::solver solver_;
  std::vector<std::string> fields_;  // the fields that may change: JSON paths
  std::vector<z3::expr> keeps_;      // per field: it keeps the case's value
  std::vector<z3::expr> flags_;      // per field: it may change
};

// The fields no answer may change: options.held (checked to be fields of the case record) and
// the fields the record declares `fixed`. Nullopt, reported, when the decision takes no case
// record or a held path is not a field.
auto HeldFields(const Engine& engine, uint32_t decision, const WhatIfOptions& options, DiagnosticSink& diags)
    -> std::optional<std::vector<std::string>> {
  const ir::Program& ir = engine.program().ir();
  const ir::Decision& d = ir.decisions[decision];
  if (d.params.size() != 1 || ir.types.kind(d.params[0]) != Kind::kRecord) {
    diags.ReportInput(
        DiagCode::kBadArgument, "--what-if", "",
        fmt::format("`{}` does not take a single case record, so there is no case to change", d.name));
    return std::nullopt;
  }
  std::vector<std::string> held;
  for (const std::string& h : options.held) {
    const std::string path = NormalizePath(h);
    if (!PathExists(ir.types, d.params[0], path)) {
      diags
          .ReportInput(DiagCode::kBadArgument, "--fix", "",
                       fmt::format("`{}` is not a field of the case record `{}`", h,
                                   ir.types.record_info(d.params[0]).name))
          .WithHelp(
              "write a JSON path into the case, e.g. `applicant.date_of_birth` or "
              "`$.applicant.date_of_birth`");
      return std::nullopt;
    }
    held.push_back(path);
  }
  FixedPaths(ir.types, d.params[0], "$", 0, held);
  return held;
}

}  // namespace

auto WhatIf(const Engine& engine, uint32_t decision, std::string_view case_json, const WhatIfOptions& options,
            DiagnosticSink& diags) -> std::optional<WhatIfResult> {
  const ir::Program& ir = engine.program().ir();
  const ir::Decision& d = ir.decisions[decision];
  auto held = HeldFields(engine, decision, options, diags);
  if (!held) {
    return std::nullopt;
  }
  WhatIfResult result;
  result.held = std::move(*held);
  const Outcome now = Evaluate(engine, decision, std::string(case_json), options.as_of, &diags);
  if (!now.readable) {
    return std::nullopt;
  }
  result.applicable = now.applicable;
  result.value_json = now.applicable ? exact_json::Dump(now.value) : "";
  const TypeId type = engine.DecisionResultType(decision);
  json want;
  bool want_other = false;
  if (options.want) {
    want = ParseWant(*options.want);
    z3::context probe;
    if (!analysis::SymOfJson(ir.types, type, want, probe)) {
      diags
          .ReportInput(DiagCode::kBadArgument, "--want", "",
                       fmt::format("`{}` is not a value of `{}`, the type of `{}`", *options.want,
                                   ir.types.Name(type), d.name))
          .WithHelp(
              "give a value as the decision's JSON has it, e.g. --want true, --want 20, --want 2025-09-01");
      return std::nullopt;
    }
    result.want = exact_json::Dump(want);
  } else if (ir.types.kind(type) == Kind::kBool) {
    want = now.applicable ? json(!now.value.get<bool>()) : json(true);
    result.want = exact_json::Dump(want);
  } else {
    z3::context probe;
    if (!now.applicable || !analysis::SymOfJson(ir.types, type, now.value, probe)) {
      diags
          .ReportInput(
              DiagCode::kBadArgument, "--want", "",
              fmt::format("`{}` gives a `{}`: say which value to look for", d.name, ir.types.Name(type)))
          .WithHelp("e.g. --want 20");
      return std::nullopt;
    }
    want = now.value;
    want_other = true;
    result.want = fmt::format("a value other than {}", exact_json::Dump(want));
  }
  if (now.applicable && SameValue(now.value, want) != want_other) {
    result.verdict = WhatIfResult::Verdict::kAlready;
    return result;
  }
  const auto base = exact_json::TryParse<json>(case_json, InputLimits{}.max_depth);
  Goal goal;
  goal.formula = [&](analysis::Encoder& encoder, const analysis::DecisionSym& sym,
                     z3::context& ctx) -> std::optional<z3::expr> {
    const auto target = analysis::SymOfJson(ir.types, type, want, ctx);
    if (!target) {
      return std::nullopt;
    }
    return sym.defined && (want_other ? !encoder.Eq(sym.value, *target) : encoder.Eq(sym.value, *target));
  };
  goal.reached = [&](const Outcome& o) { return o.applicable && SameValue(o.value, want) != want_other; };
  Search search(engine, decision, options, *base, std::move(goal));
  search.Run(result.held, result);
  return result;
}

auto NearestRuleChanges(const Engine& engine, uint32_t decision, std::string_view case_json,
                        const WhatIfOptions& options, DiagnosticSink& diags)
    -> std::optional<std::vector<RuleChange>> {
  const auto held = HeldFields(engine, decision, options, diags);
  if (!held) {
    return std::nullopt;
  }
  const Outcome now = Evaluate(engine, decision, std::string(case_json), options.as_of, &diags);
  if (!now.readable) {
    return std::nullopt;
  }
  const auto base = exact_json::TryParse<json>(case_json, InputLimits{}.max_depth);
  WhatIfOptions one = options;
  one.max_answers = 1;
  std::vector<RuleChange> out;
  // One search per rule, each on its own solver: a rule's question is independent of another's.
  for (const uint32_t rule : now.failed_condition_rules) {
    Goal goal;
    goal.formula = [rule](analysis::Encoder&, const analysis::DecisionSym& sym,
                          z3::context&) -> std::optional<z3::expr> {
      if (rule >= sym.applies.size()) {
        return std::nullopt;
      }
      return sym.applies[rule];
    };
    goal.reached = [rule](const Outcome& o) {
      return std::find(o.applied_rules.begin(), o.applied_rules.end(), rule) != o.applied_rules.end();
    };
    WhatIfResult result;
    Search search(engine, decision, one, *base, std::move(goal));
    search.Run(*held, result);
    RuleChange change;
    change.rule = rule;
    change.verdict = result.verdict;
    if (!result.answers.empty()) {
      change.answer = std::move(result.answers.front());
    }
    out.push_back(std::move(change));
  }
  return out;
}

auto WhatIfVerdictName(WhatIfResult::Verdict verdict) -> const char* {
  switch (verdict) {
    case WhatIfResult::Verdict::kFound:
      return "found";
    case WhatIfResult::Verdict::kAlready:
      return "already";
    case WhatIfResult::Verdict::kImpossible:
      return "impossible";
    case WhatIfResult::Verdict::kNoneWithin:
      return "none_within_max_changes";
    case WhatIfResult::Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

}  // namespace policy
