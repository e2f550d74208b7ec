#include "compiler/ir/lower.h"

#include <fmt/format.h>

#include <functional>
#include <map>

#include "core/builtins.h"

namespace policy::ir {

auto Decision::InEffectPeriods() const -> std::vector<Period> {
  std::vector<Period> periods;
  AnyInEffectPeriod([&](const Period& p) {
    periods.push_back(p);
    return false;
  });
  return periods;
}

auto Decision::InEffect(Date as_of) const -> bool {
  return AnyInEffectPeriod([&](const Period& p) { return p.Contains(as_of); });
}

auto Program::FindDecision(std::string_view name) const -> std::optional<uint32_t> {
  for (uint32_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].name == name) {
      return i;
    }
  }
  return std::nullopt;
}

namespace {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

class Lowerer {
 public:
  Lowerer(check::Program& checked, const SourceManager& sources) : checked_(checked), sources_(sources) {}

  auto Run() -> std::unique_ptr<Program> {
    program_ = std::make_unique<Program>();
    program_->types = std::move(checked_.types);
    OrderGlobals();
    for (const check::FunctionInfo& f : checked_.functions) {
      Function fn;
      fn.name = f.name;
      fn.doc = f.decl->doc.text;
      fn.span = f.decl->name.span;
      fn.num_params = static_cast<uint32_t>(f.params.size());
      fn.num_slots = f.num_slots;
      fn.result = f.result;
      fn.body = Lower(*f.decl->body);
      program_->functions.push_back(std::move(fn));
    }
    for (const check::DecisionInfo& d : checked_.decisions) {
      program_->decisions.push_back(LowerDecision(d));
    }
    for (const check::TestInfo& t : checked_.tests) {
      program_->tests.push_back(LowerTest(t));
    }
    return std::move(program_);
  }

 private:
  // Globals are evaluated once, in an order where each only uses earlier ones.
  void OrderGlobals() {
    const auto n = static_cast<uint32_t>(checked_.consts.size());
    std::vector<int> state(n, 0);
    std::function<void(const Expr&, std::vector<uint32_t>&)> collect = [&](const Expr& e,
                                                                           std::vector<uint32_t>& out) {
      if (e.kind == ExprKind::kName && e.ref.kind == RefKind::kConst) {
        out.push_back(e.ref.id);
      }
      for (const auto& k : e.kids) {
        collect(*k, out);
      }
      for (const auto& arm : e.arms) {
        collect(*arm.body, out);
      }
    };
    std::function<void(uint32_t)> visit = [&](uint32_t c) {
      if (state[c] != 0) {
        return;
      }
      state[c] = 1;
      std::vector<uint32_t> deps;
      collect(*checked_.consts[c].decl->value, deps);
      for (const uint32_t d : deps) {
        visit(d);
      }
      global_index_[c] = static_cast<uint32_t>(order_.size());
      order_.push_back(c);
    };
    for (uint32_t c = 0; c < n; ++c) {
      visit(c);
    }
    for (const uint32_t c : order_) {
      const check::ConstInfo& info = checked_.consts[c];
      Global g;
      g.name = info.name;
      g.span = info.decl->name.span;
      g.type = info.type;
      g.init = Lower(*info.decl->value);
      program_->globals.push_back(std::move(g));
    }
  }

  auto LowerDecision(const check::DecisionInfo& d) -> Decision {
    Decision out;
    out.name = d.name;
    out.doc = d.decl->doc.text;
    out.source = d.decl->source ? d.decl->source->text : "";
    for (const ast::Param& p : d.decl->params) {
      out.param_names.push_back(p.name.text);
    }
    out.params = d.params;
    out.result = d.result;
    out.num_slots = d.num_slots;
    out.span = d.decl->name.span;
    out.is_parameter = d.decl->is_parameter;
    out.effective = {d.decl->effective_from, d.decl->effective_until};
    out.effective_span = d.decl->effective_span;
    bool any_rule = false;
    bool all_dated = true;
    for (const ast::RuleDecl& rule : d.decl->rules) {
      if (!rule.is_exception) {
        any_rule = true;
        all_dated = all_dated && (rule.effective_from || rule.effective_until);
      }
    }
    out.in_effect_with_rules = any_rule && all_dated;
    if (d.decl->default_value) {
      out.default_value = Lower(*d.decl->default_value);
    }
    std::vector<uint32_t> position(d.rules.size());
    for (uint32_t i = 0; i < d.order.size(); ++i) {
      position[d.order[i]] = i;
    }
    for (const uint32_t r : d.order) {
      const ast::RuleDecl& rule = *d.rules[r].decl;
      Rule lr;
      lr.name = rule.name.text;
      lr.is_exception = rule.is_exception;
      for (const ast::Name& t : rule.targets) {
        lr.targets.push_back(t.text);
      }
      lr.source = rule.source ? rule.source->text : "";
      lr.doc = rule.doc.text;
      lr.effective = {rule.effective_from, rule.effective_until};
      lr.effective_span = rule.effective_span;
      lr.span = rule.name.span;
      if (rule.when) {
        std::vector<const Expr*> conjuncts;
        SplitAnd(*rule.when, conjuncts);
        for (const Expr* c : conjuncts) {
          lr.when.push_back({Lower(*c), std::string(sources_.Get(c->span.file).Slice(c->span)), c->span});
        }
      }
      lr.then = Lower(*rule.then);
      for (const uint32_t o : d.rules[r].overrides) {
        lr.overrides.push_back(position[o]);
      }
      out.rules.push_back(std::move(lr));
    }
    return out;
  }

