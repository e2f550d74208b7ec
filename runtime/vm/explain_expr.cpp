// What an explanation shows inside a rule (ExprNote, issue 34). When a conjunct did not hold, the
// parts of it that decided so are evaluated again in the same frame, with the same closures:
// through `and`, `or` and `not` to the part that failed, into the helper functions it calls (with
// their arguments), down to the comparison and the values it read. When a rule applied, the values
// its `then` combined are recorded beside its result. Nothing here runs unless an explanation is
// asked for, and nothing here can change an evaluation: the context's state is put back, and a
// part whose evaluation fails (the step budget, say) is shown without its parts.
#include "runtime/vm/program.h"

namespace policy::vm {

namespace {

// Bounds on one rule's notes, so an explanation stays readable whatever the policy: helpers
// opened at most this deep, at most this many notes in all (then "N more").
constexpr uint8_t kMaxHelperDepth = 4;
constexpr size_t kMaxNotesPerRule = 24;

// Puts back what evaluating parts again may change: the trace (off while probing: the parts'
// decisions are explained by their own records), the step count (an explanation does not spend
// the evaluation's budget), the call depth, the evaluation date and its `as of` text (which an
// `e as of d` that failed midway would leave changed).
class ContextGuard {
 public:
  explicit ContextGuard(Context& ctx)
      : ctx_(ctx),
        trace_(CA::TraceSlot(ctx)),
        steps_(CA::Steps(ctx)),
        depth_(CA::Depth(ctx)),
        date_(CA::DateWord(ctx)),
        reason_(CA::AsOfReason(ctx)) {
    CA::TraceSlot(ctx) = nullptr;
  }
  ~ContextGuard() {
    CA::TraceSlot(ctx_) = trace_;
    CA::Steps(ctx_) = steps_;
    CA::Depth(ctx_) = depth_;
    CA::DateWord(ctx_) = date_;
    CA::AsOfReason(ctx_) = reason_;
  }
  ContextGuard(const ContextGuard&) = delete;
  auto operator=(const ContextGuard&) -> ContextGuard& = delete;

 private:
  Context& ctx_;
  Trace* trace_;
  uint64_t steps_;
  uint32_t depth_;
  int64_t date_;
  std::string_view reason_;
};

// The helper whose body a part is written in: its parameters are the slots below num_params.
struct HelperScope {
  uint32_t num_params = 0;
};

class Noter {
 public:
  Noter(const CompiledProgram::Impl& impl, Context& ctx, std::vector<ExprNote>& notes)
      : impl_(impl), ctx_(ctx), notes_(notes), start_(notes.size()) {}

  // Why `n`, evaluated in `f`, gave `value`.
  void Why(const ir::Node& n, Frame& f, bool value, uint8_t depth, const HelperScope* scope) {
    if (Full(depth)) {
      return;
    }
    switch (n.op) {
      case ir::Op::kNot:
        Why(*n.kids[0], f, !value, depth, scope);
        return;
      case ir::Op::kAnd:
      case ir::Op::kOr: {
        // `a and b` false, or `a or b` true: the first side that decided it. Otherwise both.
        const bool is_and = n.op == ir::Op::kAnd;
        if (value != is_and) {
          const std::optional<Value> first = Eval(*n.kids[0], f);
          if (!first) {
            Add(ExprNote::Kind::kCondition, n, Value::Bool(value), depth, scope);
            return;
          }
          Why(first->as_bool() == value ? *n.kids[0] : *n.kids[1], f, value, depth, scope);
          return;
        }
        Why(*n.kids[0], f, value, depth, scope);
        Why(*n.kids[1], f, value, depth, scope);
        return;
      }
      case ir::Op::kCallFunction:
        Helper(n, f, Value::Bool(value), depth, scope);
        return;
      case ir::Op::kCallDecision:
        Add(ExprNote::Kind::kDecision, n, Value::Bool(value), depth, scope);
        return;
      case ir::Op::kEq:
      case ir::Op::kCompare:
      case ir::Op::kIn:
      case ir::Op::kIsNone:
      case ir::Op::kCallBuiltin:
        Add(ExprNote::Kind::kCondition, n, Value::Bool(value), depth, scope);
        Operands(n, f, depth + 1, scope);
        return;
      default:
        Add(ExprNote::Kind::kCondition, n, Value::Bool(value), depth, scope);
        return;
    }
  }

  // What a rule's `then` combined into `value`.
  void Combined(const ir::Node& n, Frame& f, const Value& value) {
    switch (n.op) {
      case ir::Op::kCallBuiltin:
      case ir::Op::kCallFunction:
      case ir::Op::kArith:
      case ir::Op::kNeg:
      case ir::Op::kCoalesce:
        break;
      default:
        return;  // a literal, a plain read or a decision: the value line says it all
    }
    Add(ExprNote::Kind::kCombined, n, value, 0, nullptr);
    if (Operands(n, f, 1, nullptr) == 0) {
      notes_.pop_back();  // only literals: nothing was combined that the text does not show
    }
  }

