// The leaf closures (constants, locals, globals, `as_of`, field reads) and the logic closures
// (not, and, or, if, none tests, `??`).
#include "runtime/vm/program.h"

namespace policy::vm::detail {
namespace {

// ---- leaf closures -------------------------------------------------------------------------------

class ConstCode final : public Code {
 public:
  ConstCode(Span s, Value v) : Code(s), v_(v) {}
  auto Eval(Frame&) const -> Value override { return v_; }
  auto value() const -> Value { return v_; }

 private:
  Value v_;
};

class LocalCode final : public Code {
 public:
  LocalCode(Span s, uint32_t slot) : Code(s), slot_(slot) {}
  auto Eval(Frame& f) const -> Value override { return f.slots[slot_]; }
  auto slot() const -> uint32_t { return slot_; }

 private:
  uint32_t slot_;
};

class GlobalCode final : public Code {
 public:
  GlobalCode(Span s, const std::vector<Value>& globals, uint32_t index)
      : Code(s), globals_(globals), index_(index) {}
  auto Eval(Frame&) const -> Value override { return globals_[index_]; }

 private:
  const std::vector<Value>& globals_;
  uint32_t index_;
};

class AsOfCode final : public Code {
 public:
  using Code::Code;
  auto Eval(Frame& f) const -> Value override { return Value::DateV(CA::AsOf(f.ctx)); }
};

// `e as of d`: e with d as the evaluation date, put back afterwards even when e fails (an
// EvalFailure unwinds through here). Decisions e calls read the date from the context, so they
// answer for d, and record it (and d's text) for explanations. Nothing is memoised across
// dates: the interpreter evaluates every call again.
class AsOfDateCode final : public Code {
 public:
  AsOfDateCode(Span s, CodePtr body, CodePtr date, std::string_view reason)
      : Code(s), body_(std::move(body)), date_(std::move(date)), reason_(reason) {}
  auto Eval(Frame& f) const -> Value override {
    const Date date = date_->Eval(f).as_date();
    struct Restore {
      Context& ctx;
      Date date;
      std::string_view reason;
      ~Restore() {
        ctx.SetDate(date);
        CA::AsOfReason(ctx) = reason;
      }
    } restore{f.ctx, CA::AsOf(f.ctx), CA::AsOfReason(f.ctx)};
    f.ctx.SetDate(date);
    CA::AsOfReason(f.ctx) = reason_;
    return body_->Eval(f);
  }

 private:
  CodePtr body_;
  CodePtr date_;
  std::string_view reason_;
};

class FieldCode final : public Code {
 public:
  FieldCode(Span s, CodePtr base, uint32_t index) : Code(s), base_(std::move(base)), index_(index) {}
  auto Eval(Frame& f) const -> Value override { return base_->Eval(f).items()[index_]; }

 private:
  CodePtr base_;
  uint32_t index_;
};

// `c.programme.mode`: a chain of field reads starting at a local, fused into one loop.
class LocalPathCode final : public Code {
 public:
  LocalPathCode(Span s, uint32_t slot, std::vector<uint32_t> path)
      : Code(s), slot_(slot), path_(std::move(path)) {}
  auto Eval(Frame& f) const -> Value override {
    Value v = f.slots[slot_];
    for (const uint32_t i : path_) {
      v = v.items()[i];
    }
    return v;
  }

 private:
  uint32_t slot_;
  std::vector<uint32_t> path_;
};

// ---- logic ---------------------------------------------------------------------------------

class NotCode final : public Code {
 public:
  NotCode(Span s, CodePtr a) : Code(s), a_(std::move(a)) {}
  auto Eval(Frame& f) const -> Value override { return Value::Bool(!a_->Eval(f).as_bool()); }

 private:
  CodePtr a_;
};

class AndCode final : public Code {
 public:
  AndCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    return Value::Bool(a_->Eval(f).as_bool() && b_->Eval(f).as_bool());
  }

 private:
  CodePtr a_, b_;
};

class OrCode final : public Code {
 public:
  OrCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    return Value::Bool(a_->Eval(f).as_bool() || b_->Eval(f).as_bool());
  }

 private:
  CodePtr a_, b_;
};

class IfCode final : public Code {
 public:
  IfCode(Span s, CodePtr c, CodePtr a, CodePtr b)
      : Code(s), c_(std::move(c)), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override { return c_->Eval(f).as_bool() ? a_->Eval(f) : b_->Eval(f); }

 private:
  CodePtr c_, a_, b_;
};

class IsNoneCode final : public Code {
 public:
  IsNoneCode(Span s, CodePtr a, bool want_some) : Code(s), a_(std::move(a)), want_some_(want_some) {}
  auto Eval(Frame& f) const -> Value override { return Value::Bool(a_->Eval(f).is_none() != want_some_); }

 private:
  CodePtr a_;
  bool want_some_;
};

class CoalesceCode final : public Code {
 public:
  CoalesceCode(Span s, CodePtr a, CodePtr b) : Code(s), a_(std::move(a)), b_(std::move(b)) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = a_->Eval(f);
    return v.is_none() ? b_->Eval(f) : v;
  }

 private:
  CodePtr a_, b_;
};

}  // namespace

auto MakeConst(Span s, Value v) -> CodePtr {
  return std::make_unique<ConstCode>(s, v);
}
auto MakeLocal(Span s, uint32_t slot) -> CodePtr {
  return std::make_unique<LocalCode>(s, slot);
}
auto MakeGlobal(Span s, const std::vector<Value>& globals, uint32_t index) -> CodePtr {
  return std::make_unique<GlobalCode>(s, globals, index);
}
auto MakeAsOf(Span s) -> CodePtr {
  return std::make_unique<AsOfCode>(s);
}

auto MakeAsOfDate(Span s, CodePtr body, CodePtr date, std::string_view reason) -> CodePtr {
  return std::make_unique<AsOfDateCode>(s, std::move(body), std::move(date), reason);
}
auto MakeField(Span s, CodePtr base, uint32_t index) -> CodePtr {
  return std::make_unique<FieldCode>(s, std::move(base), index);
}
auto MakeLocalPath(Span s, uint32_t slot, std::vector<uint32_t> path) -> CodePtr {
  return std::make_unique<LocalPathCode>(s, slot, std::move(path));
}
auto MakeNot(Span s, CodePtr a) -> CodePtr {
  return std::make_unique<NotCode>(s, std::move(a));
}
auto MakeAnd(Span s, CodePtr a, CodePtr b) -> CodePtr {
  return std::make_unique<AndCode>(s, std::move(a), std::move(b));
}
auto MakeOr(Span s, CodePtr a, CodePtr b) -> CodePtr {
  return std::make_unique<OrCode>(s, std::move(a), std::move(b));
}
auto MakeIf(Span s, CodePtr c, CodePtr a, CodePtr b) -> CodePtr {
  return std::make_unique<IfCode>(s, std::move(c), std::move(a), std::move(b));
}
auto MakeIsNone(Span s, CodePtr a, bool want_some) -> CodePtr {
  return std::make_unique<IsNoneCode>(s, std::move(a), want_some);
}
auto MakeCoalesce(Span s, CodePtr a, CodePtr b) -> CodePtr {
  return std::make_unique<CoalesceCode>(s, std::move(a), std::move(b));
}

}  // namespace policy::vm::detail
