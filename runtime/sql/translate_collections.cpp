// Collections as SQL: list and set literals, aggregates (`all`, `any`, `count`, `sum`, `min`,
// `max`, `filter`, `map`) as subqueries over the array or the jsonb array with its order, and the
// builtins (calendar, working days, text, sets).
#include <fmt/format.h>

#include "core/builtins.h"
#include "runtime/sql/translate.h"

namespace policy::sql {

auto Translator::Collection(const ir::Node& n, Frame& f) -> SqlVal {
  const TypeId t = types_.Unwrap(n.type);
  if (types_.kind(t) != Kind::kList && types_.kind(t) != Kind::kSet) {
    Refuse(n.span, "an empty collection whose type the program does not fix");
  }
  const TypeId elem = types_.Get(t).elem;
  std::string items;
  for (const auto& kid : n.kids) {
    const SqlVal v = Expr(*kid, f);
    items += (items.empty() ? "" : ", ") + (IsArrayElement(elem) ? v.sql : ToJson(v, elem, n.span));
  }
  SqlVal out;
  if (!IsArrayElement(elem)) {
    if (types_.kind(t) == Kind::kSet) {
      Refuse(n.span, fmt::format("a set of `{}` values", types_.Name(elem)));
    }
    out.sql = fmt::format("jsonb_build_array({})", items);
    return out;
  }
  out.sql = fmt::format("CAST(ARRAY[{}] AS {})", items, SqlType(t, n.span));
  if (types_.kind(t) == Kind::kSet) {
    out.sql = SortedSet(out.sql, elem);
  }
  return out;
}

auto Translator::Aggregate(const ir::Node& n, Frame& f) -> SqlVal {
  const TypeId coll = types_.Unwrap(n.kids[0]->type);
  if (types_.kind(coll) != Kind::kList && types_.kind(coll) != Kind::kSet) {
    Refuse(n.span, "an aggregate over a value that is not a list or set");
  }
  const TypeId elem = types_.Get(coll).elem;
  const std::string c = Scalar(*n.kids[0], f);
  const std::string a = FreshAlias();
  std::string source;
  if (IsArrayElement(elem)) {
    source = fmt::format("unnest({}) WITH ORDINALITY AS {}(v, i)", c, a);
    f.slots[n.a] = SqlVal{false, a + ".v", {}, "", false};
  } else {
    source = fmt::format("jsonb_array_elements({}) WITH ORDINALITY AS {}(v, i)", c, a);
    f.slots[n.a] = FromJson(a + ".v", elem, n.span);
  }
  const SqlVal body = Expr(*n.kids[1], f);
  const auto scalar = [](std::string sql) { return SqlVal{false, std::move(sql), {}, "", false}; };
  const TypeId result = types_.Unwrap(n.type);
  using ir::AggOp;
  switch (n.agg) {
    case AggOp::kAll:
      return scalar(fmt::format("(SELECT COALESCE(bool_and({}), TRUE) FROM {})", body.sql, source));
    case AggOp::kAny:
      return scalar(fmt::format("(SELECT COALESCE(bool_or({}), FALSE) FROM {})", body.sql, source));
    case AggOp::kCount:
      return scalar(fmt::format("(SELECT count(*) FILTER (WHERE {}) FROM {})", body.sql, source));
    case AggOp::kSum:
      if (result == TypeTable::kIntId) {
        return scalar(fmt::format("(SELECT CAST(COALESCE(sum({}), 0) AS bigint) FROM {})", body.sql, source));
      }
      if (result == TypeTable::kDecimalId) {
        return scalar(
            fmt::format("{}((SELECT COALESCE(sum({}), 0) FROM {}))", naming_.Fn("dec"), body.sql, source));
      }
      Refuse(n.span, fmt::format("a sum of `{}` values", types_.Name(result)));
    case AggOp::kMin:
    case AggOp::kMax: {
      const char* fn = n.agg == AggOp::kMin ? "min" : "max";
      switch (types_.kind(result)) {
        case Kind::kInt:
        case Kind::kDecimal:
        case Kind::kDate:
          return scalar(fmt::format("(SELECT {}({}) FROM {})", fn, body.sql, source));
        case Kind::kText:
          return scalar(fmt::format("(SELECT {}({} COLLATE \"C\") FROM {})", fn, body.sql, source));
        default:
          Refuse(n.span, fmt::format("{} of `{}` values", fn, types_.Name(result)));
      }
    }
    case AggOp::kFilter:
      if (IsArrayElement(elem)) {
        return scalar(
            fmt::format("ARRAY(SELECT {0}.v FROM {1} WHERE {2} ORDER BY {0}.i)", a, source, body.sql));
      }
      return scalar(fmt::format(
          "(SELECT COALESCE(jsonb_agg({0}.v ORDER BY {0}.i) FILTER (WHERE {2}), '[]'::jsonb) FROM {1})", a,
          source, body.sql));
    case AggOp::kMap: {
      const TypeId out_elem = types_.Get(result).elem;
      if (IsArrayElement(out_elem)) {
        std::string array = fmt::format("ARRAY(SELECT {} FROM {} ORDER BY {}.i)", body.sql, source, a);
        if (types_.kind(result) == Kind::kSet) {
          array = SortedSet(array, out_elem);
        }
        return scalar(array);
      }
      if (types_.kind(result) == Kind::kSet) {
        Refuse(n.span, fmt::format("a set of `{}` values", types_.Name(out_elem)));
      }
      return scalar(fmt::format("(SELECT COALESCE(jsonb_agg({} ORDER BY {}.i), '[]'::jsonb) FROM {})",
                                ToJson(body, out_elem, n.span), a, source));
    }
  }
  Refuse(n.span, "an aggregate the SQL compiler does not know");
}

auto Translator::Builtin(const ir::Node& n, Frame& f) -> SqlVal {
  const auto b = static_cast<policy::Builtin>(n.a);
  std::vector<std::string> args;
  for (const auto& kid : n.kids) {
    args.push_back(Scalar(*kid, f));
  }
  const auto scalar = [](std::string sql) { return SqlVal{false, std::move(sql), {}, "", false}; };
  const TypeId t0 = n.kids.empty() ? TypeTable::kErrorId : types_.Unwrap(n.kids[0]->type);
  switch (b) {
    case policy::Builtin::kMin:
    case policy::Builtin::kMax: {
      const bool is_min = b == policy::Builtin::kMin;
      switch (types_.kind(t0)) {
        case Kind::kInt:
        case Kind::kDecimal:
        case Kind::kDate:
          return scalar(fmt::format("{}({}, {})", is_min ? "LEAST" : "GREATEST", args[0], args[1]));
        case Kind::kText:
          return scalar(fmt::format("(CASE WHEN {0} COLLATE \"C\" {2} {1} THEN {0} ELSE {1} END)", args[0],
                                    args[1], is_min ? "<=" : ">="));
        case Kind::kDuration:
          return scalar(fmt::format("(CASE WHEN {2}({0}, {1}) {3} 0 THEN {0} ELSE {1} END)", args[0], args[1],
                                    naming_.Fn("dur_cmp"), is_min ? "<=" : ">="));
        default:
          break;
      }
      break;
    }
    case policy::Builtin::kAbs:
      return scalar(fmt::format("abs({})", args[0]));
    case policy::Builtin::kLength:
      if (types_.kind(t0) == Kind::kText) {
        return scalar(fmt::format("CAST(char_length({}) AS bigint)", args[0]));
      }
      if (IsArrayElement(types_.Get(t0).elem)) {
        return scalar(fmt::format("CAST(cardinality({}) AS bigint)", args[0]));
      }
      return scalar(fmt::format("CAST(jsonb_array_length({}) AS bigint)", args[0]));
    case policy::Builtin::kYear:
      return scalar(fmt::format("CAST(extract(year FROM {}) AS bigint)", args[0]));
    case policy::Builtin::kMonth:
      return scalar(fmt::format("CAST(extract(month FROM {}) AS bigint)", args[0]));
    case policy::Builtin::kDay:
      return scalar(fmt::format("CAST(extract(day FROM {}) AS bigint)", args[0]));
    case policy::Builtin::kWeekday:
      return scalar(fmt::format("CAST(extract(dow FROM {}) AS bigint)", args[0]));
    case policy::Builtin::kDaysBetween:
      return scalar(fmt::format("CAST({} - {} AS bigint)", args[1], args[0]));
    case policy::Builtin::kToDecimal:
      return scalar(fmt::format("{}(CAST({} AS numeric))", naming_.Fn("dec"), args[0]));
    case policy::Builtin::kAddWorkingDays:
      return scalar(fmt::format("{}({}, {}, {}, {})", naming_.Fn("add_working_days"), args[0], args[1],
                                args[2], args[3]));
    case policy::Builtin::kWorkingDaysBetween:
      return scalar(fmt::format("{}({}, {}, {}, {})", naming_.Fn("working_days_between"), args[0], args[1],
                                args[2], args[3]));
    case policy::Builtin::kAddMonthsOverflow:
      return scalar(fmt::format("{}({}, {})", naming_.Fn("add_months_overflow"), args[0], args[1]));
    case policy::Builtin::kDatesEvery:
      return scalar(fmt::format("{}({}, {}, {})", naming_.Fn("dates_every"), args[0], args[1], args[2]));
    case policy::Builtin::kDistinct: {
      const TypeId elem = types_.Get(t0).elem;
      if (IsArrayElement(elem)) {
        return scalar(SortedSet(args[0], elem));
      }
      break;
    }
    case policy::Builtin::kToList:
      return scalar(args[0]);
    case policy::Builtin::kFlatten: {
      // A list of lists is a jsonb array of arrays: its items in order, inner order kept.
      const TypeId item = types_.Get(types_.Unwrap(n.type)).elem;
      const std::string a = FreshAlias();
      const std::string source = fmt::format(
          "jsonb_array_elements({0}) WITH ORDINALITY AS {1}o(l, i), jsonb_array_elements({1}o.l) WITH "
          "ORDINALITY AS "
          "{1}(e, j)",
          args[0], a);
      if (IsArrayElement(item)) {
        return scalar(fmt::format("ARRAY(SELECT {0} FROM {1} ORDER BY {2}o.i, {2}.j)",
                                  FromJson(a + ".e", item, n.span).sql, source, a));
      }
      return scalar(fmt::format(
          "(SELECT COALESCE(jsonb_agg({1}.e ORDER BY {1}o.i, {1}.j), '[]'::jsonb) FROM {0})", source, a));
    }
  }
  Refuse(n.span, fmt::format("the builtin `{}` on these arguments", GetBuiltin(b).name));
}

}  // namespace policy::sql
