// Runtime values: a 16-byte tagged word. Scalars (Bool, Int, Decimal, Date, Duration, enum
// members, `none`) live entirely inside the Value, so evaluating a decision with a scalar result
// touches no heap. Text, records and lists point to immutable objects in an Arena: the input's
// arena (built once from JSON), the program's constant arena, or the per-evaluation scratch
// arena, which is reset between evaluations instead of freeing objects one by one.
//
// Values carry no type descriptor: the checker has proven every use well-typed, so the tag is
// there for assertions, printing and generic comparison only. An optional `T?` is either a `none`
// Value or a plain T (no boxing). A Set is a List kept sorted and free of duplicates.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/decimal.h"
#include "core/duration.h"
#include "core/kind.h"

namespace policy {

struct TextObject;
struct AggregateObject;  // record fields or list items

class Value {
 public:
  constexpr Value() : head_(0), bits_(0) {}
  static constexpr auto None() -> Value { return Value(); }
  static constexpr auto Bool(bool b) -> Value { return Value(Kind::kBool, 0, b ? 1 : 0); }
  static constexpr auto Int(int64_t i) -> Value { return Value(Kind::kInt, 0, i); }
  // The coefficient's low 56 bits fill bytes 1-7 and its high bits the payload word: the 16
  // bytes, read as one little-endian integer, are (coefficient << 8) | tag.
  static constexpr auto Dec(Decimal d) -> Value {
    const Decimal::Coefficient c = d.coefficient();
    Value v(Kind::kDecimal, 0, static_cast<int64_t>(c >> 56));
    v.head_ |= static_cast<uint64_t>(c) << 8;
    return v;
  }
  static constexpr auto DateV(Date d) -> Value { return Value(Kind::kDate, 0, d.days()); }
  static constexpr auto Dur(Duration d) -> Value {
    return Value(Kind::kDuration, static_cast<uint8_t>(d.unit), d.count);
  }
  static constexpr auto Enum(uint32_t ordinal) -> Value { return Value(Kind::kEnum, 0, ordinal); }
  static auto Text(const TextObject* t) -> Value;
  static auto Record(const AggregateObject* r) -> Value;
  static auto List(const AggregateObject* l) -> Value;

  auto tag() const -> Kind { return static_cast<Kind>(static_cast<uint8_t>(head_)); }
  auto is_none() const -> bool { return tag() == Kind::kNone; }
  auto as_bool() const -> bool { return bits_ != 0; }
  auto as_int() const -> int64_t { return bits_; }
  constexpr auto as_decimal() const -> Decimal {
    const uint64_t low56 = head_ >> 8;
    const Decimal::Coefficient c =
        static_cast<Decimal::Coefficient>(bits_) * (Decimal::Coefficient{1} << 56) +
        static_cast<Decimal::Coefficient>(low56);
    return Decimal::FromStoredCoefficient(c);
  }
  auto as_date() const -> Date { return Date::FromDays(static_cast<int32_t>(bits_)); }
  auto as_duration() const -> Duration {
    return {bits_, static_cast<DurationUnit>(static_cast<uint8_t>(head_ >> 8))};
  }
  auto as_enum() const -> uint32_t { return static_cast<uint32_t>(bits_); }
  auto as_text() const -> std::string_view;
  // Record fields or list items (empty for other tags). Inline: field access is the most
  // frequent operation of evaluation.
  inline auto items() const -> std::span<const Value>;

