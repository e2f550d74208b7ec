#include "runtime/engine/engine.h"

#include "runtime/engine/coverage.h"
#include "runtime/engine/explain_notes.h"

#ifdef POLICY_HAVE_JIT
#include "runtime/jit/jit.h"
#endif

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace policy {

auto ToDiagnostic(const vm::EvalError& error) -> Diagnostic {
  Diagnostic d;
  d.code = error.code;
  d.severity = Severity::kError;
  d.message = error.message;
  d.primary = error.span;
  d.labels = error.labels;
  d.help = error.help;
  d.notes = error.notes;
  // A conflict has no single primary place: show its first rule as primary.
  if (!d.primary.valid() && !d.labels.empty()) {
    d.primary = d.labels.front().span;
    d.primary_text = d.labels.front().text;
    d.labels.erase(d.labels.begin());
  } else if (d.primary.valid() && !d.labels.empty() && d.labels.front().span.begin == d.primary.begin &&
             d.labels.front().span.file == d.primary.file) {
    d.primary_text = d.labels.front().text;
    d.labels.erase(d.labels.begin());
  }
  return d;
}

auto Engine::Load(const std::vector<std::string>& paths, const EngineOptions& options) -> LoadResult {
  LoadResult result;
  result.sources = std::make_shared<SourceManager>();
  const std::vector<std::string> files = CollectPolicyFiles(paths, result.diagnostics);
  std::shared_ptr<ir::Program> program = CompileFiles(files, options, *result.sources, result.diagnostics);
  return Finish(std::move(program), std::move(result), options);
}

auto Engine::LoadSources(const std::vector<std::pair<std::string, std::string>>& files,
                         const EngineOptions& options) -> LoadResult {
  LoadResult result;
  result.sources = std::make_shared<SourceManager>();
  std::shared_ptr<ir::Program> program = CompileSources(files, options, *result.sources, result.diagnostics);
  return Finish(std::move(program), std::move(result), options);
}

auto Engine::Finish(std::shared_ptr<ir::Program> program, LoadResult result, const EngineOptions& options)
    -> LoadResult {
  if (!program || result.diagnostics.has_errors()) {
    return result;
  }
  vm::EvalError error;
  auto compiled = vm::CompiledProgram::Compile(program, &error);
  if (!compiled) {
    result.diagnostics.Add(ToDiagnostic(error));
    return result;
  }
  std::shared_ptr<Engine> engine(new Engine());
  if (options.jit) {
    engine->native_report_ = CompileNativeCode(*compiled, options.jit_tier);
  }
  engine->sources_ = result.sources;
  engine->ir_ = std::move(program);
  engine->compiled_ = std::move(compiled);
  result.engine = std::move(engine);
  return result;
}

// Native code is attached before the engine is shared. Only its entry points may change later,
// atomically, when the optimised code of JitTier::kTiered replaces the quick code.
auto Engine::CompileNativeCode(vm::CompiledProgram& compiled, JitTier tier) -> NativeReport {
  NativeReport out;
  out.requested = true;
  out.tier = tier;
  [[maybe_unused]] const size_t n = compiled.ir().decisions.size();
#ifdef POLICY_HAVE_JIT
  out.available = true;
  jit::Report report;
  compiled.AttachNative(jit::CompileNative(compiled, tier, &report));
  for (const jit::DecisionReport& d : report.decisions) {
    out.native.push_back(d.native);
    out.reasons.push_back(d.reason);
    out.operations.push_back(d.operations);
  }
  out.native_count = report.native_count;
  out.lower_ms = report.lower_ms;
  out.compile_ms = report.compile_ms;
#else
  out.native.assign(n, false);
  out.reasons.assign(n, "this build has no JIT (configure with LLVM installed, -DPOLICY_JIT=ON)");
  out.operations.assign(n, 0);
#endif
  return out;
}

auto Engine::WaitForOptimizedCode() const -> vm::OptimizedCode {
  const vm::NativeCode* native = compiled_->native();
  return native != nullptr ? native->WaitForOptimizedCode() : vm::OptimizedCode{};
}

auto Engine::NewContext() const -> std::unique_ptr<vm::Context> {
  return std::make_unique<vm::Context>(*compiled_);
}

auto Engine::FindDecision(std::string_view qualified) const -> std::optional<uint32_t> {
  return ir_->FindDecision(qualified);
}

auto Engine::DecisionNames() const -> std::vector<std::string> {
  std::vector<std::string> names;
  for (const ir::Decision& d : ir_->decisions) {
    names.push_back(d.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

auto Engine::ResolveDecision(std::string_view qualified, DiagnosticSink& diags) const
    -> std::optional<uint32_t> {
  if (auto d = FindDecision(qualified)) {
    return d;
  }
  const std::vector<std::string> names = DecisionNames();
  Diagnostic& d =
      diags.ReportInput(DiagCode::kUnknownDecision, "", "", fmt::format("no decision named `{}`", qualified));
  const std::string suggestion = SuggestQualifiedName(qualified, names);
  if (!suggestion.empty()) {
    d.WithHelp(fmt::format("did you mean `{}`?", suggestion));
  } else {
    d.WithHelp(
        "decisions are named with their module (`module.decision`); `policy check --list PATHS` lists them");
  }
  return std::nullopt;
}

namespace {

void ReportEvalError(const vm::EvalError& error, DiagnosticSink& diags) {
  diags.Add(ToDiagnostic(error));
}

}  // namespace

auto Engine::Evaluate(uint32_t decision, const Value& input, Date as_of, vm::Context& ctx, vm::Trace* trace,
                      DiagnosticSink& diags) const -> std::optional<vm::DecisionResult> {
  vm::EvalError error;
  const Value args[] = {input};
  auto result = compiled_->Evaluate(ctx, decision, args, as_of, trace, &error);
  if (!result) {
    ReportEvalError(error, diags);
  }
  return result;
}

auto Engine::EvaluateParameter(uint32_t parameter, Date as_of, vm::Context& ctx, vm::Trace* trace,
                               DiagnosticSink& diags, std::string* source) const
    -> std::optional<vm::DecisionResult> {
  // The trace says which dated value applied, and so which citation; one is kept here when the
  // caller wants the source but not the trace.
  vm::Trace own;
  own.notes = false;
  vm::Trace* recording = trace != nullptr ? trace : (source != nullptr ? &own : nullptr);
  vm::EvalError error;
  auto result = compiled_->Evaluate(ctx, parameter, {}, as_of, recording, &error);
  if (!result) {
    ReportEvalError(error, diags);
    return result;
  }
  if (source != nullptr) {
    const ir::Decision& d = ir_->decisions[parameter];
    *source = d.source;
    for (const vm::DecisionRecord& rec : recording->records) {
      if (rec.decision == parameter && !rec.deciding_rules.empty() &&
          !d.rules[rec.deciding_rules.front()].source.empty()) {
        *source = d.rules[rec.deciding_rules.front()].source;
      }
    }
  }
  return result;
}

auto Engine::DecisionResultType(uint32_t decision) const -> TypeId {
  return ir_->decisions[decision].result;
}

auto Engine::ValueToJson(TypeId type, const Value& value) const -> nlohmann::ordered_json {
  using json = nlohmann::ordered_json;
  const TypeTable& types = ir_->types;
  if (value.is_none()) {
    return json();
  }
  const TypeId t = types.Unwrap(type);
  switch (types.kind(t)) {
    case Kind::kBool:
      return value.as_bool();
    case Kind::kInt:
      return value.as_int();
    case Kind::kDecimal:
      return exact_json::Number<json>(value.as_decimal());
    case Kind::kText:
      return std::string(value.as_text());
    case Kind::kDate:
      return value.as_date().ToString();
    case Kind::kDuration:
      return value.as_duration().ToIso();
    case Kind::kEnum:
      return types.enum_info(t).json_names[value.as_enum()];
    case Kind::kRecord: {
      json obj = json::object();
      const RecordInfo& rec = types.record_info(t);
      const auto items = value.items();
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        obj[rec.fields[i].name] = ValueToJson(rec.fields[i].type, items[i]);
      }
      return obj;
    }
    case Kind::kList:
    case Kind::kSet: {
      json arr = json::array();
      for (const Value& v : value.items()) {
        arr.push_back(ValueToJson(types.Get(t).elem, v));
      }
      if (types.kind(t) == Kind::kSet) {
        // The catalogue orders sets by the code points of their JSON encoding, not by declaration
        // order of enum values.
        std::sort(arr.begin(), arr.end(), [](const json& a, const json& b) {
          if (a.is_string() && b.is_string()) {
            return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
          }
          return exact_json::Dump(a) < exact_json::Dump(b);
        });
      }
      return arr;
    }
    default:
      return json();
  }
}

namespace {

// A JSON string as nlohmann writes it. Text that needs no escaping (the common case: names,
// dates, enum values) is copied; anything else is written by nlohmann itself, so the bytes are
// the same, invalid UTF-8 included (it throws as ValueToJson's dump would).
void AppendJsonString(std::string_view s, std::string* out) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(nlohmann::ordered_json(std::string(s)).dump());
  }
}

}  // namespace

void Engine::AppendValueJson(TypeId type, const Value& value, std::string* out) const {
  const TypeTable& types = ir_->types;
  if (value.is_none()) {
    out->append("null");
    return;
  }
  const TypeId t = types.Unwrap(type);
  switch (types.kind(t)) {
    case Kind::kBool:
      out->append(value.as_bool() ? "true" : "false");
      return;
    case Kind::kInt:
      fmt::format_to(std::back_inserter(*out), "{}", value.as_int());
      return;
    case Kind::kDecimal:
      // exact_json::Number keeps an integer as an integer and anything else as its text, which
      // writes back as ToString() wrote it ("-0" is the one text that would not, and ToString
      // never writes it).
      out->append(value.as_decimal().ToString());
      return;
    case Kind::kText:
      AppendJsonString(value.as_text(), out);
      return;
    case Kind::kDate:
      AppendJsonString(value.as_date().ToString(), out);
      return;
    case Kind::kDuration:
      AppendJsonString(value.as_duration().ToIso(), out);
      return;
    case Kind::kEnum:
      AppendJsonString(types.enum_info(t).json_names[value.as_enum()], out);
      return;
    case Kind::kRecord: {
      const RecordInfo& rec = types.record_info(t);
      const auto items = value.items();
      out->push_back('{');
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        if (i != 0) {
          out->push_back(',');
        }
        AppendJsonString(rec.fields[i].name, out);
        out->push_back(':');
        AppendValueJson(rec.fields[i].type, items[i], out);
      }
      out->push_back('}');
      return;
    }
    case Kind::kList:
    case Kind::kSet: {
      const TypeId elem = types.Get(t).elem;
      if (types.kind(t) == Kind::kList) {
        out->push_back('[');
        bool first = true;
        for (const Value& v : value.items()) {
          if (!first) {
            out->push_back(',');
          }
          first = false;
          AppendValueJson(elem, v, out);
        }
        out->push_back(']');
        return;
      }
      // A set is ordered as ValueToJson orders it: two strings by their contents, anything else
      // by its JSON text.
      struct Item {
        std::optional<std::string> string;  // the contents, when the item is a JSON string
        std::string text;
      };
      std::vector<Item> items;
      items.reserve(value.items().size());
      const TypeId elem_kind_type = types.Unwrap(elem);
      for (const Value& v : value.items()) {
        Item& item = items.emplace_back();
        AppendValueJson(elem, v, &item.text);
        if (!v.is_none()) {
          switch (types.kind(elem_kind_type)) {
            case Kind::kText:
              item.string = std::string(v.as_text());
              break;
            case Kind::kDate:
              item.string = v.as_date().ToString();
              break;
            case Kind::kDuration:
              item.string = v.as_duration().ToIso();
              break;
            case Kind::kEnum:
              item.string = types.enum_info(elem_kind_type).json_names[v.as_enum()];
              break;
            default:
              break;
          }
        }
      }
      std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.string && b.string) {
          return *a.string < *b.string;
        }
        return a.text < b.text;
      });
      out->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
          out->push_back(',');
        }
        out->append(items[i].text);
      }
      out->push_back(']');
      return;
    }
    default:
      out->append("null");
      return;
  }
}

