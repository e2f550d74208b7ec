// The use graph. Checking the bodies records which constant, function or decision uses which,
// and how deeply; once all bodies are checked, this file rejects cycles (the language is total)
// and declarations whose evaluation would nest deeper than kMaxEvaluationDepth.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace policy::check {

auto Checker::NodeName(Node n) const -> std::string {
  switch (n.kind) {
    case SymKind::kConst:
      return program_.consts[n.id].name;
    case SymKind::kFunction:
      return program_.functions[n.id].name;
    case SymKind::kDecision:
      return program_.decisions[n.id].name;
    default:
      return "?";
  }
}

auto Checker::NodeSpan(Node n) const -> Span {
  switch (n.kind) {
    case SymKind::kConst:
      return program_.consts[n.id].decl->name.span;
    case SymKind::kFunction:
      return program_.functions[n.id].decl->name.span;
    case SymKind::kDecision:
      return program_.decisions[n.id].decl->name.span;
    default:
      return {};
  }
}

// Colour DFS over the use graph, with an explicit stack (a chain of 100,000 functions must
// not overflow the checker's own stack). Each cycle is reported once. Returns true when the
// graph is acyclic.
auto Checker::DetectRecursion() -> bool {
  std::map<Node, int> colour;
  std::set<Node> reported;
  struct Frame {
    Node node;
    std::set<Node>::const_iterator next;
  };
  std::vector<Frame> stack;
  const std::set<Node> no_edges;
  auto targets = [&](Node n) -> const std::set<Node>& {
    const auto it = edges_.find(n);
    return it == edges_.end() ? no_edges : it->second;
  };
  for (const auto& [root, root_targets] : edges_) {
    if (colour[root] != 0) {
      continue;
    }
    colour[root] = 1;
    stack.push_back({root, root_targets.begin()});
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == targets(top.node).end()) {
        colour[top.node] = 2;
        stack.pop_back();
        continue;
      }
      const Node t = *top.next++;
      if (colour[t] == 1) {
        if (reported.insert(t).second) {
          std::string cycle;
          auto s = std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.node == t; });
          for (; s != stack.end(); ++s) {
            cycle += fmt::format("`{}` uses ", NodeName(s->node));
          }
          cycle += fmt::format("`{}`", NodeName(t));
          diags_
              .Report(DiagCode::kRecursiveDefinition, NodeSpan(t),
                      fmt::format("`{}` depends on itself", NodeName(t)), "part of a cycle")
              .WithNote(cycle)
              .WithHelp("policies must terminate, so recursion is not allowed; compute the value directly");
        }
      } else if (colour[t] == 0) {
        colour[t] = 1;
        stack.push_back({t, targets(t).begin()});
      }
    }
  }
  return reported.empty();
}

// How deeply evaluating each declaration can nest: its own deepest expression, or a call made
// at some depth plus the callee's own evaluation depth. The graph is acyclic here, so this
// bounds the evaluator's recursion before any case is evaluated; a declaration over the limit
// is an error rather than a stack overflow at run time. Post-order with an explicit stack.
void Checker::LimitEvaluationDepth() {
  std::map<Node, int> total;
  std::map<Node, Node> deepest_callee;
  std::vector<std::pair<Node, bool>> stack;
  std::vector<Node> all;
  for (const auto& [n, d] : own_depth_) {
    all.push_back(n);
  }
  for (const auto& [n, t] : edges_) {
    all.push_back(n);
  }
  for (const Node& root : all) {
    stack.push_back({root, false});
    while (!stack.empty()) {
      auto [n, expanded] = stack.back();
      stack.pop_back();
      if (total.count(n) != 0) {
        continue;
      }
      const auto edges = edges_.find(n);
      if (!expanded) {
        stack.push_back({n, true});
        if (edges != edges_.end()) {
          for (const Node& t : edges->second) {
            if (total.count(t) == 0) {
              stack.push_back({t, false});
            }
          }
        }
        continue;
      }
      int depth = own_depth_.count(n) != 0 ? own_depth_.at(n) : 0;
      if (edges != edges_.end()) {
        for (const Node& t : edges->second) {
          const int via = call_depth_.at({n, t}) + total.at(t);
          if (via > depth) {
            depth = via;
            deepest_callee[n] = t;
          }
        }
      }
      total[n] = depth;
      if (depth <= kMaxEvaluationDepth) {
        continue;
      }
      // Callers of an over-deep declaration are over the limit too; report only the first.
      const auto callee = deepest_callee.find(n);
      if (callee == deepest_callee.end() || total.at(callee->second) <= kMaxEvaluationDepth) {
        std::string chain = fmt::format("`{}`", NodeName(n));
        for (auto c = deepest_callee.find(n); c != deepest_callee.end() && chain.size() < 400;
             c = deepest_callee.find(c->second)) {
          chain += fmt::format(" calls `{}`", NodeName(c->second));
        }
        diags_
            .Report(
                DiagCode::kEvaluationTooDeep, NodeSpan(n),
                fmt::format("evaluating `{}` nests {} expressions deep through its calls; the limit is {}",
                            NodeName(n), depth, kMaxEvaluationDepth),
                "declared here")
            .WithNote(chain.size() < 400 ? chain : chain + " ...")
            .WithHelp("shorten the chain of functions that call each other");
      }
    }
  }
}

}  // namespace policy::check
