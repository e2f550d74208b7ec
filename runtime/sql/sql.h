// Decisions compiled to SQL (`policy sql`): the same decisions, with the same semantics, as
// functions a database evaluates over a table of cases where the cases already live. One
// compiler: this reads the typed IR the interpreter and the JIT run (compiler/ir), never the
// source. docs/sql.md explains the table layout, the generated functions and what compiles.
//
// What the SQL gives is values: a decision's value, whether it applies, or the evaluation error
// (a conflict, a needed decision that does not apply, an overflow). Explanations stay with the
// interpreter. A construct that SQL cannot express exactly is refused at compile time with E0919
// naming it; so is every decision that needs a refused one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/base/types.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace policy::sql {

enum class Dialect : uint8_t { kPostgres };

struct SqlOptions {
  Dialect dialect = Dialect::kPostgres;
  // The decisions to compile (qualified names); empty: every decision on one record parameter.
  // The decisions and parameters they call are compiled with them.
  std::vector<std::string> decisions;
  std::string schema = "policy";  // where the functions go
  std::string table = "cases";    // the table of cases (its row type is every function's argument)
  // The table's columns as a CSV header of field paths (runtime/batch/csv_cases.h): a record's
  // fields as one column each, or the record as one JSON column. Empty: CanonicalColumns.
  std::vector<std::string> columns;
  bool create_table = false;  // also emit CREATE TABLE for the layout
};

struct SqlResult {
  std::string text;                   // the SQL script; empty when nothing compiled
  std::vector<std::string> compiled;  // decisions given public functions
  std::vector<std::string> refused;   // decisions refused (each with a diagnostic)
  bool layout_error = false;          // the columns do not fit the record (diagnostic reported)
};

// The decisions as SQL; every refusal reported to `diags` with the construct's location.
auto CompileToSql(const ir::Program& program, const SqlOptions& options, DiagnosticSink& diags) -> SqlResult;

// The default layout of a record's table: every scalar field its own column named by its dotted
// path, records (optional ones too) spread into their fields, lists and sets one JSON column.
auto CanonicalColumns(const TypeTable& types, TypeId record) -> std::vector<std::string>;

}  // namespace policy::sql