 private:
  constexpr Value(Kind tag, uint8_t small, int64_t bits)
      : head_(static_cast<uint8_t>(tag) | uint64_t{small} << 8), bits_(bits) {}
  // Two words, no padding: one store writes the tag and everything beside it (every constructor
  // makes the first word whole, so a value is written with two 8-byte stores, like the JIT's).
  // head_: the tag in its low byte (byte 0 in memory); above it a duration's unit, or a decimal's
  // coefficient bits 0-55, and zero for the other kinds.
  uint64_t head_;
  int64_t bits_;  // the payload, a pointer for heap objects, or a decimal's bits 56-119
};
static_assert(sizeof(Value) == 16);
static_assert(std::endian::native == std::endian::little, "the tag is byte 0 of a value");
// The tag is the low byte of the first word, byte 0 on a little-endian machine: the API's inline
// Decide reads a result's first byte to tell none (kNone is 0) without knowing this class
// (policy.hpp, Evaluator::Decide).
static_assert(std::is_standard_layout_v<Value> && std::is_trivially_copyable_v<Value> &&
              static_cast<uint8_t>(Kind::kNone) == 0);

struct TextObject {
  uint32_t size;
  auto data() const -> const char* { return reinterpret_cast<const char*>(this + 1); }
};

// The header is padded to 8 bytes so the Values that follow it are 8-byte aligned.
struct alignas(8) AggregateObject {
  uint32_t size;
  uint32_t reserved = 0;
  auto data() const -> const Value* { return reinterpret_cast<const Value*>(this + 1); }
  auto mutable_data() -> Value* { return reinterpret_cast<Value*>(this + 1); }
};
static_assert(sizeof(AggregateObject) % alignof(Value) == 0, "items must stay aligned");

inline auto Value::items() const -> std::span<const Value> {
  if (tag() != Kind::kRecord && tag() != Kind::kList) {
    return {};
  }
  const auto* a = reinterpret_cast<const AggregateObject*>(static_cast<intptr_t>(bits_));
  return {a->data(), a->size};
}

// A bump allocator for immutable heap objects. Objects are trivially destructible, so Reset()
// and the destructor free everything at once. Not thread-safe: each evaluation owns its own.
//
// Blocks are chained through a header in front of each (one allocation per block, nothing else
// on the heap), so an arena that holds one small case record costs its bytes plus 16.
class Arena {
 public:
  // The first block is `first_block` bytes (or the first request, if larger); later blocks start
  // at `later_blocks` bytes and double. The defaults suit scratch arenas, reset and refilled
  // many times; Facts size theirs to the record they hold (CopyValue).
  explicit Arena(size_t first_block = 4096, size_t later_blocks = 8192)
      : next_block_(first_block), later_blocks_(later_blocks) {}
  ~Arena() { FreeBlocks(last_); }
  Arena(const Arena&) = delete;
  auto operator=(const Arena&) -> Arena& = delete;
  Arena(Arena&& other) noexcept
      : last_(std::exchange(other.last_, nullptr)),
        used_(std::exchange(other.used_, 0)),
        total_(std::exchange(other.total_, 0)),
        next_block_(other.next_block_),
        later_blocks_(other.later_blocks_) {}
  auto operator=(Arena&& other) noexcept -> Arena& {
    if (this != &other) {
      FreeBlocks(last_);
      last_ = std::exchange(other.last_, nullptr);
      used_ = std::exchange(other.used_, 0);
      total_ = std::exchange(other.total_, 0);
      next_block_ = other.next_block_;
      later_blocks_ = other.later_blocks_;
    }
    return *this;
  }

  auto NewText(std::string_view text) -> Value;
  // Returns a record/list with `size` slots to fill before the value is shared.
  auto NewAggregate(uint32_t size) -> AggregateObject*;
  // The same with the slots left unwritten, for a writer that fills every slot it later reads
  // (native code: a filter writes the items it keeps, then sets `size` to their count). Inline
  // for the common case, room in the current block: native code asks for one per filter.
  auto NewUninitializedAggregate(uint32_t size) -> AggregateObject* {
    const size_t bytes = (sizeof(AggregateObject) + sizeof(Value) * size + 15) & ~size_t{15};
    void* p = nullptr;
    if (last_ != nullptr && used_ + bytes <= last_->size) [[likely]] {
      p = last_->data() + used_;
      used_ += bytes;
      total_ += bytes;
    } else {
      p = Allocate(bytes);
    }
    return new (p) AggregateObject{size, 0};
  }
  auto NewList(std::span<const Value> items) -> Value;
  // Sorts and deduplicates `items` (by CompareValues) into a new set value.
  auto NewSet(std::vector<Value> items) -> Value;
  // Drops every object, keeping the largest block for reuse.
  // Inline for the common case (one block or none): evaluation resets the arena every time.
  void Reset() {
    if (last_ != nullptr && last_->previous != nullptr) [[unlikely]] {
      KeepLargestBlock();
    }
    used_ = 0;
    total_ = 0;
  }
  auto bytes_allocated() const -> size_t { return total_; }
  // Heap bytes the arena holds: its blocks with their headers, used or not.
  auto bytes_reserved() const -> size_t {
    size_t bytes = 0;
    for (const Block* b = last_; b != nullptr; b = b->previous) {
      bytes += sizeof(Block) + b->size;
    }
    return bytes;
  }
  // Where bytes_allocated() is kept, for a caller that checks it without a call (the API's inline
  // Decide); valid as long as the arena.
  auto bytes_allocated_word() const -> const size_t* { return &total_; }

 private:
  // Followed by `size` bytes of objects; 16 bytes, so they stay 16-byte aligned.
  struct alignas(16) Block {
    Block* previous;
    size_t size;
    auto data() -> std::byte* { return reinterpret_cast<std::byte*>(this + 1); }
  };
  static_assert(sizeof(Block) == 16);
  auto Allocate(size_t bytes) -> void*;
  void KeepLargestBlock();
  static void FreeBlocks(Block* last);
  Block* last_ = nullptr;
  size_t used_ = 0;   // bytes used in the last block
  size_t total_ = 0;  // bytes handed out since the last Reset
  size_t next_block_;
  size_t later_blocks_;
};

// A deep copy of `v` whose text, records and lists live in `to`. Copying a record into an arena
// of bytes_allocated() (what building it took) fills that arena exactly: Facts keep a case in
// the memory it needs, not in the first block of a scratch arena.
auto CopyValue(const Value& v, Arena& to) -> Value;

// A total order over values of the same type: numbers by value, text by bytes, enums by
// ordinal, dates chronologically, durations by (family, base count), aggregates element-wise.
// `none` sorts first. Used for sets, equality and `min`/`max`.
auto CompareValues(const Value& a, const Value& b) -> int;
auto ValuesEqual(const Value& a, const Value& b) -> bool;

}  // namespace policy