  static void SplitAnd(const Expr& e, std::vector<const Expr*>& out) {
    if (e.kind == ExprKind::kBinary && e.op == ast::BinOp::kAnd) {
      SplitAnd(*e.kids[0], out);
      SplitAnd(*e.kids[1], out);
      return;
    }
    out.push_back(&e);
  }

  auto LowerTest(const check::TestInfo& t) -> Test {
    Test out;
    out.module = t.module_name;
    out.name = t.decl->name;
    out.as_of = t.decl->as_of;
    out.num_slots = t.num_slots;
    out.span = t.decl->span;
    for (const ast::TestStmt& s : t.decl->stmts) {
      TestStep step;
      step.is_let = s.is_let;
      step.expect_not_applicable = s.expect_not_applicable;
      step.span = s.expr->span;
      step.text = std::string(sources_.Get(s.expr->span.file).Slice(s.expr->span));
      step.expr = Lower(*s.expr);
      if (s.is_let) {
        step.slot = s.slot;
      } else if (s.expr->kind == ExprKind::kBinary && s.expr->op == ast::BinOp::kEq) {
        step.lhs = Lower(*s.expr->kids[0]);
        step.rhs = Lower(*s.expr->kids[1]);
      }
      out.steps.push_back(std::move(step));
    }
    return out;
  }

  auto Make(Op op, const Expr& e) -> NodePtr {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->type = e.type;
    n->span = e.span;
    return n;
  }

  auto ConstNode(Value v, const Expr& e) -> NodePtr {
    auto n = Make(Op::kConst, e);
    n->a = static_cast<uint32_t>(program_->constants.size());
    program_->constants.push_back(v);
    return n;
  }

  auto IsConst(const Node& n) const -> bool { return n.op == Op::kConst; }

