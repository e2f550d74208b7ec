#include "compiler/base/format_value.h"

#include <fmt/format.h>

#include <string>

namespace policy {

auto FormatValue(const TypeTable& types, TypeId type, const Value& value) -> std::string {
  if (value.is_none()) {
    return "none";
  }
  const TypeId t = types.Unwrap(type);
  switch (types.kind(t)) {
    case Kind::kBool:
      return value.as_bool() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(value.as_int());
    case Kind::kDecimal:
      return value.as_decimal().ToString();
    case Kind::kText:
      return fmt::format("\"{}\"", value.as_text());
    case Kind::kDate:
      return value.as_date().ToString();
    case Kind::kDuration:
      return value.as_duration().ToText();
    case Kind::kEnum: {
      const auto& vs = types.enum_info(t).variants;
      return value.as_enum() < vs.size() ? vs[value.as_enum()] : "?";
    }
    case Kind::kRecord: {
      const RecordInfo& rec = types.record_info(t);
      std::string out = types.Name(t) + " { ";
      const auto items = value.items();
      for (size_t i = 0; i < rec.fields.size() && i < items.size(); ++i) {
        out += fmt::format("{}{}: {}", i == 0 ? "" : ", ", rec.fields[i].name,
                           FormatValue(types, rec.fields[i].type, items[i]));
      }
      return out + " }";
    }
    case Kind::kList:
    case Kind::kSet: {
      const bool is_set = types.kind(t) == Kind::kSet;
      std::string out = is_set ? "{" : "[";
      bool first = true;
      for (const Value& v : value.items()) {
        out += (first ? "" : ", ") + FormatValue(types, types.Get(t).elem, v);
        first = false;
      }
      return out + (is_set ? "}" : "]");
    }
    default:
      return "?";
  }
}

}  // namespace policy
