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
  for (TypeKind k : {TypeKind::kError, TypeKind::kBool, TypeKind::kInt, TypeKind::kDecimal, TypeKind::kText,
                     TypeKind::kDate, TypeKind::kDuration, TypeKind::kNone, TypeKind::kEmpty}) {
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
  if (kind(inner) == TypeKind::kOptional || kind(inner) == TypeKind::kError) {
    return inner;
  }
  if (kind(inner) == TypeKind::kNone) {
    return inner;
  }
  return Intern({TypeKind::kOptional, 0, inner});
}

auto TypeTable::NewEnum(EnumInfo info) -> TypeId {
  enums_.push_back(std::move(info));
  types_.push_back({TypeKind::kEnum, static_cast<uint32_t>(enums_.size() - 1), 0});
  return static_cast<TypeId>(types_.size() - 1);
}

auto TypeTable::NewRecord(RecordInfo info) -> TypeId {
  records_.push_back(std::move(info));
  types_.push_back({TypeKind::kRecord, static_cast<uint32_t>(records_.size() - 1), 0});
  return static_cast<TypeId>(types_.size() - 1);
}

auto TypeTable::Unwrap(TypeId id) const -> TypeId {
  return kind(id) == TypeKind::kOptional ? types_[id].elem : id;
}

auto TypeTable::Name(TypeId id) const -> std::string {
  const Type& t = types_[id];
  switch (t.kind) {
    case TypeKind::kError:
      return "<error>";
    case TypeKind::kBool:
      return "Bool";
    case TypeKind::kInt:
      return "Int";
    case TypeKind::kDecimal:
      return "Decimal";
    case TypeKind::kText:
      return "Text";
    case TypeKind::kDate:
      return "Date";
    case TypeKind::kDuration:
      return "Duration";
    case TypeKind::kEnum: {
      const std::string& n = enums_[t.index].name;
      return n.substr(n.rfind('.') == std::string::npos ? 0 : n.rfind('.') + 1);
    }
    case TypeKind::kRecord: {
      const std::string& n = records_[t.index].name;
      return n.substr(n.rfind('.') == std::string::npos ? 0 : n.rfind('.') + 1);
    }
    case TypeKind::kList:
      return "List<" + Name(t.elem) + ">";
    case TypeKind::kSet:
      return "Set<" + Name(t.elem) + ">";
    case TypeKind::kOptional:
      return Name(t.elem) + "?";
    case TypeKind::kNone:
      return "none";
    case TypeKind::kEmpty:
      return "empty collection";
  }
  return "?";
}

}  // namespace policy
