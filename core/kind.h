// The one list of kinds, shared by types (compiler/base/types.h) and values (core/value.h).
//
// A value's tag is one of the first ten kinds, kNone to kList: a set is a sorted list at run
// time, so its values are tagged kList, and an optional `T?` is either a `none` value or a plain
// T. The kinds after kList exist only as kinds of types, in the checker: kSet (the set type),
// kOptional, kError (the type of an expression that already produced a diagnostic), kEmpty (`[]`
// or `{}` before they meet an expected collection type). The `none` literal's type before it meets
// an expected `T?` is kNone, the kind of the value it evaluates to.
//
// The public API (runtime/include/policy/policy.hpp) names the value kinds, kSet included, in its
// own std-only header; runtime/api/policy_set.cpp checks at compile time that they are this
// list's first eleven, in this order. The JIT writes kinds as tag bytes into values, so the order
// is part of the value layout: kNone is 0 (a zeroed Value is none).
#pragma once

#include <cstdint>

namespace policy {

enum class Kind : uint8_t {
  kNone,
  kBool,
  kInt,
  kDecimal,
  kText,
  kDate,
  kDuration,
  kEnum,
  kRecord,
  kList,
  // kinds of types only, never a value's tag
  kSet,
  kOptional,
  kError,
  kEmpty,
};

}  // namespace policy