  auto Lower(const Expr& e) -> NodePtr {
    switch (e.kind) {
      case ExprKind::kError:
        return ConstNode(Value::None(), e);
      case ExprKind::kIntLit:
        return ConstNode(Value::Int(e.int_value), e);
      case ExprKind::kDecimalLit:
        return ConstNode(Value::Dec(e.decimal_value), e);
      case ExprKind::kTextLit:
        return ConstNode(program_->arena.NewText(e.text), e);
      case ExprKind::kDateLit:
        return ConstNode(Value::DateV(e.date_value), e);
      case ExprKind::kBoolLit:
        return ConstNode(Value::Bool(e.int_value != 0), e);
      case ExprKind::kNoneLit:
        return ConstNode(Value::None(), e);
      case ExprKind::kSome: {
        // Optionals are unboxed: some(x) is x.
        NodePtr inner = Lower(*e.kids[0]);
        inner->type = e.type;
        return inner;
      }
      case ExprKind::kName:
        switch (e.ref.kind) {
          case RefKind::kLocal: {
            auto n = Make(Op::kLocal, e);
            n->a = e.ref.id;
            return n;
          }
          case RefKind::kConst: {
            auto n = Make(Op::kGlobal, e);
            n->a = global_index_.at(e.ref.id);
            return n;
          }
          case RefKind::kEnumVariant:
            return ConstNode(Value::Enum(e.ref.index), e);
          case RefKind::kAsOf:
            return Make(Op::kAsOf, e);
          default:
            return ConstNode(Value::None(), e);
        }
      case ExprKind::kField: {
        auto n = Make(Op::kField, e);
        n->a = e.ref.index;
        n->kids.push_back(Lower(*e.kids[0]));
        return n;
      }
      case ExprKind::kCall: {
        const ast::Ref& callee = e.kids[0]->ref;
        auto n = Make(callee.kind == RefKind::kFunction   ? Op::kCallFunction
                      : callee.kind == RefKind::kDecision ? Op::kCallDecision
                                                          : Op::kCallBuiltin,
                      e);
        n->a = callee.id;
        for (size_t i = 1; i < e.kids.size(); ++i) {
          n->kids.push_back(Lower(*e.kids[i]));
        }
        return n;
      }
      case ExprKind::kWith: {
        auto n = Make(Op::kWith, e);
        n->kids.push_back(Lower(*e.kids[0]));
        size_t at = 0;
        for (size_t u = 0; u < e.path_lengths.size(); ++u) {
          n->paths.emplace_back(e.field_indices.begin() + static_cast<long>(at),
                                e.field_indices.begin() + static_cast<long>(at + e.path_lengths[u]));
          at += e.path_lengths[u];
          n->kids.push_back(Lower(*e.kids[u + 1]));
        }
        return n;
      }
      case ExprKind::kDuration: {
        NodePtr count = Lower(*e.kids[0]);
        if (IsConst(*count)) {
          const Value c = program_->constants[count->a];
          return ConstNode(Value::Dur({c.as_int(), e.unit}), e);
        }
        auto n = Make(Op::kDuration, e);
        n->a = static_cast<uint32_t>(e.unit);
        n->kids.push_back(std::move(count));
        return n;
      }
      case ExprKind::kAsOfDate: {
        auto n = Make(Op::kAsOfDate, e);
        n->kids.push_back(Lower(*e.kids[0]));
        n->kids.push_back(Lower(*e.kids[1]));
        n->a = static_cast<uint32_t>(program_->constants.size());
        const Span d = e.kids[1]->span;
        program_->constants.push_back(program_->arena.NewText(std::string(sources_.Get(d.file).Slice(d))));
        return n;
      }
      case ExprKind::kNeg:
      case ExprKind::kNot: {
        auto n = Make(e.kind == ExprKind::kNeg ? Op::kNeg : Op::kNot, e);
        n->kids.push_back(Lower(*e.kids[0]));
        return n;
      }
      case ExprKind::kBinary:
        return LowerBinary(e);
      case ExprKind::kIn: {
        auto n = Make(Op::kIn, e);
        n->b = e.negated ? 1 : 0;
        n->kids.push_back(Lower(*e.kids[0]));
        n->kids.push_back(Lower(*e.kids[1]));
        return n;
      }
      case ExprKind::kIs: {
        auto n = Make(Op::kIsNone, e);
        n->b = e.is_some != e.negated ? 1 : 0;
        n->kids.push_back(Lower(*e.kids[0]));
        return n;
      }
      case ExprKind::kIf: {
        auto n = Make(Op::kIf, e);
        for (const auto& k : e.kids) {
          n->kids.push_back(Lower(*k));
        }
        return n;
      }
      case ExprKind::kAggregate: {
        auto n = Make(Op::kAggregate, e);
        n->agg = static_cast<AggOp>(e.agg);
        n->a = e.slot;
        n->kids.push_back(Lower(*e.kids[0]));
        n->kids.push_back(Lower(*e.kids[1]));
        return n;
      }
      case ExprKind::kRecordLit: {
        auto n = Make(Op::kRecord, e);
        const RecordInfo& rec = program_->types.record_info(e.type);
        n->kids.resize(rec.fields.size());
        for (size_t i = 0; i < e.kids.size(); ++i) {
          if (e.field_indices[i] != UINT32_MAX) {
            n->kids[e.field_indices[i]] = Lower(*e.kids[i]);
          }
        }
        for (auto& k : n->kids) {
          if (!k) {
            k = ConstNode(Value::None(), e);
          }
        }
        return n;
      }
      case ExprKind::kListLit:
      case ExprKind::kSetLit: {
        const bool is_set = e.kind == ExprKind::kSetLit;
        std::vector<NodePtr> items;
        bool all_const = true;
        for (const auto& k : e.kids) {
          items.push_back(Lower(*k));
          all_const = all_const && IsConst(*items.back());
        }
        if (all_const) {
          std::vector<Value> values;
          for (const auto& i : items) {
            values.push_back(program_->constants[i->a]);
          }
          return ConstNode(
              is_set ? program_->arena.NewSet(std::move(values)) : program_->arena.NewList(values), e);
        }
        auto n = Make(is_set ? Op::kSet : Op::kList, e);
        n->kids = std::move(items);
        return n;
      }
      case ExprKind::kMatch:
        return LowerMatch(e);
    }
    return ConstNode(Value::None(), e);
  }

