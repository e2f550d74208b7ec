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
  if (blocks_.empty() || used_ + bytes > block_sizes_.back()) {
    const size_t size = std::max<size_t>(bytes, blocks_.empty() ? 4096 : block_sizes_.back() * 2);
    blocks_.push_back(std::make_unique<std::byte[]>(size));
    block_sizes_.push_back(size);
    used_ = 0;
  }
  void* p = blocks_.back().get() + used_;
  used_ += bytes;
  total_ += bytes;
  return p;
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

void Arena::KeepLastBlock() {
  // Keep the largest (last) block: the next evaluation of the same kind will need about as much.
  auto last = std::move(blocks_.back());
  const size_t last_size = block_sizes_.back();
  blocks_.clear();
  block_sizes_.clear();
  blocks_.push_back(std::move(last));
  block_sizes_.push_back(last_size);
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
