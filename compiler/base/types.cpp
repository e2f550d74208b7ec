#include "compiler/base/types.h"

namespace policy {

auto RecordInfo::FieldIndex(std::string_view field) const -> std::optional<uint32_t> {
  for (uint32_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field) {
      return i;
    }
  }
  return std::nullopt;
}

TypeTable::TypeTable() {
  // Order must match the k*Id constants.
  for (Kind k : {Kind::kError, Kind::kBool, Kind::kInt, Kind::kDecimal, Kind::kText, Kind::kDate,
                 Kind::kDuration, Kind::kNone, Kind::kEmpty}) {
    Intern({k, 0, 0});
  }
}

auto TypeTable::Intern(Type t) -> TypeId {
  const auto key = std::make_tuple(t.kind, t.index, t.elem);
  if (const auto it = interned_.find(key); it != interned_.end()) {
    return it->second;
  }
  types_.push_back(t);
  const auto id = static_cast<TypeId>(types_.size() - 1);
  interned_.emplace(key, id);
  return id;
}

auto TypeTable::Optional(TypeId inner) -> TypeId {
  if (kind(inner) == Kind::kOptional || kind(inner) == Kind::kError) {
    return inner;
  }
  if (kind(inner) == Kind::kNone) {
    return inner;
  }
  return Intern({Kind::kOptional, 0, inner});
}

auto TypeTable::NewEnum(EnumInfo info) -> TypeId {
  enums_.push_back(std::move(info));
  types_.push_back({Kind::kEnum, static_cast<uint32_t>(enums_.size() - 1), 0});
  return static_cast<TypeId>(types_.size() - 1);
}

auto TypeTable::NewRecord(RecordInfo info) -> TypeId {
  records_.push_back(std::move(info));
  types_.push_back({Kind::kRecord, static_cast<uint32_t>(records_.size() - 1), 0});
  return static_cast<TypeId>(types_.size() - 1);
}

auto TypeTable::Unwrap(TypeId id) const -> TypeId {
  return kind(id) == Kind::kOptional ? types_[id].elem : id;
}

auto TypeTable::Name(TypeId id) const -> std::string {
  const Type& t = types_[id];
  switch (t.kind) {
    case Kind::kError:
      return "<error>";
    case Kind::kBool:
      return "Bool";
    case Kind::kInt:
      return "Int";
    case Kind::kDecimal:
      return "Decimal";
    case Kind::kText:
      return "Text";
    case Kind::kDate:
      return "Date";
    case Kind::kDuration:
      return "Duration";
    case Kind::kEnum: {
      const std::string& n = enums_[t.index].name;
      return n.substr(n.rfind('.') == std::string::npos ? 0 : n.rfind('.') + 1);
    }
    case Kind::kRecord: {
      const std::string& n = records_[t.index].name;
      return n.substr(n.rfind('.') == std::string::npos ? 0 : n.rfind('.') + 1);
    }
    case Kind::kList:
      return "List<" + Name(t.elem) + ">";
    case Kind::kSet:
      return "Set<" + Name(t.elem) + ">";
    case Kind::kOptional:
      return Name(t.elem) + "?";
    case Kind::kNone:
      return "none";
    case Kind::kEmpty:
      return "empty collection";
  }
  return "?";
}

}  // namespace policy
