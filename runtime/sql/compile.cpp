// The script `policy sql` writes: the helpers, then for each decision (callees first) one function
// per rule condition, rule value and the decision's strict value, then the public functions of
// the decisions asked for. docs/sql.md describes each.
//
// A decision's semantics are the interpreter's (runtime/vm/decisions.cpp): not in effect ->
// not applicable; rules in order, a rule overridden by an applicable exception skipped; two
// applicable rules with different values a conflict (E0910); no rule -> the default, or not
// applicable. Inside another decision, "not applicable" is the error E0911 (E0915 for a
// parameter), as in the interpreter.
#include "runtime/sql/sql.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

#include "runtime/batch/csv_cases.h"
#include "runtime/sql/prelude.h"
#include "runtime/sql/translate.h"

namespace policy::sql {

namespace {

auto ReplaceAll(std::string text, const std::string& from, const std::string& to) -> std::string {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

auto IsScalarKind(Kind k) -> bool {
  return k == Kind::kBool || k == Kind::kInt || k == Kind::kDecimal || k == Kind::kText || k == Kind::kDate ||
         k == Kind::kDuration || k == Kind::kEnum;
}

void CollectColumns(const TypeTable& types, TypeId type, const std::string& prefix,
                    std::vector<std::string>* out) {
  const TypeId t = types.Unwrap(type);
  if (types.kind(t) == Kind::kRecord) {
    for (const FieldInfo& field : types.record_info(t).fields) {
      CollectColumns(types, field.type, prefix.empty() ? field.name : prefix + "." + field.name, out);
    }
    return;
  }
  out->push_back(prefix);
}

// One decision's SQL, or the refusal that stopped it.
struct DecisionSql {
  std::string text;
  std::vector<uint32_t> callees;
};

class ScriptWriter {
 public:
  ScriptWriter(const ir::Program& program, const Naming& naming)
      : program_(program), types_(program.types), naming_(naming) {}

  // The case record as the table's columns lay it out.
  auto CaseRecord(TypeId record, const std::set<std::string>& columns) -> SqlVal {
    Translator tr(program_, naming_);
    SqlVal root = Build(tr, record, "", columns, nullptr);
    root.is_case = true;
    return root;
  }

  auto Decision(uint32_t d, const SqlVal& root) -> DecisionSql;
  auto Public(uint32_t d) -> std::string;

 private:
  auto Build(Translator& tr, TypeId type, const std::string& path, const std::set<std::string>& columns,
             std::vector<std::string>* leaves) -> SqlVal;
  auto Signature() const -> std::string { return fmt::format("(c {}, as_of date)", naming_.table); }
  auto Function(const std::string& name, const std::string& returns, const std::string& body,
                const std::string& comment) const -> std::string {
    return fmt::format(
        "{}CREATE OR REPLACE FUNCTION {}{} RETURNS {}\nLANGUAGE sql VOLATILE PARALLEL SAFE AS $f$\n  SELECT "
        "{}\n$f$;\n\n",
        comment.empty() ? "" : "-- " + comment + "\n", name, Signature(), returns, body);
  }
  auto InEffect(const ir::Decision& d) const -> std::string;
  auto Internal(uint32_t d, const std::string& what) const -> std::string {
    return naming_.Fn(Quote(fmt::format("_d{}_{}", d, what)));
  }
  auto Call(const std::string& fn) const -> std::string { return fn + "(c, as_of)"; }

  const ir::Program& program_;
  const TypeTable& types_;
  const Naming& naming_;
};

auto ScriptWriter::Build(Translator& tr, TypeId type, const std::string& path,
                         const std::set<std::string>& columns, std::vector<std::string>* leaves) -> SqlVal {
  const TypeId t = types_.Unwrap(type);
  const Kind k = types_.kind(t);
  if (!path.empty() && columns.count(path) != 0) {
    const std::string column = "c." + Quote(path);
    if (leaves != nullptr) {
      leaves->push_back(column);
    }
    if (IsScalarKind(k)) {
      SqlVal v;
      v.sql = k == Kind::kDuration ? fmt::format("{}({})", naming_.Fn("dur_parse"), column) : column;
      return v;
    }
    return tr.FromJson(fmt::format("CAST({} AS jsonb)", column), type, Span{});
  }
  if (k == Kind::kRecord) {
    SqlVal r;
    r.is_record = true;
    std::vector<std::string> mine;
    for (const FieldInfo& field : types_.record_info(t).fields) {
      r.fields.push_back(
          Build(tr, field.type, path.empty() ? field.name : path + "." + field.name, columns, &mine));
    }
    if (types_.IsOptional(type)) {
      std::string any;
      for (const std::string& leaf : mine) {
        any += (any.empty() ? "" : " OR ") + leaf + " IS NOT NULL";
      }
      r.some = any.empty() ? "FALSE" : "(" + any + ")";
    }
    if (leaves != nullptr) {
      leaves->insert(leaves->end(), mine.begin(), mine.end());
    }
    return r;
  }
  // A field without a column: absent, which the layout check allows only for optional fields.
  return tr.Null(type, Span{});
}

// `as_of` within the period (both ends included); "" when it is unbounded.
auto PeriodCondition(const Period& p) -> std::string {
  std::string cond;
  if (p.from) {
    cond = fmt::format("as_of >= DATE '{}'", p.from->ToString());
  }
  if (p.until) {
    cond += fmt::format("{}as_of <= DATE '{}'", cond.empty() ? "" : " AND ", p.until->ToString());
  }
  return cond;
}

auto ScriptWriter::InEffect(const ir::Decision& d) const -> std::string {
  std::string any;
  for (const Period& p : d.InEffectPeriods()) {
    const std::string cond = PeriodCondition(p);
    if (cond.empty()) {
      return "TRUE";
    }
    any += (any.empty() ? "" : " OR ") + ("(" + cond + ")");
  }
  return any.empty() ? "FALSE" : "(" + any + ")";
}

auto ScriptWriter::Decision(uint32_t index, const SqlVal& root) -> DecisionSql {
  const ir::Decision& d = program_.decisions[index];
  Translator tr(program_, naming_);
  DecisionSql out;
  const std::string result = tr.SqlType(d.result, d.span);
  const auto frame = [&]() {
    Translator::Frame f;
    if (!d.params.empty()) {
      f.slots[0] = root;
    }
    return f;
  };
  // Which exceptions defeat each rule.
  std::vector<std::vector<uint32_t>> overriders(d.rules.size());
  for (uint32_t j = 0; j < d.rules.size(); ++j) {
    for (const uint32_t o : d.rules[j].overrides) {
      overriders[o].push_back(j);
    }
  }
  for (uint32_t i = 0; i < d.rules.size(); ++i) {
    const ir::Rule& rule = d.rules[i];
    const std::string comment =
        fmt::format("{} `{}` of `{}`{}", rule.is_exception ? "exception" : "rule", rule.name, d.name,
                    rule.source.empty() ? "" : " (" + rule.source + ")");
    std::string holds = "CASE";
    if (rule.effective.IsBounded()) {
      holds += fmt::format(" WHEN NOT ({}) THEN FALSE", PeriodCondition(rule.effective));
    }
    for (const ir::Conjunct& conjunct : rule.when) {
      Translator::Frame f = frame();
      holds += fmt::format("\n         WHEN NOT {} THEN FALSE", tr.Scalar(*conjunct.cond, f));
    }
    holds = holds == "CASE" ? "TRUE" : holds + " ELSE TRUE END";
    out.text +=
        Function(Internal(index, fmt::format("r{}_holds", i)), "boolean", holds, comment + ": it holds");
    std::string applies = Call(Internal(index, fmt::format("r{}_holds", i)));
    if (!overriders[i].empty()) {
      std::string defeated;
      for (const uint32_t j : overriders[i]) {
        defeated += fmt::format("{}WHEN {} THEN FALSE", defeated.empty() ? "" : " ",
                                Call(Internal(index, fmt::format("r{}_applies", j))));
      }
      applies = fmt::format("CASE {} ELSE {} END", defeated, applies);
    }
    out.text += Function(Internal(index, fmt::format("r{}_applies", i)), "boolean", applies,
                         comment + ": it applies (holds and no exception to it applies)");
    Translator::Frame f = frame();
    const SqlVal value = tr.Expr(*rule.then, f);
    if (value.is_record) {
      throw Refusal{rule.then->span, "a decision whose value is a record"};
    }
    out.text +=
        Function(Internal(index, fmt::format("r{}_value", i)), result, value.sql, comment + ": its value");
  }
  // The strict value: what a caller gets, an error where the decision does not apply.
  const std::string date_text = "CAST(as_of AS text)";
  std::string strict = fmt::format(
      "CASE WHEN NOT {} THEN {}", InEffect(d),
      tr.Fail(d.is_parameter ? "E0915" : "E0911",
              d.is_parameter
                  ? fmt::format("{} || {}", Literal(fmt::format("parameter `{}` has no value on ", d.name)),
                                date_text)
                  : fmt::format(
                        "{} || {}",
                        Literal(fmt::format("decision `{}` was needed, but it is not in effect on ", d.name)),
                        date_text),
              d.result, d.span));
  for (uint32_t i = 0; i < d.rules.size(); ++i) {
    std::string checks;
    for (uint32_t j = i + 1; j < d.rules.size(); ++j) {
      const SqlVal vi{false, Call(Internal(index, fmt::format("r{}_value", i))), {}, "", false};
      const SqlVal vj{false, Call(Internal(index, fmt::format("r{}_value", j))), {}, "", false};
      checks += fmt::format(
          "\n              WHEN CASE WHEN {} THEN NOT {} ELSE FALSE END THEN {}",
          Call(Internal(index, fmt::format("r{}_applies", j))), tr.Equal(vi, vj, d.result, d.span),
          tr.Fail("E0910",
                  Literal(fmt::format("conflicting rules for `{}`: `{}` and `{}` give different values",
                                      d.name, d.rules[i].name, d.rules[j].name)),
                  d.result, d.span));
    }
    strict += fmt::format("\n       WHEN {} THEN CASE{} ELSE {} END",
                          Call(Internal(index, fmt::format("r{}_applies", i))),
                          checks.empty() ? " WHEN FALSE THEN NULL" : checks,
                          Call(Internal(index, fmt::format("r{}_value", i))));
  }
  if (d.default_value) {
    Translator::Frame f = frame();
    const SqlVal def = tr.Expr(*d.default_value, f);
    if (def.is_record) {
      throw Refusal{d.default_value->span, "a decision whose value is a record"};
    }
    strict += fmt::format("\n       ELSE {} END", def.sql);
  } else {
    strict += fmt::format(
        "\n       ELSE {} END",
        tr.Fail("E0911",
                Literal(fmt::format(
                    "decision `{}` was needed, but none of its rules applied and it has no default", d.name)),
                d.result, d.span));
  }
  out.text += Function(naming_.Strict(index), result, strict,
                       fmt::format("{} `{}`: its value, an error where it does not apply",
                                   d.is_parameter ? "parameter" : "decision", d.name));
  out.callees = tr.called();
  return out;
}

auto ScriptWriter::Public(uint32_t index) -> std::string {
  const ir::Decision& d = program_.decisions[index];
  Translator tr(program_, naming_);
  std::string applies = "CASE WHEN NOT " + InEffect(d) + " THEN FALSE";
  if (d.default_value) {
    applies += " ELSE TRUE END";
  } else {
    for (uint32_t i = 0; i < d.rules.size(); ++i) {
      applies += fmt::format(" WHEN {} THEN TRUE", Call(Internal(index, fmt::format("r{}_applies", i))));
    }
    applies += " ELSE FALSE END";
  }
  const std::string name = naming_.Fn(Quote(d.name));
  const std::string applicable = naming_.Fn(Quote(d.name + ":applicable"));
  const std::string result = tr.SqlType(d.result, d.span);
  std::string out;
  out += Function(applicable, "boolean", applies,
                  fmt::format("`{}`: whether it applies to the case on as_of", d.name));
  out += Function(
      name, result, fmt::format("CASE WHEN {} THEN {} END", Call(applicable), Call(naming_.Strict(index))),
      fmt::format("`{}`: its value (NULL where it does not apply); raises an evaluation error", d.name));
  const SqlVal value{false, Call(naming_.Strict(index)), {}, "", false};
  out += fmt::format(
      "-- `{0}`: the outcome as the engine's JSON: {{\"applicable\", \"value\"}}, or {{\"error\": "
      "{{\"code\", "
      "\"message\"}}}}\n"
      "CREATE OR REPLACE FUNCTION {1}{2} RETURNS jsonb\n"
      "LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $f$\n"
      "BEGIN\n"
      "  IF NOT {3} THEN\n"
      "    RETURN jsonb_build_object('applicable', FALSE, 'value', NULL);\n"
      "  END IF;\n"
      "  RETURN jsonb_build_object('applicable', TRUE, 'value', {4});\n"
      "EXCEPTION WHEN raise_exception OR data_exception THEN\n"
      "  RETURN jsonb_build_object('error', {5}(SQLSTATE, SQLERRM));\n"
      "END $f$;\n\n",
      d.name, naming_.Fn(Quote(d.name + ":outcome")), Signature(), Call(applicable),
      tr.ToJson(value, d.result, d.span), naming_.Fn("error_json"));
  return out;
}

auto IsCaseDecision(const TypeTable& types, const ir::Decision& d) -> bool {
  return !d.is_parameter && d.params.size() == 1 && types.kind(d.params[0]) == Kind::kRecord;
}

}  // namespace

auto CanonicalColumns(const TypeTable& types, TypeId record) -> std::vector<std::string> {
  std::vector<std::string> out;
  CollectColumns(types, record, "", &out);
  return out;
}

auto CompileToSql(const ir::Program& program, const SqlOptions& options, DiagnosticSink& diags) -> SqlResult {
  SqlResult result;
  const TypeTable& types = program.types;
  // The decisions asked for, which must all read the same record.
  std::vector<uint32_t> wanted;
  if (options.decisions.empty()) {
    for (uint32_t d = 0; d < program.decisions.size(); ++d) {
      if (IsCaseDecision(types, program.decisions[d])) {
        wanted.push_back(d);
      }
    }
  } else {
    for (const std::string& name : options.decisions) {
      const auto d = program.FindDecision(name);
      if (!d) {
        diags.Report(DiagCode::kUnknownDecision, Span{}, fmt::format("no decision is named `{}`", name));
        result.layout_error = true;
        return result;
      }
      if (!IsCaseDecision(types, program.decisions[*d])) {
        diags.Report(DiagCode::kSqlUnsupported, program.decisions[*d].span,
                     fmt::format("`{}` does not take one case record, so it has no table to run over", name));
        result.refused.push_back(name);
        continue;
      }
      wanted.push_back(*d);
    }
  }
  if (wanted.empty()) {
    return result;
  }
  const TypeId record = program.decisions[wanted[0]].params[0];
  for (const uint32_t d : wanted) {
    if (program.decisions[d].params[0] != record) {
      diags.Report(DiagCode::kSqlUnsupported, program.decisions[d].span,
                   fmt::format("`{}` reads a `{}`, but `{}` reads a `{}`: one table holds one kind of case",
                               program.decisions[d].name, types.Name(program.decisions[d].params[0]),
                               program.decisions[wanted[0]].name, types.Name(record)));
      result.layout_error = true;
      return result;
    }
  }
  const std::vector<std::string> columns =
      options.columns.empty() ? CanonicalColumns(types, record) : options.columns;
  std::string layout_error;
  if (!batch::CsvCaseLayout::Make(types, record, columns, &layout_error)) {
    diags.Report(DiagCode::kSqlUnsupported, Span{},
                 fmt::format("the table's columns do not fit `{}`: {}", types.Name(record), layout_error));
    result.layout_error = true;
    return result;
  }
  const Naming naming{Quote(options.schema), options.table};
  ScriptWriter writer(program, naming);
  const SqlVal root = writer.CaseRecord(record, std::set<std::string>(columns.begin(), columns.end()));

  // Each needed decision once, callees before callers; a refusal refuses every caller.
  std::map<uint32_t, std::optional<DecisionSql>> done;
  std::vector<uint32_t> order;
  std::function<bool(uint32_t)> emit = [&](uint32_t d) -> bool {
    if (auto it = done.find(d); it != done.end()) {
      return it->second.has_value();
    }
    done[d] = std::nullopt;
    const ir::Decision& decision = program.decisions[d];
    DecisionSql sql;
    try {
      sql = writer.Decision(d, root);
    } catch (const Refusal& r) {
      diags.Report(DiagCode::kSqlUnsupported, r.span.valid() ? r.span : decision.span,
                   fmt::format("`{}` cannot be compiled to SQL: {}", decision.name, r.construct));
      return false;
    }
    for (const uint32_t callee : sql.callees) {
      if (!emit(callee)) {
        diags.Report(DiagCode::kSqlUnsupported, decision.span,
                     fmt::format("`{}` cannot be compiled to SQL: it needs `{}`, which cannot", decision.name,
                                 program.decisions[callee].name));
        return false;
      }
    }
    done[d] = std::move(sql);
    order.push_back(d);
    return true;
  };
  std::string publics;
  for (const uint32_t d : wanted) {
    if (!emit(d)) {
      result.refused.push_back(program.decisions[d].name);
      continue;
    }
    try {
      publics += writer.Public(d);
      result.compiled.push_back(program.decisions[d].name);
    } catch (const Refusal& r) {
      diags.Report(DiagCode::kSqlUnsupported, r.span.valid() ? r.span : program.decisions[d].span,
                   fmt::format("`{}` cannot be compiled to SQL: {}", program.decisions[d].name, r.construct));
      result.refused.push_back(program.decisions[d].name);
    }
  }
  if (result.compiled.empty()) {
    return result;
  }
  std::string& out = result.text;
  out += fmt::format("-- Generated by `policy sql --dialect postgres`: {} decision(s) over the table {}.\n",
                     result.compiled.size(), options.table);
  out +=
      "-- For each decision D: D(c, as_of) its value, \"D:applicable\" and \"D:outcome\" (JSON, errors as "
      "values).\n";
  out += "-- docs/sql.md explains the layout and the semantics. Do not edit: regenerate.\n\n";
  if (options.create_table) {
    Translator tr(program, naming);
    std::string defs;
    for (const std::string& column : columns) {
      // The type of the field at this path.
      TypeId t = record;
      size_t start = 0;
      while (start <= column.size()) {
        const size_t dot = column.find('.', start);
        const std::string key =
            column.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const RecordInfo& info = types.record_info(types.Unwrap(t));
        t = info.fields[*info.FieldIndex(key)].type;
        if (dot == std::string::npos) {
          break;
        }
        start = dot + 1;
      }
      const Kind k = types.kind(types.Unwrap(t));
      const std::string sql_type = k == Kind::kDuration ? "text"
                                   : IsScalarKind(k)    ? tr.SqlType(t, Span{})
                                                        : "jsonb";
      defs += fmt::format("{}  {} {}", defs.empty() ? "" : ",\n", Quote(column), sql_type);
    }
    out += fmt::format("CREATE TABLE IF NOT EXISTS {} (\n{}\n);\n\n", options.table, defs);
  }
  out += ReplaceAll(kPostgresPrelude, "{S}", naming.schema);
  out += "\n";
  for (const uint32_t d : order) {
    out += done[d]->text;
  }
  out += publics;
  return result;
}

}  // namespace policy::sql
