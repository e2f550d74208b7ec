// SQL values of the language's types: the SQL type of each, constants, typed NULLs, sets in
// order, values read from and written as JSON, structural equality, and choices between values
// (translate.h explains the representation).
#include <fmt/format.h>

#include "runtime/sql/translate.h"

namespace policy::sql {

namespace {

auto Paren(const std::string& s) -> std::string {
  return "(" + s + ")";
}

auto DurationUnitIndex(uint32_t unit) -> int {
  return static_cast<int>(unit);
}

}  // namespace

auto Quote(const std::string& identifier) -> std::string {
  std::string out = "\"";
  for (const char ch : identifier) {
    out += ch;
    if (ch == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

auto Literal(const std::string& text) -> std::string {
  std::string out = "'";
  for (const char ch : text) {
    out += ch;
    if (ch == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

void Translator::Refuse(Span span, std::string construct) const {
  throw Refusal{span, std::move(construct)};
}

// ---- types and values ----------------------------------------------------------------------------

auto Translator::IsArrayElement(TypeId elem) const -> bool {
  switch (types_.kind(types_.Unwrap(elem))) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kDecimal:
    case Kind::kText:
    case Kind::kDate:
    case Kind::kDuration:
    case Kind::kEnum:
      return true;
    default:
      return false;
  }
}

auto Translator::SqlType(TypeId type, Span span) const -> std::string {
  const TypeId t = types_.Unwrap(type);
  switch (types_.kind(t)) {
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
    case Kind::kDuration:
      return "bigint";
    case Kind::kDecimal:
      return "numeric";
    case Kind::kText:
    case Kind::kEnum:
      return "text";
    case Kind::kDate:
      return "date";
    case Kind::kList:
    case Kind::kSet: {
      const TypeId elem = types_.Get(t).elem;
      return IsArrayElement(elem) ? SqlType(elem, span) + "[]" : "jsonb";
    }
    case Kind::kRecord:
      Refuse(span,
             fmt::format("a `{}` record where one SQL value is needed (a decision's value, a list's item)",
                         types_.Name(type)));
    default:
      Refuse(span, fmt::format("a value of type `{}` where one SQL value is needed", types_.Name(type)));
  }
}

auto Translator::Null(TypeId type, Span span) const -> SqlVal {
  const TypeId t = types_.Unwrap(type);
  SqlVal v;
  if (types_.kind(t) == Kind::kRecord) {
    v.is_record = true;
    v.some = "FALSE";
    for (const FieldInfo& field : types_.record_info(t).fields) {
      v.fields.push_back(Null(field.type, span));
    }
    return v;
  }
  v.sql = fmt::format("CAST(NULL AS {})", SqlType(t, span));
  return v;
}

auto Translator::Fail(const std::string& code, const std::string& message_sql, TypeId type, Span span) const
    -> std::string {
  return fmt::format("CAST({}({}, {}) AS {})", naming_.Fn("fail"), Literal(code), message_sql,
                     SqlType(type, span));
}

auto Translator::Order(TypeId type, const std::string& sql) const -> std::string {
  const TypeId t = types_.Unwrap(type);
  switch (types_.kind(t)) {
    case Kind::kEnum: {
      std::string names;
      for (const std::string& name : types_.enum_info(t).json_names) {
        names += (names.empty() ? "" : ", ") + Literal(name);
      }
      return fmt::format("array_position(ARRAY[{}], {})", names, sql);
    }
    case Kind::kText:
      return sql + " COLLATE \"C\"";
    case Kind::kDuration:
      return naming_.Fn("dur_key") + Paren(sql);
    default:
      return sql;
  }
}

auto Translator::SortedSet(const std::string& array, TypeId elem) -> std::string {
  const std::string a = FreshAlias();
  return fmt::format(
      "ARRAY(SELECT {0}.v FROM (SELECT DISTINCT u.v FROM unnest({1}) AS u(v)) AS {0} ORDER BY {2})", a, array,
      Order(elem, a + ".v"));
}

auto Translator::Constant(TypeId type, const Value& v, Span span) -> SqlVal {
  const TypeId t = types_.Unwrap(type);
  if (v.tag() == Kind::kNone) {
    return Null(type, span);
  }
  SqlVal out;
  switch (types_.kind(t)) {
    case Kind::kBool:
      out.sql = v.as_bool() ? "TRUE" : "FALSE";
      return out;
    case Kind::kInt:
      out.sql = fmt::format("CAST({} AS bigint)", v.as_int());
      return out;
    case Kind::kDecimal:
      out.sql = fmt::format("CAST('{}' AS numeric)", v.as_decimal().ToString());
      return out;
    case Kind::kText:
      out.sql = Literal(std::string(v.as_text()));
      return out;
    case Kind::kDate:
      out.sql = fmt::format("DATE '{}'", v.as_date().ToString());
      return out;
    case Kind::kDuration: {
      const Duration d = v.as_duration();
      out.sql =
          fmt::format("CAST({} AS bigint)", d.count * 4 + DurationUnitIndex(static_cast<uint32_t>(d.unit)));
      return out;
    }
    case Kind::kEnum:
      out.sql = Literal(types_.enum_info(t).json_names.at(v.as_enum()));
      return out;
    case Kind::kRecord: {
      out.is_record = true;
      const auto& fields = types_.record_info(t).fields;
      const auto items = v.items();
      for (size_t i = 0; i < fields.size() && i < items.size(); ++i) {
        out.fields.push_back(Constant(fields[i].type, items[i], span));
      }
      return out;
    }
    case Kind::kList:
    case Kind::kSet: {
      const TypeId elem = types_.Get(t).elem;
      std::string items;
      for (const Value& item : v.items()) {
        const SqlVal e = Constant(elem, item, span);
        items += (items.empty() ? "" : ", ") + (IsArrayElement(elem) ? e.sql : ToJson(e, elem, span));
      }
      // The engine keeps a set's items sorted by value, which is the order used here too.
      out.sql = IsArrayElement(elem) ? fmt::format("CAST(ARRAY[{}] AS {})", items, SqlType(t, span))
                                     : fmt::format("jsonb_build_array({})", items);
      return out;
    }
    default:
      Refuse(span, fmt::format("a constant of type `{}`", types_.Name(type)));
  }
}

// ---- JSON ----------------------------------------------------------------------------------------

auto Translator::FromJson(const std::string& json, TypeId type, Span span) -> SqlVal {
  const TypeId t = types_.Unwrap(type);
  const std::string text = fmt::format("({} #>> '{{}}')", json);
  SqlVal out;
  switch (types_.kind(t)) {
    case Kind::kBool:
      out.sql = fmt::format("CAST({} AS boolean)", text);
      return out;
    case Kind::kInt:
      out.sql = fmt::format("CAST({} AS bigint)", text);
      return out;
    case Kind::kDecimal:
      out.sql = fmt::format("CAST({} AS numeric)", text);
      return out;
    case Kind::kDate:
      out.sql = fmt::format("CAST({} AS date)", text);
      return out;
    case Kind::kText:
    case Kind::kEnum:
      out.sql = text;
      return out;
    case Kind::kDuration:
      out.sql = naming_.Fn("dur_parse") + Paren(text);
      return out;
    case Kind::kRecord: {
      out.is_record = true;
      if (types_.IsOptional(type)) {
        out.some = fmt::format("COALESCE(jsonb_typeof({}) = 'object', FALSE)", json);
      }
      for (const FieldInfo& field : types_.record_info(t).fields) {
        out.fields.push_back(
            FromJson(fmt::format("({} -> {})", json, Literal(field.name)), field.type, span));
      }
      return out;
    }
    case Kind::kList:
    case Kind::kSet: {
      const TypeId elem = types_.Get(t).elem;
      if (!IsArrayElement(elem)) {
        if (types_.kind(t) == Kind::kSet) {
          Refuse(span, fmt::format("a set of `{}` values", types_.Name(elem)));
        }
        out.sql = json;
        return out;
      }
      const std::string a = FreshAlias();
      const SqlVal item = FromJson(a + ".e", elem, span);
      std::string array = fmt::format(
          "ARRAY(SELECT {1} FROM jsonb_array_elements({0}) WITH ORDINALITY AS {2}(e, i) ORDER BY {2}.i)",
          json, item.sql, a);
      if (types_.kind(t) == Kind::kSet) {
        array = SortedSet(array, elem);
      }
      out.sql = types_.IsOptional(type)
                    ? fmt::format("CASE WHEN jsonb_typeof({}) = 'array' THEN {} END", json, array)
                    : array;
      return out;
    }
    default:
      Refuse(span, fmt::format("a case value of type `{}`", types_.Name(type)));
  }
}

auto Translator::ToJson(const SqlVal& v, TypeId type, Span span) -> std::string {
  const TypeId t = types_.Unwrap(type);
  const bool optional = types_.IsOptional(type);
  if (v.is_record && types_.kind(t) != Kind::kRecord) {
    Refuse(span, fmt::format("a record where a `{}` was expected", types_.Name(type)));
  }
  const auto orNull = [&](std::string json) {
    return optional ? fmt::format("COALESCE({}, 'null'::jsonb)", json) : json;
  };
  switch (types_.kind(t)) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kText:
    case Kind::kEnum:
    case Kind::kDate:
      return orNull(fmt::format("to_jsonb(CAST({} AS {}))", v.sql, SqlType(t, span)));
    case Kind::kDecimal:
      return orNull(fmt::format("to_jsonb(trim_scale({}))", v.sql));
    case Kind::kDuration:
      return orNull(fmt::format("to_jsonb({}({}))", naming_.Fn("dur_iso"), v.sql));
    case Kind::kRecord: {
      if (!v.is_record) {
        Refuse(span, "a record held as one SQL value");
      }
      std::string args;
      const auto& fields = types_.record_info(t).fields;
      for (size_t i = 0; i < fields.size(); ++i) {
        args += fmt::format("{}{}, {}", args.empty() ? "" : ", ", Literal(fields[i].name),
                            ToJson(v.fields[i], fields[i].type, span));
      }
      const std::string object = fmt::format("jsonb_build_object({})", args);
      return v.some.empty() ? object
                            : fmt::format("CASE WHEN {} THEN {} ELSE 'null'::jsonb END", v.some, object);
    }
    case Kind::kList:
    case Kind::kSet: {
      const TypeId elem = types_.Get(t).elem;
      if (!IsArrayElement(elem)) {
        return orNull(v.sql);
      }
      const std::string a = FreshAlias();
      const std::string item = ToJson(SqlVal{false, a + ".v", {}, "", false}, elem, span);
      // Lists keep their order; sets are written in the catalogue's order: by the code points of
      // their JSON text (of the string itself for strings).
      const TypeId e = types_.Unwrap(elem);
      const bool stringly = types_.kind(e) == Kind::kText || types_.kind(e) == Kind::kEnum ||
                            types_.kind(e) == Kind::kDate || types_.kind(e) == Kind::kDuration;
      const std::string order = types_.kind(t) == Kind::kList ? a + ".i"
                                : stringly ? fmt::format("({} #>> '{{}}') COLLATE \"C\"", item)
                                           : fmt::format("({})::text COLLATE \"C\"", item);
      if (!optional) {
        return fmt::format(
            "(SELECT COALESCE(jsonb_agg({1} ORDER BY {2}), '[]'::jsonb) FROM unnest({0}) WITH ORDINALITY AS "
            "{3}(v, i))",
            v.sql, item, order, a);
      }
      // `none` is null, not an empty list; the value is computed once.
      return fmt::format(
          "(SELECT CASE WHEN {3}n.x IS NULL THEN 'null'::jsonb ELSE (SELECT COALESCE(jsonb_agg({1} ORDER BY "
          "{2}), "
          "'[]'::jsonb) FROM unnest({3}n.x) WITH ORDINALITY AS {3}(v, i)) END FROM (SELECT {0} AS x) AS "
          "{3}n)",
          v.sql, item, order, a);
    }
    default:
      Refuse(span, fmt::format("a value of type `{}` written as JSON", types_.Name(type)));
  }
}

auto Translator::Equal(const SqlVal& a, const SqlVal& b, TypeId type, Span span) -> std::string {
  const TypeId t = types_.Unwrap(type);
  if (a.is_record || b.is_record) {
    if (!a.is_record || !b.is_record || a.fields.size() != b.fields.size()) {
      Refuse(span, "comparing records of different shapes");
    }
    const auto& fields = types_.record_info(t).fields;
    std::string all;
    for (size_t i = 0; i < fields.size(); ++i) {
      all += (all.empty() ? "" : " AND ") + Equal(a.fields[i], b.fields[i], fields[i].type, span);
    }
    if (all.empty()) {
      all = "TRUE";
    }
    if (a.some.empty() && b.some.empty()) {
      return Paren(all);
    }
    const std::string sa = a.some.empty() ? "TRUE" : a.some;
    const std::string sb = b.some.empty() ? "TRUE" : b.some;
    return fmt::format("(CASE WHEN {0} AND {1} THEN {2} ELSE ({0}) = ({1}) END)", sa, sb, all);
  }
  if (types_.kind(t) == Kind::kDuration) {
    return fmt::format(
        "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN ({0} IS NULL AND {1} IS NULL) ELSE {2}({0}, {1}) END)",
        a.sql, b.sql, naming_.Fn("dur_eq"));
  }
  if ((types_.kind(t) == Kind::kList || types_.kind(t) == Kind::kSet) &&
      types_.kind(types_.Unwrap(types_.Get(t).elem)) == Kind::kDuration) {
    Refuse(span, "equality of lists of durations");
  }
  return fmt::format("({} IS NOT DISTINCT FROM {})", a.sql, b.sql);
}

auto Translator::Ite(const std::string& cond, const SqlVal& a, const SqlVal& b) const -> SqlVal {
  SqlVal out;
  if (!a.is_record && !b.is_record) {
    out.sql = fmt::format("(CASE WHEN {} THEN {} ELSE {} END)", cond, a.sql, b.sql);
    return out;
  }
  if (!a.is_record || !b.is_record || a.fields.size() != b.fields.size()) {
    throw Refusal{Span{}, "a choice between records of different shapes"};
  }
  out.is_record = true;
  if (!a.some.empty() || !b.some.empty()) {
    out.some = fmt::format("(CASE WHEN {} THEN {} ELSE {} END)", cond, a.some.empty() ? "TRUE" : a.some,
                           b.some.empty() ? "TRUE" : b.some);
  }
  for (size_t i = 0; i < a.fields.size(); ++i) {
    out.fields.push_back(Ite(cond, a.fields[i], b.fields[i]));
  }
  return out;
}

}  // namespace policy::sql