 private:
  auto Eval(const ir::Node& n, Frame& f) -> std::optional<Value> {
    try {
      return impl_.PartCode(n).Eval(f);
    } catch (const EvalFailure&) {
      return std::nullopt;
    }
  }

  // Past the limits: one kMore note counts what was left out at this depth.
  auto Full(uint8_t depth) -> bool {
    if (notes_.size() - start_ < kMaxNotesPerRule) {
      return false;
    }
    if (notes_.back().kind == ExprNote::Kind::kMore && notes_.back().depth == depth) {
      ++notes_.back().index;
    } else {
      ExprNote more;
      more.kind = ExprNote::Kind::kMore;
      more.depth = depth;
      more.index = 1;
      notes_.push_back(more);
    }
    return true;
  }

  void Add(ExprNote::Kind kind, const ir::Node& n, Value value, uint8_t depth, const HelperScope* scope,
           uint32_t index = 0) {
    ExprNote note;
    note.kind = kind;
    note.depth = depth;
    note.index = index;
    note.span = n.span;
    note.type = n.type;
    note.value = value;
    // A path rooted at one of the helper's parameters: `p.mode`, `p`.
    const ir::Node* root = &n;
    while (root->op == ir::Op::kField) {
      root = root->kids[0].get();
    }
    if (scope != nullptr && root->op == ir::Op::kLocal && root->a < scope->num_params) {
      note.root = root->span;
      note.root_param = root->a;
    }
    notes_.push_back(note);
  }

  // The operands of `n` that are not literals, with their values; how many were noted.
  auto Operands(const ir::Node& n, Frame& f, uint8_t depth, const HelperScope* scope) -> size_t {
    size_t noted = 0;
    for (const auto& kid : n.kids) {
      if (kid->op == ir::Op::kConst || Full(depth)) {
        continue;
      }
      if (const std::optional<Value> v = Eval(*kid, f)) {
        Add(ExprNote::Kind::kOperand, *kid, *v, depth, scope);
        ++noted;
      }
    }
    return noted;
  }

  // A call of a helper function: the call with its value and arguments, then, for a condition,
  // why its body gave that value, evaluated in a window of its own as the call was.
  void Helper(const ir::Node& n, Frame& f, Value value, uint8_t depth, const HelperScope* scope) {
    const ir::Function& fn = impl_.ir->functions[n.a];
    const CompiledFunction& compiled = impl_.functions[n.a];
    std::vector<Value> args;
    for (const auto& kid : n.kids) {
      const std::optional<Value> v = Eval(*kid, f);
      if (!v) {
        Add(ExprNote::Kind::kCondition, n, value, depth, scope);
        return;
      }
      args.push_back(*v);
    }
    Add(ExprNote::Kind::kHelper, n, value, depth, scope, n.a);
    for (uint32_t i = 0; i < n.kids.size(); ++i) {
      Add(ExprNote::Kind::kArgument, *n.kids[i], args[i], static_cast<uint8_t>(depth + 1), scope, i);
    }
    if (depth + 1 >= kMaxHelperDepth || value.tag() != Kind::kBool) {
      return;
    }
    SlotWindow window(ctx_, CA::Stack(ctx_), CA::Sp(ctx_), compiled.num_slots);
    for (size_t i = 0; i < args.size(); ++i) {
      window.slots()[i] = args[i];
    }
    Frame callee{ctx_, window.slots()};
    const HelperScope inner{fn.num_params};
    Why(*fn.body, callee, value.as_bool(), static_cast<uint8_t>(depth + 1), &inner);
  }

  const CompiledProgram::Impl& impl_;
  Context& ctx_;
  std::vector<ExprNote>& notes_;
  size_t start_;
};

}  // namespace

void CompiledProgram::Impl::NoteCondition(Frame& frame, const ir::Node& cond,
                                          std::vector<ExprNote>& notes) const {
  const ContextGuard guard(frame.ctx);
  try {
    Noter(*this, frame.ctx, notes).Why(cond, frame, false, 0, nullptr);
  } catch (const EvalFailure&) {
    // A window past the planned stack: the notes so far stand.
  }
}

void CompiledProgram::Impl::NoteThen(Frame& frame, const ir::Node& then, const Value& value,
                                     std::vector<ExprNote>& notes) const {
  const ContextGuard guard(frame.ctx);
  try {
    Noter(*this, frame.ctx, notes).Combined(then, frame, value);
  } catch (const EvalFailure&) {
  }
}

}  // namespace policy::vm
