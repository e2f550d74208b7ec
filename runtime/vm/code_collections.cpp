// The collection closures: membership (`in`), aggregates (`all`, `count`, `sum`, `filter`, ...),
// building records, lists and sets, `with` updates, and matches on enums and optionals.
#include <algorithm>

#include "runtime/vm/program.h"

namespace policy::vm::detail {
namespace {

// ---- collections ---------------------------------------------------------------------------

class InCode final : public Code {
 public:
  InCode(Span s, CodePtr a, CodePtr b, bool negated)
      : Code(s), a_(std::move(a)), b_(std::move(b)), negated_(negated) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = a_->Eval(f);
    const Value coll = b_->Eval(f);
    bool found = false;
    if (!x.is_none()) {
      for (const Value& v : coll.items()) {
        if (ValuesEqual(v, x)) {
          found = true;
          break;
        }
      }
    }
    return Value::Bool(found != negated_);
  }

 private:
  CodePtr a_, b_;
  bool negated_;
};

// `level in {undergraduate, taught_postgraduate}` with a constant set of enum values: one bit test.
class EnumInMaskCode final : public Code {
 public:
  EnumInMaskCode(Span s, CodePtr a, uint64_t mask, bool negated)
      : Code(s), a_(std::move(a)), mask_(mask), negated_(negated) {}
  auto Eval(Frame& f) const -> Value override {
    const Value x = a_->Eval(f);
    const bool found = !x.is_none() && ((mask_ >> x.as_enum()) & 1U) != 0;
    return Value::Bool(found != negated_);
  }

 private:
  CodePtr a_;
  uint64_t mask_;
  bool negated_;
};

class AggregateCode final : public Code {
 public:
  AggregateCode(Span s, ir::AggOp op, uint32_t slot, CodePtr coll, CodePtr body, bool decimal)
      : Code(s), op_(op), slot_(slot), coll_(std::move(coll)), body_(std::move(body)), decimal_(decimal) {}
  auto Eval(Frame& f) const -> Value override {
    const Value coll = coll_->Eval(f);
    const auto items = coll.items();
    CA::Charge(f.ctx, items.size(), span());
    switch (op_) {
      case ir::AggOp::kAll:
        for (const Value& v : items) {
          Visit(f, v);
          if (!body_->Eval(f).as_bool()) {
            return Value::Bool(false);
          }
        }
        return Value::Bool(true);
      case ir::AggOp::kAny:
        for (const Value& v : items) {
          Visit(f, v);
          if (body_->Eval(f).as_bool()) {
            return Value::Bool(true);
          }
        }
        return Value::Bool(false);
      case ir::AggOp::kCount: {
        int64_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          n += body_->Eval(f).as_bool() ? 1 : 0;
        }
        return Value::Int(n);
      }
      case ir::AggOp::kSum: {
        if (decimal_) {
          Decimal total;
          for (const Value& v : items) {
            Visit(f, v);
            const Decimal item = body_->Eval(f).as_decimal();
            total = CheckedDecimal(Decimal::Add(total, item), span(), "sum", total, "+", item).as_decimal();
          }
          return Value::Dec(total);
        }
        int64_t total = 0;
        for (const Value& v : items) {
          Visit(f, v);
          if (__builtin_add_overflow(total, body_->Eval(f).as_int(), &total)) {
            Fail(DiagCode::kArithmeticError, span(), "integer sum overflowed");
          }
        }
        return Value::Int(total);
      }
      case ir::AggOp::kMin:
      case ir::AggOp::kMax: {
        Value best;
        bool first = true;
        for (const Value& v : items) {
          Visit(f, v);
          const Value x = body_->Eval(f);
          if (first) {
            best = x;
            first = false;
            continue;
          }
          const int c =
              x.tag() == Kind::kDuration ? CompareDurationsOrFail(x, best, span()) : CompareValues(x, best);
          if ((op_ == ir::AggOp::kMin && c < 0) || (op_ == ir::AggOp::kMax && c > 0)) {
            best = x;
          }
        }
        return best;
      }
      case ir::AggOp::kFilter: {
        AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(items.size()));
        uint32_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          if (body_->Eval(f).as_bool()) {
            out->mutable_data()[n++] = v;
          }
        }
        out->size = n;
        return Value::List(out);
      }
      case ir::AggOp::kMap: {
        AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(items.size()));
        uint32_t n = 0;
        for (const Value& v : items) {
          Visit(f, v);
          out->mutable_data()[n++] = body_->Eval(f);
        }
        return Value::List(out);
      }
    }
    return Value();
  }

 private:
  // Binds the next item. The items were charged as steps up front; what each one builds is
  // checked here, so a loop cannot outgrow the memory budget between two charges.
  void Visit(Frame& f, const Value& v) const {
    f.slots[slot_] = v;
    CA::CheckMemory(f.ctx, span());
  }

  ir::AggOp op_;
  uint32_t slot_;
  CodePtr coll_, body_;
  bool decimal_;
};

