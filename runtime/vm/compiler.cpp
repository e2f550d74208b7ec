// The compiler: IR -> closures. Compile() builds a CompiledProgram from the IR (a closure tree per
// function body, rule and test step, the stack plan, and the global constants, evaluated once);
// the closures themselves are in code_*.cpp.
#include <algorithm>
#include <functional>

#include "runtime/vm/program.h"

namespace policy::vm {

namespace detail {
namespace {

// ---- the compiler ----------------------------------------------------------------------------

class Compiler {
 public:
  Compiler(const ir::Program& ir, const CompiledProgram::Impl& impl) : ir_(ir), impl_(impl) {}

  auto Compile(const ir::Node& n) -> CodePtr {
    const TypeTable& types = ir_.types;
    const Span s = n.span;
    switch (n.op) {
      case ir::Op::kConst:
        return MakeConst(s, ir_.constants[n.a]);
      case ir::Op::kLocal:
        return MakeLocal(s, n.a);
      case ir::Op::kGlobal:
        return MakeGlobal(s, impl_.globals, n.a);
      case ir::Op::kAsOf:
        return MakeAsOf(s);
      case ir::Op::kAsOfDate:
        return MakeAsOfDate(s, Compile(*n.kids[0]), Compile(*n.kids[1]), ir_.constants[n.a].as_text());
      case ir::Op::kField: {
        // Fuse local.f.g.h into one path read.
        std::vector<uint32_t> path;
        const ir::Node* cur = &n;
        while (cur->op == ir::Op::kField) {
          path.push_back(cur->a);
          cur = cur->kids[0].get();
        }
        if (cur->op == ir::Op::kLocal) {
          std::reverse(path.begin(), path.end());
          return MakeLocalPath(s, cur->a, std::move(path));
        }
        return MakeField(s, Compile(*n.kids[0]), n.a);
      }
      case ir::Op::kCallFunction:
        return MakeCallFunction(s, impl_.functions[n.a], CompileAll(n.kids));
      case ir::Op::kCallDecision:
        return MakeCallDecision(s, impl_, n.a, CompileAll(n.kids));
      case ir::Op::kCallBuiltin:
        return MakeBuiltin(s, static_cast<Builtin>(n.a), CompileAll(n.kids), n.type == TypeTable::kDecimalId);
      case ir::Op::kNot:
        return MakeNot(s, Compile(*n.kids[0]));
      case ir::Op::kNeg:
        return MakeNeg(s, n.type, Compile(*n.kids[0]));
      case ir::Op::kAnd:
        return MakeAnd(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kOr:
        return MakeOr(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kArith: {
        CodePtr a = Compile(*n.kids[0]);
        CodePtr b = Compile(*n.kids[1]);
        return MakeArith(types, n, std::move(a), std::move(b));
      }
      case ir::Op::kCompare: {
        CodePtr a = Compile(*n.kids[0]);
        CodePtr b = Compile(*n.kids[1]);
        return MakeCompare(n, std::move(a), std::move(b));
      }
      case ir::Op::kEq: {
        const bool ne = n.b != 0;
        const TypeId t = types.Unwrap(n.kids[0]->type);
        const bool as_int = (t == TypeTable::kIntId || t == TypeTable::kBoolId ||
                             types.kind(t) == Kind::kEnum || t == TypeTable::kDateId) &&
                            !types.IsOptional(n.kids[0]->type) && !types.IsOptional(n.kids[1]->type);
        return MakeEquals(s, Compile(*n.kids[0]), Compile(*n.kids[1]), ne, as_int);
      }
      case ir::Op::kIn: {
        const ir::Node& coll = *n.kids[1];
        if (coll.op == ir::Op::kConst && types.kind(types.Unwrap(n.kids[0]->type)) == Kind::kEnum) {
          uint64_t mask = 0;
          bool fits = true;
          for (const Value& v : ir_.constants[coll.a].items()) {
            if (v.as_enum() >= 64) {
              fits = false;
            } else {
              mask |= uint64_t{1} << v.as_enum();
            }
          }
          if (fits) {
            return MakeEnumInMask(s, Compile(*n.kids[0]), mask, n.b != 0);
          }
        }
        return MakeIn(s, Compile(*n.kids[0]), Compile(coll), n.b != 0);
      }
      case ir::Op::kIsNone:
        return MakeIsNone(s, Compile(*n.kids[0]), n.b != 0);
      case ir::Op::kCoalesce:
        return MakeCoalesce(s, Compile(*n.kids[0]), Compile(*n.kids[1]));
      case ir::Op::kIf:
        return MakeIf(s, Compile(*n.kids[0]), Compile(*n.kids[1]), Compile(*n.kids[2]));
      case ir::Op::kDuration:
        return MakeDuration(s, Compile(*n.kids[0]), static_cast<DurationUnit>(n.a));
      case ir::Op::kRecord:
        return MakeBuildAggregate(s, AggregateShape::kRecord, CompileAll(n.kids));
      case ir::Op::kList:
        return MakeBuildAggregate(s, AggregateShape::kList, CompileAll(n.kids));
      case ir::Op::kSet:
        return MakeBuildAggregate(s, AggregateShape::kSet, CompileAll(n.kids));
      case ir::Op::kWith: {
        std::vector<CodePtr> values;
        for (size_t i = 1; i < n.kids.size(); ++i) {
          values.push_back(Compile(*n.kids[i]));
        }
        return MakeWith(s, Compile(*n.kids[0]), n.paths, std::move(values));
      }
      case ir::Op::kAggregate:
        return MakeAggregate(s, n.agg, n.a, Compile(*n.kids[0]), Compile(*n.kids[1]),
                             types.Unwrap(n.type) == TypeTable::kDecimalId);
      case ir::Op::kMatchEnum: {
        std::vector<CodePtr> arms;
        for (size_t i = 1; i < n.kids.size(); ++i) {
          arms.push_back(Compile(*n.kids[i]));
        }
        return MakeMatchEnum(s, Compile(*n.kids[0]), std::move(arms), n.table, n.b, n.bind);
      }
      case ir::Op::kMatchOptional:
        return MakeMatchOptional(s, Compile(*n.kids[0]), Compile(*n.kids[1]), Compile(*n.kids[2]), n.a);
    }
    return MakeConst(s, Value());
  }

 private:
  auto CompileAll(const std::vector<ir::NodePtr>& kids) -> std::vector<CodePtr> {
    std::vector<CodePtr> out;
    for (const auto& k : kids) {
      out.push_back(Compile(*k));
    }
    return out;
  }

  const ir::Program& ir_;
  const CompiledProgram::Impl& impl_;
};

// Slots a body needs: the declared count, or more if a node binds a higher slot.
void MaxSlot(const ir::Node& n, uint32_t& max) {
  if (n.op == ir::Op::kLocal || n.op == ir::Op::kAggregate ||
      (n.op == ir::Op::kMatchOptional && n.a != UINT32_MAX)) {
    max = std::max(max, n.a + 1);
  }
  for (const uint32_t b : n.bind) {
    if (b != UINT32_MAX) {
      max = std::max(max, b + 1);
    }
  }
  for (const auto& k : n.kids) {
    if (k) {
      MaxSlot(*k, max);
    }
  }
}

void Callees(const ir::Node& n, std::vector<std::pair<bool, uint32_t>>& out) {
  if (n.op == ir::Op::kCallFunction || n.op == ir::Op::kCallDecision) {
    out.emplace_back(n.op == ir::Op::kCallDecision, n.a);
  }
  for (const auto& k : n.kids) {
    if (k) {
      Callees(*k, out);
    }
  }
}

}  // namespace
}  // namespace detail

using detail::Callees;
using detail::Compiler;
using detail::MaxSlot;

// ---- CompiledProgram::Compile -------------------------------------------------------------------

auto CompiledProgram::Compile(std::shared_ptr<const ir::Program> program, EvalError* error)
    -> std::unique_ptr<CompiledProgram> {
  std::unique_ptr<CompiledProgram> out(new CompiledProgram());
  out->ir_ = std::move(program);
  out->impl_ = std::make_unique<Impl>();
  Impl& impl = *out->impl_;
  const ir::Program& ir = *out->ir_;
  impl.ir = &ir;
  Compiler compiler(ir, impl);
  // Functions and decisions are referenced by address from call closures, so size the vectors
  // first and fill them in place.
  impl.functions.resize(ir.functions.size());
  impl.decisions.resize(ir.decisions.size());
  impl.globals.resize(ir.globals.size());
  std::vector<uint32_t> fn_slots(ir.functions.size());
  std::vector<uint32_t> dec_slots(ir.decisions.size());
  for (size_t i = 0; i < ir.functions.size(); ++i) {
    uint32_t slots = std::max(ir.functions[i].num_slots, ir.functions[i].num_params);
    MaxSlot(*ir.functions[i].body, slots);
    impl.functions[i].num_slots = slots;
    fn_slots[i] = slots;
    impl.functions[i].body = compiler.Compile(*ir.functions[i].body);
  }
  for (size_t i = 0; i < ir.decisions.size(); ++i) {
    const ir::Decision& d = ir.decisions[i];
    CompiledDecision& cd = impl.decisions[i];
    uint32_t slots = std::max(d.num_slots, static_cast<uint32_t>(d.params.size()));
    if (d.default_value) {
      MaxSlot(*d.default_value, slots);
      cd.default_value = compiler.Compile(*d.default_value);
    }
    for (const ir::Rule& r : d.rules) {
      CompiledRule cr;
      for (const ir::Conjunct& c : r.when) {
        MaxSlot(*c.cond, slots);
        cr.conjuncts.push_back(compiler.Compile(*c.cond));
      }
      MaxSlot(*r.then, slots);
      cr.then = compiler.Compile(*r.then);
      cr.effective = r.effective;
      cr.overrides = r.overrides;
      cd.rules.push_back(std::move(cr));
    }
    cd.num_slots = slots;
    cd.mask_words = static_cast<uint32_t>((d.rules.size() + 63) / 64);
    dec_slots[i] = slots + cd.mask_words;
  }
  // Stack plan: the deepest chain of nested windows. The call graph is acyclic (checked), so a
  // memoised walk is enough.
  std::vector<int64_t> fn_need(ir.functions.size(), -1);
  std::vector<int64_t> dec_need(ir.decisions.size(), -1);
  std::function<uint32_t(const ir::Node&)> need_of;
  std::function<uint32_t(bool, uint32_t)> need = [&](bool is_decision, uint32_t id) -> uint32_t {
    auto& memo = is_decision ? dec_need[id] : fn_need[id];
    if (memo >= 0) {
      return static_cast<uint32_t>(memo);
    }
    memo = 0;  // breaks cycles defensively; the checker rejects them
    uint32_t deepest = 0;
    if (is_decision) {
      const ir::Decision& d = ir.decisions[id];
      if (d.default_value) {
        deepest = std::max(deepest, need_of(*d.default_value));
      }
      for (const ir::Rule& r : d.rules) {
        for (const ir::Conjunct& c : r.when) {
          deepest = std::max(deepest, need_of(*c.cond));
        }
        deepest = std::max(deepest, need_of(*r.then));
      }
    } else {
      deepest = need_of(*ir.functions[id].body);
    }
    memo = (is_decision ? dec_slots[id] : fn_slots[id]) + deepest;
    return static_cast<uint32_t>(memo);
  };
  need_of = [&](const ir::Node& n) -> uint32_t {
    std::vector<std::pair<bool, uint32_t>> callees;
    Callees(n, callees);
    uint32_t deepest = 0;
    for (const auto& [is_decision, id] : callees) {
      deepest = std::max(deepest, need(is_decision, id));
    }
    return deepest;
  };
  uint32_t max_stack = 0;
  for (uint32_t i = 0; i < ir.decisions.size(); ++i) {
    max_stack = std::max(max_stack, need(true, i));
  }
  for (uint32_t i = 0; i < ir.functions.size(); ++i) {
    max_stack = std::max(max_stack, need(false, i));
  }
  for (const ir::Global& g : ir.globals) {
    uint32_t slots = 0;
    MaxSlot(*g.init, slots);
    impl.global_slots.push_back(slots);
    impl.global_code.push_back(compiler.Compile(*g.init));
    max_stack = std::max(max_stack, slots + need_of(*g.init));
  }
  for (const ir::Test& t : ir.tests) {
    CompiledTest ct;
    uint32_t slots = t.num_slots;
    uint32_t deepest = 0;
    for (const ir::TestStep& s : t.steps) {
      MaxSlot(*s.expr, slots);
      deepest = std::max(deepest, need_of(*s.expr));
      CompiledStep cs;
      cs.is_let = s.is_let;
      cs.slot = s.slot;
      cs.expr = compiler.Compile(*s.expr);
      if (s.expect_not_applicable) {
        cs.expect_not_applicable = true;
        cs.probe_decision = s.expr->a;
        for (const auto& arg : s.expr->kids) {
          cs.probe_args.push_back(compiler.Compile(*arg));
        }
      }
      if (s.lhs) {
        cs.lhs = compiler.Compile(*s.lhs);
        cs.rhs = compiler.Compile(*s.rhs);
        cs.lhs_type = s.lhs->type;
        MaxSlot(*s.lhs, slots);
        MaxSlot(*s.rhs, slots);
      }
      ct.steps.push_back(std::move(cs));
    }
    ct.num_slots = slots;
    max_stack = std::max(max_stack, slots + deepest);
    impl.tests.push_back(std::move(ct));
  }
  impl.max_stack = max_stack + 8;
  // Globals are evaluated once, in dependency order, into the context's scratch arena, which is
  // not reset between them; the arena then moves into the program (its blocks stay where they
  // are, so the values remain valid for the program's lifetime).
  Context ctx(*out);
  ctx.SetDate(Date());  // never read: the checker rejects `as_of` in constants (E0406)
  for (size_t i = 0; i < impl.global_code.size(); ++i) {
    ctx.steps_ = 0;
    try {
      SlotWindow window(ctx, ctx.stack_, ctx.sp_, impl.global_slots[i]);
      Frame frame{ctx, window.slots()};
      impl.globals[i] = impl.global_code[i]->Eval(frame);
    } catch (EvalFailure& failure) {
      if (error != nullptr) {
        *error = std::move(failure.error);
        error->notes.push_back(fmt::format("while computing constant `{}`", ir.globals[i].name));
      }
      return nullptr;
    }
  }
  impl.global_arena = std::move(ctx.scratch_);
  return out;
}

auto CompiledProgram::CompileOperation(const ir::Node& node) const -> OperationPtr {
  // Leaf operations never reach the functions, decisions or globals the compiler can refer to.
  Compiler compiler(*ir_, *impl_);
  return OperationPtr(compiler.Compile(node).release());
}

auto CompiledProgram::Impl::PartCode(const ir::Node& n) const -> const Code& {
  const std::lock_guard lock(part_mu);
  CodePtr& code = part_code[&n];
  if (!code) {
    Compiler compiler(*ir, *this);
    code = compiler.Compile(n);
  }
  return *code;
}

}  // namespace policy::vm
