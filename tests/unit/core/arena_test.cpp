// The arena's block policy and CopyValue: what Facts rely on to hold a case record in exactly
// the memory it takes (issue 29), and what evaluation relies on to reuse its scratch memory.
#include <gtest/gtest.h>

#include <string>

#include "core/value.h"

namespace policy {
namespace {

// A record {text, [int, int, text], {bool, date}} built in `arena`.
auto Nested(Arena& arena) -> Value {
  AggregateObject* inner = arena.NewAggregate(2);
  inner->mutable_data()[0] = Value::Bool(true);
  inner->mutable_data()[1] = Value::DateV(*Date::FromCivil(2024, 2, 29));
  const Value items[] = {Value::Int(7), Value::Int(-3), arena.NewText("a longer text than sixteen bytes")};
  AggregateObject* outer = arena.NewAggregate(3);
  outer->mutable_data()[0] = arena.NewText("hello");
  outer->mutable_data()[1] = arena.NewList(items);
  outer->mutable_data()[2] = Value::Record(inner);
  return Value::Record(outer);
}

TEST(ArenaTest, AnEmptyArenaHoldsNothing) {
  Arena arena;
  EXPECT_EQ(arena.bytes_reserved(), 0U);
  EXPECT_EQ(arena.bytes_allocated(), 0U);
}

TEST(ArenaTest, TheFirstBlockHasTheSizeAskedForAndLaterOnesStartAtTheirs) {
  Arena arena(64, 256);
  arena.NewText("0123456789");  // 16 bytes: fits the first block
  EXPECT_EQ(arena.bytes_reserved(), 16U + 64U);
  arena.NewText(std::string(100, 'x'));  // 112 bytes: a second block, of the later size
  EXPECT_EQ(arena.bytes_reserved(), 16U + 64U + 16U + 256U);
  arena.NewText(std::string(300, 'y'));  // larger than the next block (512): a block of its own
  EXPECT_EQ(arena.bytes_reserved(), 16U + 64U + 16U + 256U + 16U + 512U);
}

TEST(ArenaTest, ResetKeepsTheLargestBlock) {
  Arena arena(64, 256);
  arena.NewText(std::string(1000, 'x'));  // the first block is the first request's size
  arena.NewText(std::string(10, 'y'));    // a later block (2,016 bytes: double the first)
  const size_t reserved = arena.bytes_reserved();
  EXPECT_GT(reserved, 2000U);
  arena.Reset();
  EXPECT_EQ(arena.bytes_allocated(), 0U);
  EXPECT_EQ(arena.bytes_reserved(), 16U + 2016U);
  arena.NewText(std::string(1500, 'z'));  // fits the kept block
  EXPECT_EQ(arena.bytes_reserved(), 16U + 2016U);
}

TEST(ArenaTest, CopyValueIsDeepAndFillsAnArenaOfTheBytesItTook) {
  Arena scratch;
  const Value original = Nested(scratch);
  Arena kept(scratch.bytes_allocated(), 256);
  const Value copy = CopyValue(original, kept);
  EXPECT_TRUE(ValuesEqual(original, copy));
  EXPECT_EQ(kept.bytes_allocated(), scratch.bytes_allocated());
  EXPECT_EQ(kept.bytes_reserved(), 16U + scratch.bytes_allocated());  // one block, exactly full
  // Nothing of the copy points into the scratch arena: overwrite it, the copy stays.
  scratch.Reset();
  Nested(scratch);
  scratch.NewText(std::string(200, '!'));
  EXPECT_EQ(copy.items()[0].as_text(), "hello");
  EXPECT_EQ(copy.items()[1].items()[2].as_text(), "a longer text than sixteen bytes");
  EXPECT_EQ(copy.items()[2].items()[1].as_date(), *Date::FromCivil(2024, 2, 29));
}

TEST(ArenaTest, MovingAnArenaMovesItsBlocks) {
  Arena a(64, 256);
  const Value text = a.NewText("kept across the move");
  Arena b = std::move(a);
  EXPECT_EQ(text.as_text(), "kept across the move");
  EXPECT_EQ(a.bytes_reserved(), 0U);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.bytes_reserved(), 16U + 64U);
  a = std::move(b);
  EXPECT_EQ(a.bytes_reserved(), 16U + 64U);
}

}  // namespace
}  // namespace policy
