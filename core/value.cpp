#include "core/value.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace policy {

auto Value::Text(const TextObject* t) -> Value {
  return Value(Kind::kText, 0, static_cast<int64_t>(reinterpret_cast<intptr_t>(t)));
}
auto Value::Record(const AggregateObject* r) -> Value {
  return Value(Kind::kRecord, 0, static_cast<int64_t>(reinterpret_cast<intptr_t>(r)));
}
auto Value::List(const AggregateObject* l) -> Value {
  return Value(Kind::kList, 0, static_cast<int64_t>(reinterpret_cast<intptr_t>(l)));
}

auto Value::as_text() const -> std::string_view {
  if (tag() != Kind::kText) {
    return {};
  }
  const auto* t = reinterpret_cast<const TextObject*>(static_cast<intptr_t>(bits_));
  return {t->data(), t->size};
}

auto Arena::Allocate(size_t bytes) -> void* {
  bytes = (bytes + 15) & ~static_cast<size_t>(15);
  if (last_ == nullptr || used_ + bytes > last_->size) {
    const size_t size = std::max(bytes, next_block_);
    // The first block has the size asked for at construction; later ones start at later_blocks_
    // and double (from the first if a request outgrew it).
    next_block_ = last_ == nullptr ? std::max(later_blocks_, size > next_block_ ? size * 2 : 0) : size * 2;
    auto* block = static_cast<Block*>(::operator new(sizeof(Block) + size));
    block->previous = last_;
    block->size = size;
    last_ = block;
    used_ = 0;
  }
  void* p = last_->data() + used_;
  used_ += bytes;
  total_ += bytes;
  return p;
}

void Arena::KeepLargestBlock() {
  Block* largest = last_;
  for (Block* b = last_->previous; b != nullptr; b = b->previous) {
    if (b->size > largest->size) {
      largest = b;
    }
  }
  // Unlink the largest, free the rest.
  Block** link = &last_;
  while (*link != largest) {
    link = &(*link)->previous;
  }
  *link = largest->previous;
  largest->previous = nullptr;
  FreeBlocks(last_);
  last_ = largest;
}

void Arena::FreeBlocks(Block* last) {
  while (last != nullptr) {
    Block* previous = last->previous;
    ::operator delete(last);
    last = previous;
  }
}

auto CopyValue(const Value& v, Arena& to) -> Value {
  switch (v.tag()) {
    case Kind::kText:
      return to.NewText(v.as_text());
    case Kind::kRecord:
    case Kind::kList: {
      const std::span<const Value> items = v.items();
      AggregateObject* copy = to.NewUninitializedAggregate(static_cast<uint32_t>(items.size()));
      Value* out = copy->mutable_data();
      for (size_t i = 0; i < items.size(); ++i) {
        out[i] = CopyValue(items[i], to);
      }
      return v.tag() == Kind::kRecord ? Value::Record(copy) : Value::List(copy);
    }
    default:
      return v;  // scalars live inside the value
  }
}

auto Arena::NewText(std::string_view text) -> Value {
  auto* t = new (Allocate(sizeof(TextObject) + text.size())) TextObject{static_cast<uint32_t>(text.size())};
  if (!text.empty()) {
    std::memcpy(reinterpret_cast<char*>(t + 1), text.data(), text.size());
  }
  return Value::Text(t);
}

auto Arena::NewAggregate(uint32_t size) -> AggregateObject* {
  auto* a = new (Allocate(sizeof(AggregateObject) + sizeof(Value) * size)) AggregateObject{size, 0};
  Value* data = a->mutable_data();
  for (uint32_t i = 0; i < size; ++i) {
    new (&data[i]) Value();
  }
  return a;
}

auto Arena::NewList(std::span<const Value> items) -> Value {
  AggregateObject* a = NewAggregate(static_cast<uint32_t>(items.size()));
  std::copy(items.begin(), items.end(), a->mutable_data());
  return Value::List(a);
}

auto Arena::NewSet(std::vector<Value> items) -> Value {
  std::sort(items.begin(), items.end(),
            [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
  items.erase(std::unique(items.begin(), items.end(), ValuesEqual), items.end());
  return NewList(items);
}

auto CompareValues(const Value& a, const Value& b) -> int {
  if (a.tag() != b.tag()) {
    return a.tag() < b.tag() ? -1 : 1;
  }
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (a.tag()) {
    case Kind::kNone:
      return 0;
    case Kind::kBool:
    case Kind::kInt:
      return cmp(a.as_int(), b.as_int());
    case Kind::kEnum:
      return cmp(a.as_enum(), b.as_enum());
    case Kind::kDate:
      return cmp(a.as_date().days(), b.as_date().days());
    case Kind::kDecimal:
      return Decimal::Compare(a.as_decimal(), b.as_decimal());
    case Kind::kDuration: {
      const Duration x = a.as_duration();
      const Duration y = b.as_duration();
      if (x.IsDayBased() != y.IsDayBased()) {
        return x.IsDayBased() ? -1 : 1;
      }
      const auto bx = x.BaseCount();
      const auto by = y.BaseCount();
      if (bx && by && *bx != *by) {
        return cmp(*bx, *by);
      }
      return cmp(static_cast<int>(x.unit), static_cast<int>(y.unit));
    }
    case Kind::kText:
      return cmp(a.as_text().compare(b.as_text()), 0);
    case Kind::kRecord:
    case Kind::kList: {
      const auto xs = a.items();
      const auto ys = b.items();
      const size_t n = std::min(xs.size(), ys.size());
      for (size_t i = 0; i < n; ++i) {
        if (const int c = CompareValues(xs[i], ys[i]); c != 0) {
          return c;
        }
      }
      return cmp(xs.size(), ys.size());
    }
    case Kind::kSet:
    case Kind::kOptional:
    case Kind::kError:
    case Kind::kEmpty:
      break;  // kinds of types only, never a value's tag (core/kind.h)
  }
  return 0;
}

auto ValuesEqual(const Value& a, const Value& b) -> bool {
  if (a.tag() == Kind::kDuration && b.tag() == Kind::kDuration) {
    // 2 weeks == 14 days; 1 year == 12 months.
    const auto c = CompareDurations(a.as_duration(), b.as_duration());
    return c && *c == 0;
  }
  return CompareValues(a, b) == 0;
}

}  // namespace policy
