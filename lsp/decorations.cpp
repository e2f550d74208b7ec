#include "lsp/decorations.h"

#include <fmt/format.h>

#include "lsp/uri.h"

namespace policy::lsp {

namespace {

// The token types and modifiers, in legend order.
enum TokenType : uint32_t {
  kNamespace,
  kType,
  kEnum,
  kEnumMember,
  kStruct,
  kProperty,
  kParameterToken,
  kVariable,
  kFunction,
  kMethod,
};
enum TokenModifier : uint32_t { kDeclaration = 1, kReadonly = 2, kDefaultLibrary = 4 };

auto TokenTypeOf(const Symbol& s) -> std::optional<uint32_t> {
  switch (s.kind) {
    case SymbolKind::kModule:
      return kNamespace;
    case SymbolKind::kEnum:
      return kEnum;
    case SymbolKind::kVariant:
      return kEnumMember;
    case SymbolKind::kRecord:
      return kStruct;
    case SymbolKind::kField:
      return kProperty;
    case SymbolKind::kAlias:
      return kType;
    case SymbolKind::kConst:
    case SymbolKind::kParameter:
      return kVariable;
    case SymbolKind::kFunction:
    case SymbolKind::kDecision:
      return kFunction;
    case SymbolKind::kRule:
      return kMethod;
    case SymbolKind::kLocal:
      return kParameterToken;
    case SymbolKind::kTest:
      return std::nullopt;  // a text literal: the grammar colours it
  }
  return std::nullopt;
}

auto DocumentFile(const Snapshot& snapshot, const Json& params) -> std::optional<FileId> {
  return snapshot.FileOf(UriToPath(params.at("textDocument").at("uri").get<std::string>()));
}

}  // namespace

auto SemanticTokensLegend() -> Json {
  return {{"tokenTypes",
           {"namespace", "type", "enum", "enumMember", "struct", "property", "parameter", "variable",
            "function", "method"}},
          {"tokenModifiers", {"declaration", "readonly", "defaultLibrary"}}};
}

auto SemanticTokens(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const auto file = DocumentFile(snapshot, params);
  Json data = Json::array();
  if (!file) {
    return {{"data", data}};
  }
  const LineIndex& lines = snapshot.lines[*file];
  Position previous;
  for (const Occurrence& o : snapshot.index.InFile(*file)) {
    const Symbol& s = snapshot.index.symbol(o.symbol);
    const auto type = TokenTypeOf(s);
    if (!type) {
      continue;
    }
    const Range r = lines.RangeOf(o.span.begin, o.span.end, enc);
    if (r.start.line != r.end.line || r.end.character <= r.start.character) {
      continue;  // a name never spans lines; a rewritten node might
    }
    uint32_t modifiers = o.definition ? static_cast<uint32_t>(kDeclaration) : 0U;
    if (s.kind == SymbolKind::kConst || s.kind == SymbolKind::kParameter) {
      modifiers |= kReadonly;
    }
    if (s.in_stdlib) {
      modifiers |= kDefaultLibrary;
    }
    const uint32_t delta_line = r.start.line - previous.line;
    const uint32_t delta_start = delta_line == 0 ? r.start.character - previous.character : r.start.character;
    data.push_back(delta_line);
    data.push_back(delta_start);
    data.push_back(r.end.character - r.start.character);
    data.push_back(*type);
    data.push_back(modifiers);
    previous = r.start;
  }
  return {{"data", data}};
}

auto InlayHints(const Snapshot& snapshot, const Json& params, PositionEncoding enc,
                const std::function<std::optional<std::string>(const std::string&)>& value_of,
                const std::string& as_of) -> Json {
  const auto file = DocumentFile(snapshot, params);
  Json hints = Json::array();
  if (!file) {
    return hints;
  }
  const LineIndex& lines = snapshot.lines[*file];
  const Range range = RangeFromJson(params.at("range"));
  const uint32_t begin = lines.OffsetAt(range.start, enc);
  const uint32_t end = lines.OffsetAt(range.end, enc);
  for (const Occurrence& o : snapshot.index.InFile(*file)) {
    const Symbol& s = snapshot.index.symbol(o.symbol);
    if (s.kind != SymbolKind::kParameter || o.span.end < begin || o.span.begin > end) {
      continue;
    }
    const auto value = value_of(s.qualified);
    if (!value) {
      continue;
    }
    hints.push_back({{"position", ToJson(lines.PositionAt(o.span.end, enc))},
                     {"label", fmt::format("= {}", *value)},
                     {"paddingLeft", true},
                     {"tooltip", fmt::format("the value of `{}` in effect on {}", s.name, as_of)}});
  }
  return hints;
}

auto CodeLenses(const Snapshot& snapshot, const Json& params, PositionEncoding enc, size_t example_cases)
    -> Json {
  const auto file = DocumentFile(snapshot, params);
  Json lenses = Json::array();
  if (!file) {
    return lenses;
  }
  const TypeTable& types = snapshot.checked->program.types;
  for (const check::DecisionInfo& d : snapshot.checked->program.decisions) {
    if (d.decl->name.span.file != *file || d.decl->is_parameter || example_cases == 0 ||
        d.params.size() != 1 || types.kind(d.params[0]) != Kind::kRecord) {
      continue;
    }
    lenses.push_back({{"range", RangeOf(snapshot, d.decl->name.span, enc)},
                      {"command",
                       {{"title", fmt::format("▶ evaluate on the example cases ({})", example_cases)},
                        {"command", kEvaluateCommand},
                        {"arguments", {d.name}}}}});
  }
  for (const Symbol& s : snapshot.index.symbols()) {
    if (s.kind != SymbolKind::kTest || s.name_span.file != *file) {
      continue;
    }
    lenses.push_back(
        {{"range", RangeOf(snapshot, s.name_span, enc)},
         {"command",
          {{"title", "▶ run test"}, {"command", kRunTestCommand}, {"arguments", {s.container, s.name}}}}});
  }
  return lenses;
}

auto RunTestCommand(const Engine& engine, const std::string& module, const std::string& name, Date today)
    -> CommandResult {
  CommandResult out;
  for (const TestResult& r : engine.RunTests(module, today)) {
    if (r.module != module || r.name != name) {
      continue;
    }
    out.ok = r.passed;
    out.summary = fmt::format("{} test \"{}\"", r.passed ? "PASS" : "FAIL", name);
    if (r.failure) {
      out.summary += ": " + r.failure->message;
      out.details = RenderDiagnostics({*r.failure}, engine.sources(), DiagFormat::kHuman);
    }
    return out;
  }
  out.ok = false;
  out.summary = fmt::format("no test \"{}\" in module `{}` (was it renamed?)", name, module);
  return out;
}

auto EvaluateCommand(const Engine& engine, const std::string& decision,
                     const std::vector<std::pair<std::string, std::string>>& cases, Date today)
    -> CommandResult {
  CommandResult out;
  const auto index = engine.FindDecision(decision);
  if (!index) {
    out.ok = false;
    out.summary = fmt::format("no decision `{}` (was it renamed?)", decision);
    return out;
  }
  const ir::Decision& ir = engine.program().ir().decisions[*index];
  auto ctx = engine.NewContext();
  std::map<std::string, size_t> tally;
  size_t evaluated = 0;
  for (const auto& [name, text] : cases) {
    DiagnosticSink diags;
    const auto input = engine.ReadCase(*index, text, name, *ctx, diags);
    if (!input) {
      continue;  // a case of another record type
    }
    vm::Trace trace;
    const auto result = engine.Evaluate(*index, *input, today, *ctx, &trace, diags);
    std::string line;
    if (!result) {
      line = fmt::format("{}: error: {}", name,
                         diags.diagnostics().empty() ? "" : diags.diagnostics()[0].message);
      ++tally["error"];
    } else {
      const std::string value =
          result->applicable
              ? exact_json::Dump(engine.ValueToJson(engine.DecisionResultType(*index), result->value))
              : (result->in_effect ? "not applicable" : "not in effect");
      ++tally[value];
      std::string rules;
      if (!trace.records.empty()) {
        for (const uint32_t r : trace.records.back().deciding_rules) {
          rules += (rules.empty() ? "" : ", ") + ir.rules[r].name;
        }
      }
      line = fmt::format("{}: {}{}", name, value, rules.empty() ? "" : " (" + rules + ")");
    }
    out.details += line + "\n";
    ++evaluated;
  }
  if (evaluated == 0) {
    out.ok = false;
    out.summary = fmt::format("none of the {} example cases is a case of `{}`", cases.size(), decision);
    return out;
  }
  std::string counts;
  for (const auto& [value, n] : tally) {
    counts += fmt::format("{}{} ×{}", counts.empty() ? "" : ", ", value, n);
  }
  out.summary =
      fmt::format("{} on {} example case{}: {}", decision, evaluated, evaluated == 1 ? "" : "s", counts);
  return out;
}

}  // namespace policy::lsp