namespace {

auto OutcomeName(vm::RuleOutcome::Kind k) -> const char* {
  switch (k) {
    case vm::RuleOutcome::Kind::kApplied:
      return "applied";
    case vm::RuleOutcome::Kind::kConditionFailed:
      return "condition_failed";
    case vm::RuleOutcome::Kind::kNotInEffect:
      return "not_in_effect";
    case vm::RuleOutcome::Kind::kOverridden:
      return "overridden";
    case vm::RuleOutcome::Kind::kFailed:
      return "failed";
  }
  return "?";
}

auto ViaName(vm::DecisionRecord::Via v) -> const char* {
  switch (v) {
    case vm::DecisionRecord::Via::kRule:
      return "rule";
    case vm::DecisionRecord::Via::kDefault:
      return "default";
    case vm::DecisionRecord::Via::kNotApplicable:
      return "not_applicable";
    case vm::DecisionRecord::Via::kNotInEffect:
      return "not_in_effect";
    case vm::DecisionRecord::Via::kConflict:
      return "conflict";
    case vm::DecisionRecord::Via::kFailed:
      return "failed";
  }
  return "?";
}

auto Cite(const std::string& source) -> std::string {
  return source.empty() ? "" : fmt::format(" [{}]", source);
}

auto PeriodText(const ir::Rule& r) -> std::string {
  const std::string period = r.effective.ToString();
  return period.empty() ? period : "effective " + period;
}

// The sentence of the law a rule encodes (its doc comment), quoted under it.
auto QuotedDoc(const std::string& indent, const ir::Rule& rule) -> std::string {
  return QuotedLines(rule.doc, indent + "    > ");
}

auto RuleNotesOf(const vm::DecisionRecord& rec, const vm::RuleOutcome& o) -> std::span<const vm::ExprNote> {
  return std::span<const vm::ExprNote>(rec.notes).subspan(o.notes_begin, o.notes_end - o.notes_begin);
}

// Records come in completion order (callees first). Show the asked-for decision first, then
// what it used, indented by call depth.
auto DisplayOrder(const vm::Trace& trace) -> std::vector<size_t> {
  std::vector<size_t> order;
  for (size_t i = trace.records.size(); i-- > 0;) {
    order.push_back(i);
  }
  return order;
}

}  // namespace

