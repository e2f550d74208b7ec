// The type universe shared by the checker, the IR and the runtime. Types are interned in a
// TypeTable and referred to by TypeId, so equality is an integer compare. Enum and record types
// are nominal: each declaration gets an EnumInfo/RecordInfo with its members, which the runtime
// also uses to read JSON input and print results (field names, variant names).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/base/source.h"
#include "core/kind.h"

namespace policy {

using TypeId = uint32_t;

struct Type {
  Kind kind = Kind::kError;
  uint32_t index = 0;  // EnumInfo/RecordInfo index for kEnum/kRecord
  TypeId elem = 0;     // element type for kList/kSet/kOptional
};

struct EnumInfo {
  std::string name;  // qualified: hk.case.Mode
  std::vector<std::string> variants;
  std::vector<std::string> json_names;  // how each value is spelled in JSON (usually its name)
  Span span;
};

struct FieldInfo {
  std::string name;
  TypeId type = 0;
  Span span;
  bool may_be_absent = false;  // the JSON key may be missing (declared `name?: T`)
  // Declared `fixed`: a fact of record (a date of birth) that `policy eval --what-if` never
  // proposes to change.
  bool fixed = false;
};

struct RecordInfo {
  std::string name;  // qualified
  std::vector<FieldInfo> fields;
  Span span;
  auto FieldIndex(std::string_view field) const -> std::optional<uint32_t>;
};

class TypeTable {
 public:
  TypeTable();

  static constexpr TypeId kErrorId = 0;
  static constexpr TypeId kBoolId = 1;
  static constexpr TypeId kIntId = 2;
  static constexpr TypeId kDecimalId = 3;
  static constexpr TypeId kTextId = 4;
  static constexpr TypeId kDateId = 5;
  static constexpr TypeId kDurationId = 6;
  static constexpr TypeId kNoneId = 7;
  static constexpr TypeId kEmptyId = 8;

  auto Get(TypeId id) const -> const Type& { return types_[id]; }
  auto kind(TypeId id) const -> Kind { return types_[id].kind; }
  auto List(TypeId elem) -> TypeId { return Intern({Kind::kList, 0, elem}); }
  auto Set(TypeId elem) -> TypeId { return Intern({Kind::kSet, 0, elem}); }
  // Optional of an optional collapses: (T?)? = T?.
  auto Optional(TypeId inner) -> TypeId;
  auto NewEnum(EnumInfo info) -> TypeId;
  auto NewRecord(RecordInfo info) -> TypeId;
  auto enum_info(TypeId id) const -> const EnumInfo& { return enums_[types_[id].index]; }
  auto record_info(TypeId id) const -> const RecordInfo& { return records_[types_[id].index]; }
  auto mutable_record_info(TypeId id) -> RecordInfo& { return records_[types_[id].index]; }
  // Strips one level of Optional (T? -> T); other types are returned unchanged.
  auto Unwrap(TypeId id) const -> TypeId;
  auto IsOptional(TypeId id) const -> bool { return kind(id) == Kind::kOptional; }
  auto IsNumeric(TypeId id) const -> bool { return kind(id) == Kind::kInt || kind(id) == Kind::kDecimal; }
  // As a policy writer would write it: `Set<Level>`, `Date?`.
  auto Name(TypeId id) const -> std::string;
  auto size() const -> size_t { return types_.size(); }

 private:
  auto Intern(Type t) -> TypeId;
  std::vector<Type> types_;
  std::map<std::tuple<Kind, uint32_t, TypeId>, TypeId> interned_;
  std::vector<EnumInfo> enums_;
  std::vector<RecordInfo> records_;
};

}  // namespace policy
