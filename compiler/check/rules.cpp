// Decisions and parameters: the default, each rule's condition and value, effective periods,
// exception targets and cycles, and the evaluation order the exceptions imply. The structure of
// the rules is a check of its own (E04xx), apart from the types of the expressions inside them.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

namespace policy::check {

void Checker::CheckDecision(uint32_t index) {
  DecisionInfo& d = program_.decisions[index];
  ast::DecisionDecl& decl = const_cast<ast::DecisionDecl&>(*d.decl);
  Body body;
  body.module = d.module;
  body.owner = Node{SymKind::kDecision, index};
  BindParams(decl.params, d.params, body);
  const std::string result_what = fmt::format("the result type of decision `{}`", decl.name.text);
  if (decl.default_value) {
    CheckExpr(decl.default_value, body, d.result);
    Require(decl.default_value, d.result, body, result_what);
  }
  // Rules: names, bodies, targets.
  std::map<std::string, uint32_t> by_name;
  for (uint32_t i = 0; i < decl.rules.size(); ++i) {
    ast::RuleDecl& rule = decl.rules[i];
    if (const auto it = by_name.find(rule.name.text); it != by_name.end()) {
      diags_
          .Report(DiagCode::kDuplicateDeclaration, rule.name.span,
                  fmt::format("decision `{}` has two rules named `{}`", decl.name.text, rule.name.text),
                  "declared again here")
          .WithLabel(decl.rules[it->second].name.span, "first declared here");
    } else {
      by_name[rule.name.text] = i;
    }
    if (rule.effective_from && rule.effective_until && *rule.effective_until < *rule.effective_from) {
      diags_
          .Report(DiagCode::kEmptyEffectivePeriod, rule.effective_span,
                  decl.is_parameter
                      ? fmt::format("value {} of parameter `{}` stops being effective before it starts",
                                    i + 1, decl.name.text)
                      : fmt::format("rule `{}` stops being effective before it starts", rule.name.text),
                  fmt::format("{} is before {}", rule.effective_until->ToString(),
                              rule.effective_from->ToString()))
          .WithHelp("swap the dates, or remove `until`");
    }
    const size_t narrowed_before = body.narrowed.size();
    if (rule.when) {
      CheckExpr(rule.when, body, TypeTable::kBoolId);
      Require(rule.when, TypeTable::kBoolId, body, "a `when` condition");
      CollectNarrowing(*rule.when, /*when_true=*/true, body.narrowed);
    }
    CheckExpr(rule.then, body, d.result);
    Require(rule.then, d.result, body, result_what);
    body.narrowed.resize(narrowed_before);
  }
  if (decl.effective_from && decl.effective_until && *decl.effective_until < *decl.effective_from) {
    diags_
        .Report(
            DiagCode::kEmptyEffectivePeriod, decl.effective_span,
            fmt::format("decision `{}` stops being effective before it starts", decl.name.text),
            fmt::format("{} is before {}", decl.effective_until->ToString(), decl.effective_from->ToString()))
        .WithHelp("swap the dates, or remove `until`");
  }
  if (decl.is_parameter) {
    CheckParameterTimeline(decl);
  }
  if (decl.rules.empty() && !decl.default_value) {
    diags_
        .Report(DiagCode::kNeverApplicable, decl.name.span,
                fmt::format("decision `{}` has no rules and no default", decl.name.text),
                "can never decide anything")
        .WithHelp("add `default <value>` or at least one `rule ... then <value>`");
  }
  d.rules.resize(decl.rules.size());
  for (uint32_t i = 0; i < decl.rules.size(); ++i) {
    d.rules[i].decl = &decl.rules[i];
  }
  // Exception edges: exception -> each target.
  std::vector<std::vector<uint32_t>> targets(decl.rules.size());
  for (uint32_t i = 0; i < decl.rules.size(); ++i) {
    const ast::RuleDecl& rule = decl.rules[i];
    for (const ast::Name& t : rule.targets) {
      const auto it = by_name.find(t.text);
      if (it == by_name.end()) {
        std::vector<std::string> names;
        for (const auto& [n, idx] : by_name) {
          names.push_back(n);
        }
        Diagnostic& diag = diags_.Report(
            DiagCode::kUnknownRule, t.span,
            fmt::format("decision `{}` has no rule `{}`", decl.name.text, t.text), "no such rule");
        if (const std::string s = SuggestName(t.text, names); !s.empty()) {
          diag.WithHelp(fmt::format("did you mean `{}`?", s));
        }
        continue;
      }
      if (it->second == i) {
        diags_.Report(DiagCode::kExceptionCycle, t.span,
                      fmt::format("exception `{}` is an exception to itself", rule.name.text),
                      "refers to itself");
        continue;
      }
      targets[i].push_back(it->second);
    }
  }
  OrderRules(d, targets);
  d.num_slots = body.max_slots;
}

// Topological order (exceptions before what they override) and transitive override sets.
void Checker::OrderRules(DecisionInfo& d, const std::vector<std::vector<uint32_t>>& targets) {
  const auto n = static_cast<uint32_t>(targets.size());
  std::vector<int> colour(n, 0);
  std::vector<uint32_t> post;
  bool cycle = false;
  std::function<void(uint32_t)> visit = [&](uint32_t r) {
    colour[r] = 1;
    for (const uint32_t t : targets[r]) {
      if (colour[t] == 1) {
        if (!cycle) {
          const ast::RuleDecl& a = d.decl->rules[r];
          const ast::RuleDecl& b = d.decl->rules[t];
          diags_
              .Report(DiagCode::kExceptionCycle, a.name.span,
                      fmt::format("exceptions `{}` and `{}` override each other", a.name.text, b.name.text),
                      "overrides ...")
              .WithLabel(b.name.span, "... which overrides it back")
              .WithHelp(
                  "an exception must be more specific than the rule it overrides; remove one direction");
        }
        cycle = true;
      } else if (colour[t] == 0) {
        visit(t);
      }
    }
    colour[r] = 2;
    post.push_back(r);
  };
  for (uint32_t r = 0; r < n; ++r) {
    if (colour[r] == 0) {
      visit(r);
    }
  }
  // Evaluation order: every exception before the rules it overrides, otherwise declaration
  // order (so explanations and conflict messages follow the text).
  d.order.clear();
  std::vector<uint32_t> pending_overriders(n, 0);
  for (uint32_t r = 0; r < n; ++r) {
    for (const uint32_t t : targets[r]) {
      ++pending_overriders[t];
    }
  }
  std::vector<bool> placed(n, false);
  for (uint32_t round = 0; round < n; ++round) {
    uint32_t next = n;
    for (uint32_t r = 0; r < n && next == n; ++r) {
      if (!placed[r] && pending_overriders[r] == 0) {
        next = r;
      }
    }
    if (next == n) {
      // Only in a cycle (already reported): place the rest in declaration order.
      for (uint32_t r = 0; r < n; ++r) {
        if (!placed[r]) {
          placed[r] = true;
          d.order.push_back(r);
        }
      }
      break;
    }
    placed[next] = true;
    d.order.push_back(next);
    for (const uint32_t t : targets[next]) {
      --pending_overriders[t];
    }
  }
  if (cycle) {
    return;
  }
  // Transitive closure in reverse topological order (targets are finished first).
  std::vector<std::set<uint32_t>> closure(n);
  for (const uint32_t r : post) {
    for (const uint32_t t : targets[r]) {
      closure[r].insert(t);
      closure[r].insert(closure[t].begin(), closure[t].end());
    }
  }
  for (uint32_t r = 0; r < n; ++r) {
    d.rules[r].overrides.assign(closure[r].begin(), closure[r].end());
  }
}

}  // namespace policy::check