auto Engine::NotesView() const -> RuleNotesView {
  return RuleNotesView(*ir_, *sources_,
                       [this](TypeId type, const Value& value) { return ValueToJson(type, value); });
}

auto Engine::ExplanationText(const vm::Trace& trace, const RuleNotes* notes) const -> std::string {
  const RuleNotesView view = NotesView();
  std::set<uint32_t> quoted;  // helpers whose doc comment is quoted already
  std::string out;
  // The date each depth was evaluated on, to say where `as of` changed it.
  std::vector<Date> dates;
  for (const size_t i : DisplayOrder(trace)) {
    const vm::DecisionRecord& rec = trace.records[i];
    const ir::Decision& d = ir_->decisions[rec.decision];
    const std::string indent(static_cast<size_t>(rec.depth) * 4, ' ');
    using Via = vm::DecisionRecord::Via;
    const bool applicable = rec.via == Via::kRule || rec.via == Via::kDefault;
    const std::string value = applicable                  ? FormatValue(ir_->types, d.result, rec.value)
                              : rec.via == Via::kConflict ? "no result: conflicting rules"
                              : rec.via == Via::kFailed   ? "no result: stopped by an error"
                                                          : "not applicable";
    dates.resize(rec.depth + 1);
    dates[rec.depth] = rec.as_of;
    std::string used;
    if (rec.depth > 0 && rec.as_of != dates[rec.depth - 1]) {
      used = fmt::format("  (used above, as of {}: `{}`)", rec.as_of.ToString(), rec.as_of_reason);
    } else if (rec.depth > 0) {
      used = "  (used above)";
    }
    out += fmt::format("{}{} = {}{}\n", indent, d.name, value, used);
    switch (rec.via) {
      case vm::DecisionRecord::Via::kConflict:
        if (rec.deciding_rules.size() == 2) {
          const ir::Rule& a = d.rules[rec.deciding_rules[0]];
          const ir::Rule& b = d.rules[rec.deciding_rules[1]];
          out += fmt::format("{}  {} `{}`{} and {} `{}`{} both apply, with different results\n", indent,
                             a.is_exception ? "exception" : "rule", a.name, Cite(a.source),
                             b.is_exception ? "exception" : "rule", b.name, Cite(b.source));
          out += QuotedDoc(indent, a) + QuotedDoc(indent, b);
        }
        break;
      case vm::DecisionRecord::Via::kFailed:
        // A rule that stopped says so in the list below; the default has no line of its own.
        if (rec.rules.empty() || rec.rules.back().kind != vm::RuleOutcome::Kind::kFailed) {
          out +=
              fmt::format("{}  stopped by an error while evaluating its default{}\n", indent, Cite(d.source));
        }
        break;
      case vm::DecisionRecord::Via::kRule:
        for (const uint32_t r : rec.deciding_rules) {
          const ir::Rule& rule = d.rules[r];
          if (d.is_parameter) {
            const std::string period = PeriodText(rule);
            out += fmt::format("{}  the value {}{}\n", indent,
                               period.empty() ? std::string("of the parameter") : period, Cite(rule.source));
          } else {
            out += fmt::format("{}  because {} `{}` applies{}\n", indent,
                               rule.is_exception ? "exception" : "rule", rule.name, Cite(rule.source));
          }
          out += QuotedDoc(indent, rule);
        }
        break;
      case vm::DecisionRecord::Via::kDefault:
        out += fmt::format("{}  by default: no rule applies{}\n", indent, Cite(d.source));
        break;
      case vm::DecisionRecord::Via::kNotApplicable:
        out += fmt::format("{}  no rule applies and the decision has no default{}\n", indent, Cite(d.source));
        break;
      case vm::DecisionRecord::Via::kNotInEffect:
        out += fmt::format("{}  not in effect on this date: it is in effect {}{}\n", indent,
                           vm::EffectiveSummary(d), Cite(d.source));
        // Listing every rule as "not in effect" would say nothing more.
        continue;
    }
    if (d.is_parameter) {
      continue;  // the line above says which value was in effect
    }
    for (const vm::RuleOutcome& o : rec.rules) {
      const ir::Rule& rule = d.rules[o.rule];
      const std::string what =
          fmt::format("{} `{}`{}", rule.is_exception ? "exception" : "rule", rule.name, Cite(rule.source));
      switch (o.kind) {
        case vm::RuleOutcome::Kind::kApplied:
          out += fmt::format("{}  - {}: applies\n", indent, what);
          out += view.Text(RuleNotesOf(rec, o), nullptr, indent + "      ", &quoted);
          break;
        case vm::RuleOutcome::Kind::kConditionFailed: {
          out += fmt::format("{}  - {}: does not apply, `{}` is false\n", indent, what,
                             rule.when[o.failed_conjunct].text);
          out += view.Text(RuleNotesOf(rec, o), &rule.when[o.failed_conjunct], indent + "      ", &quoted);
          if (notes != nullptr && rec.depth == 0) {
            if (const auto note = notes->find(o.rule); note != notes->end()) {
              out += fmt::format("{}      {}\n", indent, note->second.text);
            }
          }
          break;
        }
        case vm::RuleOutcome::Kind::kNotInEffect:
          out += fmt::format("{}  - {}: not in effect on this date ({})\n", indent, what, PeriodText(rule));
          break;
        case vm::RuleOutcome::Kind::kOverridden:
          out += fmt::format("{}  - {}: overridden by exception `{}`\n", indent, what,
                             o.overridden_by < d.rules.size() ? d.rules[o.overridden_by].name : "?");
          break;
        case vm::RuleOutcome::Kind::kFailed:
          out += fmt::format("{}  - {}: stopped by the error\n", indent, what);
          break;
      }
    }
  }
  return out;
}

