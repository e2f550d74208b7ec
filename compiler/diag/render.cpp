// Renders diagnostics for people (rustc layout, Elm-style help) and for machines (JSON).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "compiler/diag/diagnostic.h"

namespace policy {
namespace {

auto SeverityName(Severity s) -> const char* {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

// Terminal columns taken by a code point: East Asian wide characters take two, so underlines
// stay under Chinese text.
auto CodePointWidth(uint32_t cp) -> int {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

auto DisplayWidth(std::string_view s) -> int {
  int width = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else if (c >= 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xC0) {
      len = 2;
      cp = c & 0x1F;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    width += CodePointWidth(cp);
    i += len;
  }
  return width;
}

// Replaces invalid UTF-8 with U+FFFD so a broken file can still be quoted safely.
auto Sanitize(std::string_view text) -> std::string {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t bad = FindInvalidUtf8(text.substr(i));
    if (bad == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, bad));
    out += "\xEF\xBF\xBD";
    i += bad + 1;
  }
  return out;
}

struct Styles {
  bool on;
  auto Wrap(std::string_view code, std::string_view text) const -> std::string {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
  }
};

auto Location(const Diagnostic& d, const SourceManager& sources) -> std::string {
  if (d.primary.valid()) {
    const SourceBuffer& src = sources.Get(d.primary.file);
    const LineCol lc = src.LineColAt(d.primary.begin);
    return fmt::format("{}:{}:{}", src.path(), lc.line, lc.column);
  }
  if (!d.json_path.empty()) {
    return d.file.empty() ? d.json_path : fmt::format("{}: {}", d.file, d.json_path);
  }
  return d.file;
}

// One source line with a span underlined. `mark` is '^' for the primary label, '-' otherwise.
void RenderSnippetLine(std::string& out, const SourceBuffer& src, Span span, char mark,
                       const std::string& text, int gutter, const Styles& st, bool print_line) {
  const LineCol begin = src.LineColAt(span.begin);
  const LineCol end = src.LineColAt(span.end);
  std::string line = Sanitize(src.LineText(begin.line));
  // Tabs print as one space so the underline stays aligned.
  std::replace(line.begin(), line.end(), '\t', ' ');
  // Byte offset of the span start within the line.
  const std::string_view full_line = src.LineText(begin.line);
  const size_t line_offset = static_cast<size_t>(full_line.data() - src.text().data());
  const size_t start_in_line = std::min<size_t>(span.begin - line_offset, full_line.size());
  size_t end_in_line =
      end.line == begin.line ? std::min<size_t>(span.end - line_offset, full_line.size()) : full_line.size();
  if (end_in_line <= start_in_line) {
    end_in_line = start_in_line + 1;
  }
  const int pad = DisplayWidth(Sanitize(full_line.substr(0, start_in_line)));
  int width = DisplayWidth(Sanitize(full_line.substr(start_in_line, end_in_line - start_in_line)));
  if (width < 1) {
    width = 1;
  }
  if (print_line) {
    out += fmt::format("{} {} {}\n", st.Wrap("1;34", fmt::format("{:>{}}", begin.line, gutter)),
                       st.Wrap("1;34", "|"), line);
  }
  std::string marks(static_cast<size_t>(width), mark);
  if (!text.empty()) {
    marks += fmt::format(" {}", text);
  }
  out +=
      fmt::format("{} {} {}{}\n", std::string(static_cast<size_t>(gutter), ' '), st.Wrap("1;34", "|"),
                  std::string(static_cast<size_t>(pad), ' '), st.Wrap(mark == '^' ? "1;31" : "1;34", marks));
}

auto RenderHuman(const Diagnostic& d, const SourceManager& sources, const Styles& st) -> std::string {
  const DiagKindInfo& info = GetKindInfo(d.code);
  std::string out = fmt::format("{}: {}\n",
                                st.Wrap(d.severity == Severity::kError ? "1;31" : "1;33",
                                        fmt::format("{}[{}]", SeverityName(d.severity), info.code)),
                                st.Wrap("1", d.message));
  // Collect the spans to show, primary first, then labels in source order.
  std::vector<Label> shown;
  if (d.primary.valid()) {
    shown.push_back({d.primary, true, d.primary_text});
  }
  for (const Label& l : d.labels) {
    if (l.span.valid()) {
      shown.push_back(l);
    }
  }
  // Source order within a file, the primary's file first; labels on one line share it.
  const FileId primary_file = shown.empty() ? kNoFile : shown.front().span.file;
  std::stable_sort(shown.begin(), shown.end(), [&](const Label& a, const Label& b) {
    const bool af = a.span.file == primary_file;
    const bool bf = b.span.file == primary_file;
    if (af != bf) {
      return af;
    }
    if (a.span.file != b.span.file) {
      return a.span.file < b.span.file;
    }
    return a.span.begin < b.span.begin;
  });
  int gutter = 1;
  for (const Label& l : shown) {
    const auto line = sources.Get(l.span.file).LineColAt(l.span.begin).line;
    gutter = std::max(gutter, static_cast<int>(std::to_string(line).size()));
  }
  const std::string blank =
      fmt::format("{} {}\n", std::string(static_cast<size_t>(gutter), ' '), st.Wrap("1;34", "|"));
  if (const std::string location = Location(d, sources); !location.empty()) {
    out += fmt::format("{}{} {}\n", std::string(static_cast<size_t>(gutter), ' '), st.Wrap("1;34", "-->"),
                       location);
  }
  if (!shown.empty()) {
    out += blank;
    FileId current_file = shown.front().span.file;
    uint32_t last_line = 0;
    for (size_t i = 0; i < shown.size(); ++i) {
      const Label& l = shown[i];
      const SourceBuffer& src = sources.Get(l.span.file);
      const uint32_t line = src.LineColAt(l.span.begin).line;
      if (l.span.file != current_file) {
        const LineCol lc = src.LineColAt(l.span.begin);
        out += fmt::format("{}{} {}:{}:{}\n", std::string(static_cast<size_t>(gutter), ' '),
                           st.Wrap("1;34", ":::"), src.path(), lc.line, lc.column);
        current_file = l.span.file;
      } else if (i > 0 && line > last_line + 1) {
        out += st.Wrap("1;34", "...") + "\n";
      }
      const bool same_line = i > 0 && line == last_line && l.span.file == shown[i - 1].span.file;
      RenderSnippetLine(out, src, l.span, l.primary ? '^' : '-', l.text, gutter, st, !same_line);
      last_line = line;
    }
  }
  if (!shown.empty() && (!d.help.empty() || !d.notes.empty())) {
    out += blank;
  }
  for (const std::string& h : d.help) {
    out +=
        fmt::format("{} = {}: {}\n", std::string(static_cast<size_t>(gutter), ' '), st.Wrap("1", "help"), h);
  }
  for (const std::string& n : d.notes) {
    out +=
        fmt::format("{} = {}: {}\n", std::string(static_cast<size_t>(gutter), ' '), st.Wrap("1", "note"), n);
  }
  return out;
}

auto RenderShort(const Diagnostic& d, const SourceManager& sources) -> std::string {
  return fmt::format("{}: {}[{}]: {}\n", Location(d, sources), SeverityName(d.severity),
                     GetKindInfo(d.code).code, d.message);
}

auto SpanJson(Span span, const SourceManager& sources) -> nlohmann::ordered_json {
  nlohmann::ordered_json j;
  const SourceBuffer& src = sources.Get(span.file);
  const LineCol b = src.LineColAt(span.begin);
  const LineCol e = src.LineColAt(span.end);
  j["file"] = src.path();
  j["line"] = b.line;
  j["column"] = b.column;
  j["end_line"] = e.line;
  j["end_column"] = e.column;
  return j;
}

auto ToJson(const Diagnostic& d, const SourceManager& sources) -> nlohmann::ordered_json {
  nlohmann::ordered_json j;
  j["code"] = GetKindInfo(d.code).code;
  j["severity"] = SeverityName(d.severity);
  j["message"] = d.message;
  if (d.primary.valid()) {
    const nlohmann::ordered_json span = SpanJson(d.primary, sources);
    for (const auto& [k, v] : span.items()) {
      j[k] = v;
    }
  } else {
    j["file"] = d.file.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(d.file);
    if (!d.json_path.empty()) {
      j["json_path"] = d.json_path;
    }
  }
  auto labels = nlohmann::ordered_json::array();
  if (d.primary.valid()) {
    auto l = SpanJson(d.primary, sources);
    l["kind"] = "primary";
    l["text"] = d.primary_text;
    labels.push_back(l);
  }
  for (const Label& label : d.labels) {
    if (!label.span.valid()) {
      continue;
    }
    auto l = SpanJson(label.span, sources);
    l["kind"] = "info";
    l["text"] = label.text;
    labels.push_back(l);
  }
  j["labels"] = labels;
  j["help"] = d.help;
  j["notes"] = d.notes;
  return j;
}

// A SARIF physicalLocation for a span: the file's path as given (relative paths stay relative,
// which is what code-scanning uploads expect from a run in the repository root), and the region
// in 1-based lines and code-point columns (declared once per run by `columnKind`).
auto SarifLocation(Span span, const SourceManager& sources) -> nlohmann::ordered_json {
  const SourceBuffer& src = sources.Get(span.file);
  const LineCol b = src.LineColAt(span.begin);
  const LineCol e = src.LineColAt(span.end);
  nlohmann::ordered_json loc;
  loc["physicalLocation"]["artifactLocation"]["uri"] = src.path();
  auto& region = loc["physicalLocation"]["region"];
  region["startLine"] = b.line;
  region["startColumn"] = b.column;
  region["endLine"] = e.line;
  region["endColumn"] = std::max(e.column, e.line == b.line ? b.column + 1 : e.column);
  return loc;
}

auto Sarif(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources)
    -> nlohmann::ordered_json {
  using json = nlohmann::ordered_json;
  json rules = json::array();
  std::vector<std::string> rule_ids;
  json results = json::array();
  for (const Diagnostic& d : diagnostics) {
    const DiagKindInfo& kind = GetKindInfo(d.code);
    auto at = std::find(rule_ids.begin(), rule_ids.end(), kind.code);
    if (at == rule_ids.end()) {
      rule_ids.push_back(kind.code);
      at = rule_ids.end() - 1;
      json rule;
      rule["id"] = kind.code;
      rule["name"] = kind.name;
      rule["shortDescription"]["text"] = kind.summary;
      rule["helpUri"] = fmt::format("docs/diagnostics.md#{}", kind.code);
      rule["defaultConfiguration"]["level"] = d.severity == Severity::kError ? "error" : "warning";
      rules.push_back(rule);
    }
    json r;
    r["ruleId"] = kind.code;
    r["ruleIndex"] = at - rule_ids.begin();
    r["level"] = d.severity == Severity::kError     ? "error"
                 : d.severity == Severity::kWarning ? "warning"
                                                    : "note";
    std::string text = d.message;
    for (const std::string& h : d.help) {
      text += "\nhelp: " + h;
    }
    for (const std::string& n : d.notes) {
      text += "\nnote: " + n;
    }
    r["message"]["text"] = text;
    json locations = json::array();
    if (d.primary.valid()) {
      locations.push_back(SarifLocation(d.primary, sources));
    } else if (!d.file.empty()) {
      json loc;
      loc["physicalLocation"]["artifactLocation"]["uri"] = d.file;
      locations.push_back(loc);
    }
    r["locations"] = locations;
    json related = json::array();
    for (const Label& label : d.labels) {
      if (label.span.valid()) {
        json loc = SarifLocation(label.span, sources);
        loc["id"] = related.size();
        loc["message"]["text"] = label.text;
        related.push_back(loc);
      }
    }
    if (!related.empty()) {
      r["relatedLocations"] = related;
    }
    results.push_back(r);
  }
  json run;
  run["tool"]["driver"]["name"] = "policy";
  run["tool"]["driver"]["informationUri"] = "docs/diagnostics.md";
  run["tool"]["driver"]["rules"] = rules;
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = results;
  json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = json::array({run});
  return log;
}

}  // namespace

auto DiagnosticToJson(const Diagnostic& d, const SourceManager& sources) -> std::string {
  return ToJson(d, sources).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

auto RenderDiagnostics(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                       DiagFormat format, bool color) -> std::string {
  if (format == DiagFormat::kSarif) {
    return Sarif(diagnostics, sources).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
           "\n";
  }
  if (format == DiagFormat::kJson) {
    auto array = nlohmann::ordered_json::array();
    for (const Diagnostic& d : diagnostics) {
      array.push_back(ToJson(d, sources));
    }
    return array.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  std::string out;
  const Styles st{color};
  for (const Diagnostic& d : diagnostics) {
    if (format == DiagFormat::kShort) {
      out += RenderShort(d, sources);
    } else {
      out += RenderHuman(d, sources, st);
      out += "\n";
    }
  }
  return out;
}

}  // namespace policy
