// IR expressions as SQL expressions (PostgreSQL). Private to runtime/sql.
//
// A value of the language becomes, by its type:
//   Bool boolean, Int bigint, Decimal numeric, Text text, Date date, an enum value the text of its
//   JSON name, a Duration a bigint (count * 4 + unit: 0 days, 1 weeks, 2 months, 3 years, so the
//   unit it was written in is kept, as the language keeps it); a list or set of those an array
//   (a set sorted and without duplicates); a list or set of anything else a jsonb array; `none`
//   SQL NULL. A record is not one SQL value: it is kept apart, one SQL expression per field (and
//   for an optional record, one boolean saying whether it is there), so a field read is just
//   the field's expression, and a record read from the case costs nothing until a field is used.
//
// Errors (a conflict, an overflow, a needed decision that does not apply) are raised with
// `<schema>.fail(code, message)`; the generated ":outcome" function turns them into values.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace policy::sql {

// A construct SQL cannot express: thrown by the translator, reported as E0919 at `span`.
struct Refusal {
  Span span;
  std::string construct;
};

struct SqlVal {
  bool is_record = false;
  std::string sql;             // !is_record: the expression
  std::vector<SqlVal> fields;  // is_record: one per field, in declaration order
  std::string some;            // is_record of an optional type: when it is there ("" = always)
  bool is_case = false;        // the case record itself (decisions can be called on it)
};

// Names of the generated functions, shared by the translator and the script writer.
struct Naming {
  std::string schema;  // quoted
  std::string table;   // the row type
  auto Fn(const std::string& name) const -> std::string { return schema + "." + name; }
  auto Strict(uint32_t d) const -> std::string { return Fn("\"_d" + std::to_string(d) + "\""); }
};

auto Quote(const std::string& identifier) -> std::string;  // "identifier"
auto Literal(const std::string& text) -> std::string;      // 'text'

class Translator {
 public:
  Translator(const ir::Program& program, const Naming& naming)
      : program_(program), types_(program.types), naming_(naming) {}

  struct Frame {
    std::map<uint32_t, SqlVal> slots;
    std::string as_of = "as_of";
    std::string case_row = "c";
  };

  auto Expr(const ir::Node& n, Frame& f) -> SqlVal;
  // A scalar's SQL (refuses a record).
  auto Scalar(const ir::Node& n, Frame& f) -> std::string;

  // The SQL type of values of `type` (a record: refused at `span`).
  auto SqlType(TypeId type, Span span) const -> std::string;
  auto IsArrayElement(TypeId elem) const -> bool;  // lists/sets of it are arrays (else jsonb)
  // A value read from jsonb `json` (an element of a case list, a JSON column).
  auto FromJson(const std::string& json, TypeId type, Span span) -> SqlVal;
  // The JSON of a value, as the engine writes it (sets in the catalogue's order).
  auto ToJson(const SqlVal& v, TypeId type, Span span) -> std::string;
  // Structural equality (the language's `==`).
  auto Equal(const SqlVal& a, const SqlVal& b, TypeId type, Span span) -> std::string;
  // A constant of the program as SQL.
  auto Constant(TypeId type, const Value& v, Span span) -> SqlVal;
  // An array of `elem` in the order of the language's sets (by value; enums by declaration).
  auto SortedSet(const std::string& array, TypeId elem) -> std::string;
  // A typed NULL of `type` (for a record: every field NULL, `some` false).
  auto Null(TypeId type, Span span) const -> SqlVal;
  // fail(code, message) as a value of `type`.
  auto Fail(const std::string& code, const std::string& message_sql, TypeId type, Span span) const
      -> std::string;

  // Decisions this translation called (so the script defines them first).
  auto called() const -> const std::vector<uint32_t>& { return called_; }

 private:
  auto Arith(const ir::Node& n, Frame& f) -> SqlVal;
  auto Compare(const ir::Node& n, Frame& f) -> SqlVal;
  auto In(const ir::Node& n, Frame& f) -> SqlVal;
  auto Builtin(const ir::Node& n, Frame& f) -> SqlVal;
  auto Aggregate(const ir::Node& n, Frame& f) -> SqlVal;
  auto Collection(const ir::Node& n, Frame& f) -> SqlVal;
  auto MatchEnum(const ir::Node& n, Frame& f) -> SqlVal;
  auto Ite(const std::string& cond, const SqlVal& a, const SqlVal& b) const -> SqlVal;
  auto Order(TypeId type, const std::string& sql) const -> std::string;  // ORDER BY key
  auto FreshAlias() -> std::string { return "t" + std::to_string(++aliases_); }
  [[noreturn]] void Refuse(Span span, std::string construct) const;

  const ir::Program& program_;
  const TypeTable& types_;
  const Naming& naming_;
  std::vector<uint32_t> called_;
  int aliases_ = 0;
  int depth_ = 0;
};

}  // namespace policy::sql