auto Engine::ExplanationJson(const vm::Trace& trace, const RuleNotes* notes) const -> nlohmann::ordered_json {
  using json = nlohmann::ordered_json;
  const RuleNotesView view = NotesView();
  json arr = json::array();
  for (const size_t i : DisplayOrder(trace)) {
    const vm::DecisionRecord& rec = trace.records[i];
    const ir::Decision& d = ir_->decisions[rec.decision];
    json j;
    j["decision"] = d.name;
    j["depth"] = rec.depth;
    j["value"] = ValueToJson(d.result, rec.value);
    j["decided_by"] = ViaName(rec.via);
    if (!rec.as_of_reason.empty()) {
      j["as_of"] = rec.as_of.ToString();  // inside `e as of d`: d, and its text
      j["as_of_expr"] = std::string(rec.as_of_reason);
    }
    if (d.is_parameter) {
      j["parameter"] = true;
    }
    j["source"] = d.source.empty() ? json() : json(d.source);
    if (rec.via == vm::DecisionRecord::Via::kConflict && rec.deciding_rules.size() == 2) {
      j["conflicting_rules"] = {d.rules[rec.deciding_rules[0]].name, d.rules[rec.deciding_rules[1]].name};
    }
    json rules = json::array();
    for (const vm::RuleOutcome& o : rec.rules) {
      const ir::Rule& rule = d.rules[o.rule];
      json r;
      // A parameter's values have no names of their own (`version_1` is the compiler's): each is
      // a "value", told apart by its `effective` period.
      r["rule"] = d.is_parameter ? json() : json(rule.name);
      r["kind"] = d.is_parameter ? "value" : rule.is_exception ? "exception" : "rule";
      r["source"] = rule.source.empty() ? json() : json(rule.source);
      r["outcome"] = OutcomeName(o.kind);
      if (!rule.doc.empty()) {
        r["text"] = rule.doc;
      }
      if (o.notes_end > o.notes_begin) {
        // An applied rule's `then` is one computation; a failed condition may branch (`or`).
        json notes_json = view.Json(RuleNotesOf(rec, o));
        if (o.kind == vm::RuleOutcome::Kind::kApplied) {
          r["then"] = notes_json.empty() ? json() : notes_json.front();
        } else {
          r["why"] = std::move(notes_json);
        }
      }
      if (o.kind == vm::RuleOutcome::Kind::kConditionFailed) {
        r["failed_condition"] = rule.when[o.failed_conjunct].text;
        if (notes != nullptr && rec.depth == 0) {
          if (const auto note = notes->find(o.rule); note != notes->end()) {
            r["nearest_change"] = note->second.json;
          }
        }
      }
      if (o.kind == vm::RuleOutcome::Kind::kOverridden && o.overridden_by < d.rules.size()) {
        r["overridden_by"] = d.rules[o.overridden_by].name;
      }
      if (o.kind == vm::RuleOutcome::Kind::kNotInEffect || d.is_parameter) {
        r["effective"] = PeriodText(rule);
      }
      rules.push_back(r);
    }
    j["rules"] = rules;
    arr.push_back(j);
  }
  return arr;
}