class MakeAggregateCode final : public Code {
 public:
  using Kind = AggregateShape;
  MakeAggregateCode(Span s, Kind kind, std::vector<CodePtr> kids)
      : Code(s), kind_(kind), kids_(std::move(kids)) {}
  auto Eval(Frame& f) const -> Value override {
    if (kind_ == Kind::kSet) {
      std::vector<Value> values;
      values.reserve(kids_.size());
      for (const auto& k : kids_) {
        values.push_back(k->Eval(f));
      }
      return CA::Scratch(f.ctx).NewSet(std::move(values));
    }
    AggregateObject* out = CA::Scratch(f.ctx).NewAggregate(static_cast<uint32_t>(kids_.size()));
    for (size_t i = 0; i < kids_.size(); ++i) {
      out->mutable_data()[i] = kids_[i]->Eval(f);
    }
    return kind_ == Kind::kRecord ? Value::Record(out) : Value::List(out);
  }

 private:
  Kind kind_;
  std::vector<CodePtr> kids_;
};

auto UpdatePath(Arena& arena, const Value& rec, const std::vector<uint32_t>& path, size_t at, const Value& v)
    -> Value {
  const auto fields = rec.items();
  AggregateObject* out = arena.NewAggregate(static_cast<uint32_t>(fields.size()));
  std::copy(fields.begin(), fields.end(), out->mutable_data());
  const uint32_t i = path[at];
  out->mutable_data()[i] = at + 1 == path.size() ? v : UpdatePath(arena, fields[i], path, at + 1, v);
  return Value::Record(out);
}

class WithCode final : public Code {
 public:
  WithCode(Span s, CodePtr base, std::vector<std::vector<uint32_t>> paths, std::vector<CodePtr> values)
      : Code(s), base_(std::move(base)), paths_(std::move(paths)), values_(std::move(values)) {}
  auto Eval(Frame& f) const -> Value override {
    Value rec = base_->Eval(f);
    for (size_t i = 0; i < paths_.size(); ++i) {
      rec = UpdatePath(CA::Scratch(f.ctx), rec, paths_[i], 0, values_[i]->Eval(f));
    }
    return rec;
  }

 private:
  CodePtr base_;
  std::vector<std::vector<uint32_t>> paths_;
  std::vector<CodePtr> values_;
};

class MatchEnumCode final : public Code {
 public:
  MatchEnumCode(Span s, CodePtr scrut, std::vector<CodePtr> arms, std::vector<uint32_t> table,
                uint32_t none_arm, std::vector<uint32_t> bind)
      : Code(s),
        scrut_(std::move(scrut)),
        arms_(std::move(arms)),
        table_(std::move(table)),
        none_arm_(none_arm),
        bind_(std::move(bind)) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = scrut_->Eval(f);
    const uint32_t arm = v.is_none() ? none_arm_ : table_[v.as_enum()];
    if (bind_[arm] != UINT32_MAX) {
      f.slots[bind_[arm]] = v;  // some(x): x is the value itself (optionals are unboxed)
    }
    return arms_[arm - 1]->Eval(f);
  }

 private:
  CodePtr scrut_;
  std::vector<CodePtr> arms_;
  std::vector<uint32_t> table_;
  uint32_t none_arm_;
  std::vector<uint32_t> bind_;
};

class MatchOptionalCode final : public Code {
 public:
  MatchOptionalCode(Span s, CodePtr scrut, CodePtr none_arm, CodePtr some_arm, uint32_t slot)
      : Code(s),
        scrut_(std::move(scrut)),
        none_(std::move(none_arm)),
        some_(std::move(some_arm)),
        slot_(slot) {}
  auto Eval(Frame& f) const -> Value override {
    const Value v = scrut_->Eval(f);
    if (v.is_none()) {
      return none_->Eval(f);
    }
    if (slot_ != UINT32_MAX) {
      f.slots[slot_] = v;
    }
    return some_->Eval(f);
  }

 private:
  CodePtr scrut_, none_, some_;
  uint32_t slot_;
};

}  // namespace

auto MakeIn(Span s, CodePtr a, CodePtr b, bool negated) -> CodePtr {
  return std::make_unique<InCode>(s, std::move(a), std::move(b), negated);
}
auto MakeEnumInMask(Span s, CodePtr a, uint64_t mask, bool negated) -> CodePtr {
  return std::make_unique<EnumInMaskCode>(s, std::move(a), mask, negated);
}
auto MakeAggregate(Span s, ir::AggOp op, uint32_t slot, CodePtr coll, CodePtr body, bool decimal) -> CodePtr {
  return std::make_unique<AggregateCode>(s, op, slot, std::move(coll), std::move(body), decimal);
}
auto MakeBuildAggregate(Span s, AggregateShape shape, std::vector<CodePtr> kids) -> CodePtr {
  return std::make_unique<MakeAggregateCode>(s, shape, std::move(kids));
}
auto MakeWith(Span s, CodePtr base, std::vector<std::vector<uint32_t>> paths, std::vector<CodePtr> values)
    -> CodePtr {
  return std::make_unique<WithCode>(s, std::move(base), std::move(paths), std::move(values));
}
auto MakeMatchEnum(Span s, CodePtr scrut, std::vector<CodePtr> arms, std::vector<uint32_t> table,
                   uint32_t none_arm, std::vector<uint32_t> bind) -> CodePtr {
  return std::make_unique<MatchEnumCode>(s, std::move(scrut), std::move(arms), std::move(table), none_arm,
                                         std::move(bind));
}
auto MakeMatchOptional(Span s, CodePtr scrut, CodePtr none_arm, CodePtr some_arm, uint32_t slot) -> CodePtr {
  return std::make_unique<MatchOptionalCode>(s, std::move(scrut), std::move(none_arm), std::move(some_arm),
                                             slot);
}

}  // namespace policy::vm::detail