  auto LowerBinary(const Expr& e) -> NodePtr {
    using ast::BinOp;
    Op op = Op::kArith;
    auto n = Make(op, e);
    switch (e.op) {
      case BinOp::kAnd:
        n->op = Op::kAnd;
        break;
      case BinOp::kOr:
        n->op = Op::kOr;
        break;
      case BinOp::kCoalesce:
        n->op = Op::kCoalesce;
        break;
      case BinOp::kEq:
      case BinOp::kNe:
        n->op = Op::kEq;
        n->b = e.op == BinOp::kNe ? 1 : 0;
        break;
      case BinOp::kLt:
      case BinOp::kLe:
      case BinOp::kGt:
      case BinOp::kGe:
        n->op = Op::kCompare;
        n->cmp = static_cast<CmpOp>(static_cast<int>(e.op) - static_cast<int>(BinOp::kLt));
        break;
      default:
        n->op = Op::kArith;
        n->arith = static_cast<ArithOp>(static_cast<int>(e.op) - static_cast<int>(BinOp::kAdd));
        break;
    }
    n->kids.push_back(Lower(*e.kids[0]));
    n->kids.push_back(Lower(*e.kids[1]));
    return n;
  }

  auto LowerMatch(const Expr& e) -> NodePtr {
    const TypeTable& types = program_->types;
    const TypeId scrut = e.kids[0]->type;
    const TypeId inner = types.Unwrap(scrut);
    if (types.kind(inner) == Kind::kEnum) {
      // Arms are tried in order: a value's own arm, else the first `some(x)` or `_` after it.
      auto n = Make(Op::kMatchEnum, e);
      n->kids.push_back(Lower(*e.kids[0]));
      const size_t variants = types.enum_info(inner).variants.size();
      n->table.assign(variants, UINT32_MAX);
      n->bind.push_back(UINT32_MAX);  // kids[0] is the scrutinee
      n->b = UINT32_MAX;
      for (const ast::MatchArm& arm : e.arms) {
        const auto index = static_cast<uint32_t>(n->kids.size());
        n->kids.push_back(Lower(*arm.body));
        uint32_t bind = UINT32_MAX;
        for (const ast::Pattern& p : arm.patterns) {
          switch (p.kind) {
            case ast::Pattern::Kind::kName:
              if (n->table[p.ordinal] == UINT32_MAX) {
                n->table[p.ordinal] = index;
              }
              break;
            case ast::Pattern::Kind::kNone:
              if (n->b == UINT32_MAX) {
                n->b = index;
              }
              break;
            case ast::Pattern::Kind::kSome:
            case ast::Pattern::Kind::kWildcard:
              if (p.kind == ast::Pattern::Kind::kSome) {
                bind = p.slot;
              }
              for (auto& t : n->table) {
                t = t == UINT32_MAX ? index : t;
              }
              if (p.kind == ast::Pattern::Kind::kWildcard && n->b == UINT32_MAX) {
                n->b = index;
              }
              break;
          }
        }
        n->bind.push_back(bind);
      }
      return n;
    }
    auto n = Make(Op::kMatchOptional, e);
    n->kids.push_back(Lower(*e.kids[0]));
    n->kids.emplace_back();
    n->kids.emplace_back();
    n->a = UINT32_MAX;
    for (const ast::MatchArm& arm : e.arms) {
      for (const ast::Pattern& p : arm.patterns) {
        if ((p.kind == ast::Pattern::Kind::kNone || p.kind == ast::Pattern::Kind::kWildcard) && !n->kids[1]) {
          n->kids[1] = Lower(*arm.body);
        }
        if ((p.kind == ast::Pattern::Kind::kSome || p.kind == ast::Pattern::Kind::kWildcard) && !n->kids[2]) {
          n->kids[2] = Lower(*arm.body);
          if (p.kind == ast::Pattern::Kind::kSome) {
            n->a = p.slot;
          }
        }
      }
    }
    return n;
  }

  check::Program& checked_;
  const SourceManager& sources_;
  std::unique_ptr<Program> program_;
  std::map<uint32_t, uint32_t> global_index_;
  std::vector<uint32_t> order_;
};

}  // namespace

auto Lower(check::Program&& checked, const SourceManager& sources) -> std::unique_ptr<Program> {
  return Lowerer(checked, sources).Run();
}

}  // namespace policy::ir