auto Engine::RunTests(std::string_view filter, Date default_as_of, TestCoverage* coverage) const
    -> std::vector<TestResult> {
  std::vector<TestResult> results;
  auto ctx = NewContext();
  for (uint32_t i = 0; i < ir_->tests.size(); ++i) {
    const ir::Test& t = ir_->tests[i];
    if (!filter.empty() && t.module.find(filter) == std::string::npos &&
        t.name.find(filter) == std::string::npos) {
      continue;
    }
    // Tests of the embedded stdlib are run only when asked for by name.
    if (filter.empty() && t.module.rfind("std.", 0) == 0) {
      continue;
    }
    TestResult r;
    r.module = t.module;
    r.name = t.name;
    r.span = t.span;
    vm::EvalError error;
    vm::Trace trace;
    trace.notes = false;  // coverage counts outcomes only
    const auto outcome = compiled_->RunTest(*ctx, i, default_as_of, &error, coverage ? &trace : nullptr);
    if (coverage != nullptr) {
      coverage->Record(trace);
    }
    if (!outcome) {
      Diagnostic d = ToDiagnostic(error);
      d.notes.push_back(fmt::format("while running test \"{}\"", t.name));
      r.failure = d;
    } else if (!outcome->passed) {
      const ir::TestStep& step = t.steps[outcome->step];
      Diagnostic d;
      d.code = DiagCode::kTestFailed;
      d.severity = Severity::kError;
      d.message = fmt::format("test \"{}\" failed", t.name);
      d.primary = step.span;
      d.primary_text = "this expectation does not hold";
      if (!outcome->actual.empty()) {
        d.notes.push_back(fmt::format("left side:  {}", outcome->actual));
        d.notes.push_back(fmt::format("right side: {}", outcome->expected));
      }
      r.failure = d;
    } else {
      r.passed = true;
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace policy
