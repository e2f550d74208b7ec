// `policy sql --dialect postgres [-d NAME,...] PATHS`: the decisions as SQL functions over a table
// of cases (runtime/sql, docs/sql.md). The script goes to standard output or --output; what
// cannot be compiled is reported with E0919 and the rest is still written.
// Exit 0 when every decision asked for compiled, 1 when some were refused, 2 on bad input.
#include <fmt/format.h>

#include <fstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "runtime/batch/record_reader.h"
#include "runtime/sql/sql.h"

namespace policy::cli {

namespace {

// The header of a CSV file: the table's columns as field paths.
auto ReadHeader(const std::string& path, std::vector<std::string>* out) -> bool {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return false;
  }
  batch::ByteSource source(file);
  uint64_t line = 0;
  batch::CsvRecord record;
  if (!batch::ReadCsvRecord(source, 1 << 20, &line, &record) || !record.error.empty() || record.too_long) {
    return false;
  }
  *out = std::move(record.fields);
  return true;
}

}  // namespace

auto AddSqlCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> decisions;
    std::string dialect = "postgres";
    std::string schema = "policy";
    std::string table = "cases";
    std::string columns;
    std::string output;
    bool create_table = false;
    FormatOption format;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(app, "sql", "Compile decisions to SQL functions over a table of cases");
  AddPathsOption(sub, options->paths);
  sub->add_option("--dialect", options->dialect, "postgres (default)")->check(CLI::IsMember({"postgres"}));
  sub->add_option("--decision,-d", options->decisions,
                  "Qualified decision names, comma-separated (default: every decision on one case record)")
      ->delimiter(',');
  sub->add_option("--schema", options->schema, "Schema the functions are created in (default: policy)");
  sub->add_option("--table", options->table, "Table of cases whose rows the functions take (default: cases)")
      ->check([](const std::string& t) {
        return t.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
                       std::string::npos
                   ? std::string()
                   : std::string("a table name is letters, digits, `_` and `.`");
      });
  sub->add_option("--columns", options->columns,
                  "A CSV file whose header names the table's columns (field paths, as `policy batch` reads "
                  "them); default: every scalar field its own column, lists and sets as jsonb");
  sub->add_flag("--create-table", options->create_table, "Also write CREATE TABLE for the columns");
  sub->add_option("--output,-o", options->output, "Where the SQL goes (default: standard output)");
  options->format.AddTo(sub, "Diagnostics");
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    auto engine = LoadOrReport(io, options->paths, format);
    if (!engine) {
      return kExitInputError;
    }
    sql::SqlOptions sql_options;
    sql_options.decisions = options->decisions;
    sql_options.schema = options->schema;
    sql_options.table = options->table;
    sql_options.create_table = options->create_table;
    if (!options->columns.empty() && !ReadHeader(options->columns, &sql_options.columns)) {
      io.err << fmt::format("error[E0100]: cannot read a CSV header from `{}`\n", options->columns);
      return kExitInputError;
    }
    DiagnosticSink diags;
    const sql::SqlResult result = sql::CompileToSql(engine->program().ir(), sql_options, diags);
    PrintDiagnostics(io, diags, engine->sources(), format);
    if (result.layout_error) {
      return kExitInputError;
    }
    if (!options->output.empty()) {
      std::ofstream out(options->output, std::ios::binary | std::ios::trunc);
      if (!out || !(out << result.text)) {
        io.err << fmt::format("error[E0100]: cannot write `{}`\n", options->output);
        return kExitInputError;
      }
    } else {
      io.out << result.text;
    }
    if (format == DiagFormat::kHuman) {
      io.err << fmt::format("{} decision(s) compiled to SQL, {} refused\n", result.compiled.size(),
                            result.refused.size());
    }
    return result.refused.empty() ? kExitOk : kExitFindings;
  });
}

}  // namespace policy::cli
