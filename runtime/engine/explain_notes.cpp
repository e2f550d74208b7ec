#include "runtime/engine/explain_notes.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "compiler/base/format_value.h"

namespace policy {

namespace {

using NoteKind = vm::ExprNote::Kind;

auto IsSimplePath(std::string_view text) -> bool {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// An expression as one line, whatever the layout of the policy: runs of white space become one
// space.
auto OneLine(std::string_view text) -> std::string {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) {
      continue;
    }
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

// The longest value a line shows whole: a list of records read from the case would otherwise
// take a screen (the JSON explanation has it whole).
constexpr size_t kMaxValueText = 60;

auto Clipped(std::string text) -> std::string {
  if (text.size() > kMaxValueText) {
    text.resize(kMaxValueText - 3);
    text += "...";
  }
  return text;
}

// A value as the lines show it: Bools and numbers bare, everything else in backticks.
auto Shown(const TypeTable& types, TypeId type, const Value& value) -> std::string {
  const std::string text = Clipped(FormatValue(types, type, value));
  const Kind kind = value.tag();
  return kind == Kind::kNone || kind == Kind::kBool || kind == Kind::kInt || kind == Kind::kDecimal
             ? text
             : "`" + text + "`";
}

}  // namespace

// One note as the explanation shows it: its text with the helper's parameters replaced by what
// the caller passed, its value, and what belongs to it (a helper's doc, a condition's operands).
struct RuleNotesView::Line {
  NoteKind kind = NoteKind::kCondition;
  uint32_t depth = 0;
  Span span;
  std::string expr;
  TypeId type = 0;
  Value value;
  uint32_t index = 0;  // as ExprNote::index: kHelper the function, kMore how many
  struct Operand {
    std::string expr;
    TypeId type = 0;
    Value value;
  };
  std::vector<Operand> operands;
  std::string computed;  // kCombined: its text with each operand replaced by its value
};

auto RuleNotesView::Source(Span span) const -> std::string {
  return span.valid() ? OneLine(sources_.Get(span.file).Slice(span)) : std::string();
}

auto RuleNotesView::Read(std::span<const vm::ExprNote> notes) const -> std::vector<Line> {
  // The helpers whose bodies are being read, innermost last: the depth their body's notes are
  // at, and what the caller passed for each parameter (as text ready to put in its place).
  struct Scope {
    uint32_t body_depth = 0;
    std::vector<std::string> params;
  };
  std::vector<Scope> scopes;
  // The source text of `span` with the given sub-spans replaced.
  const auto substitute = [&](Span span, std::vector<std::pair<Span, std::string>> parts) {
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
    std::string raw(span.valid() ? sources_.Get(span.file).Slice(span) : std::string_view());
    std::string out;
    uint32_t at = span.begin;
    for (const auto& [part, text] : parts) {
      if (part.file != span.file || part.begin < at || part.end > span.end) {
        return std::string();  // overlapping or outside: the caller falls back
      }
      out += raw.substr(at - span.begin, part.begin - at);
      out += text;
      at = part.end;
    }
    out += raw.substr(at - span.begin);
    return out;
  };
  // A parameter's replacement for a note written in the scope `scope`, if it has one.
  const auto root_part = [&](const vm::ExprNote& n,
                             const Scope* scope) -> std::optional<std::pair<Span, std::string>> {
    if (n.root_param == UINT32_MAX || scope == nullptr || n.root_param >= scope->params.size() ||
        scope->params[n.root_param].empty()) {
      return std::nullopt;
    }
    return std::make_pair(n.root, scope->params[n.root_param]);
  };
  // `span` as the explanation writes it: with `parts` in place, or as written when they do not fit.
  const auto written = [&](Span span, std::vector<std::pair<Span, std::string>> parts) {
    const std::string text = substitute(span, std::move(parts));
    return text.empty() ? Source(span) : OneLine(text);
  };
  const auto text_of = [&](const vm::ExprNote& n, const Scope* scope) {
    std::vector<std::pair<Span, std::string>> parts;
    if (auto part = root_part(n, scope)) {
      parts.push_back(std::move(*part));
    }
    return written(n.span, std::move(parts));
  };

  std::vector<Line> lines;
  for (size_t i = 0; i < notes.size(); ++i) {
    const vm::ExprNote& n = notes[i];
    while (!scopes.empty() && scopes.back().body_depth > n.depth) {
      scopes.pop_back();
    }
    const Scope* scope = scopes.empty() ? nullptr : &scopes.back();
    Line line;
    line.kind = n.kind;
    line.depth = n.depth;
    line.span = n.span;
    line.type = n.type;
    line.value = n.value;
    line.index = n.index;
    switch (n.kind) {
      case NoteKind::kArgument:
      case NoteKind::kOperand:
        continue;  // read with the note they belong to
      case NoteKind::kMore:
        lines.push_back(line);
        continue;
      case NoteKind::kHelper: {
        // The call as the caller's scope reads it: each argument written through a parameter
        // of the enclosing helper is replaced, as a path on its own would be.
        std::vector<std::pair<Span, std::string>> parts;
        if (auto part = root_part(n, scope)) {
          parts.push_back(std::move(*part));
        }
        Scope inner{n.depth + 1u, {}};
        for (size_t j = i + 1; j < notes.size() && notes[j].kind == NoteKind::kArgument; ++j) {
          const std::string arg = text_of(notes[j], scope);
          inner.params.resize(std::max<size_t>(inner.params.size(), notes[j].index + 1));
          inner.params[notes[j].index] = IsSimplePath(arg) ? arg : "(" + arg + ")";
          if (auto part = root_part(notes[j], scope)) {
            parts.push_back(std::move(*part));
          }
        }
        line.expr = written(n.span, std::move(parts));
        lines.push_back(std::move(line));
        scopes.push_back(std::move(inner));
        continue;
      }
      case NoteKind::kCondition:
      case NoteKind::kCombined:
      case NoteKind::kDecision:
        break;
    }
    // The operands that follow, each with its own text; the note's text with theirs in place.
    std::vector<std::pair<Span, std::string>> roots;
    std::vector<std::pair<Span, std::string>> values;
    if (auto part = root_part(n, scope)) {
      roots.push_back(std::move(*part));
    }
    for (size_t j = i + 1;
         j < notes.size() && notes[j].kind == NoteKind::kOperand && notes[j].depth == n.depth + 1; ++j) {
      const vm::ExprNote& o = notes[j];
      const std::string value = FormatValue(program_.types, o.type, o.value);
      const std::string expr = text_of(o, scope);
      if (auto part = root_part(o, scope)) {
        roots.push_back(std::move(*part));
      }
      values.emplace_back(o.span, Clipped(value));
      if (expr != value) {  // a literal (`1` where a Decimal is compared) says its value already
        line.operands.push_back({expr, o.type, o.value});
      }
    }
    line.expr = written(n.span, std::move(roots));
    if (n.kind == NoteKind::kCombined) {
      line.computed = OneLine(substitute(n.span, values));
      if (line.computed.size() > 2 * kMaxValueText) {
        line.computed.clear();  // too long to read as one line: the operands are listed instead
      }
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

auto RuleNotesView::Text(std::span<const vm::ExprNote> notes, const ir::Conjunct* conjunct,
                         const std::string& indent, std::set<uint32_t>* quoted) const -> std::string {
  const TypeTable& types = program_.types;
  std::string out;
  for (const Line& line : Read(notes)) {
    const std::string pad = indent + std::string(static_cast<size_t>(line.depth) * 2, ' ');
    // The condition the rule's own line names is not named again: only what it adds.
    const bool is_conjunct = conjunct != nullptr && line.depth == 0 &&
                             line.span.begin == conjunct->span.begin && line.span.end == conjunct->span.end &&
                             line.span.file == conjunct->span.file;
    std::string operands;
    for (const Line::Operand& o : line.operands) {
      operands +=
          fmt::format("{}`{}` is {}", operands.empty() ? "" : ", ", o.expr, Shown(types, o.type, o.value));
    }
    const std::string value = Shown(types, line.type, line.value);
    switch (line.kind) {
      case NoteKind::kMore:
        out += fmt::format("{}... and {} more\n", pad, line.index);
        break;
      case NoteKind::kHelper: {
        // Named again even where the rule's line names it: its doc comment, quoted under it, says
        // what the helper means in the law's words, and the parts below are its body's.
        const ir::Function& fn = program_.functions[line.index];
        out += fmt::format("{}`{}` is {}\n", pad, line.expr, value);
        // Quoted once per explanation: a helper met again only names it.
        if (quoted != nullptr && !fn.doc.empty() && !quoted->insert(line.index).second) {
          out += fmt::format("{}  (`{}`, quoted above)\n", pad, fn.name);
          break;
        }
        out += QuotedLines(fn.doc, pad + "  > ");
        break;
      }
      case NoteKind::kCondition:
        if (is_conjunct) {
          if (!operands.empty()) {
            out += fmt::format("{}{}\n", pad, operands);
          }
        } else {
          out += fmt::format("{}`{}` is {}{}{}\n", pad, line.expr, value, operands.empty() ? "" : ": ",
                             operands);
        }
        break;
      case NoteKind::kDecision:
        if (!is_conjunct) {
          out += fmt::format("{}`{}` is {}\n", pad, line.expr, value);
        }
        break;
      case NoteKind::kCombined:
        if (!line.computed.empty() && line.computed != line.expr) {
          out += fmt::format("{}then `{}` = {} = {}\n", pad, line.expr, line.computed, value);
        } else {
          out += fmt::format("{}then `{}` = {}, where {}\n", pad, line.expr, value, operands);
        }
        break;
      case NoteKind::kArgument:
      case NoteKind::kOperand:
        break;
    }
  }
  return out;
}

auto RuleNotesView::Json(std::span<const vm::ExprNote> notes) const -> nlohmann::ordered_json {
  using json = nlohmann::ordered_json;
  json roots = json::array();
  // The open nodes by depth: a line at depth d goes under the last node of depth d - 1.
  std::vector<json*> open;
  std::vector<Line> lines = Read(notes);
  for (const Line& line : lines) {
    json node;
    if (line.kind == NoteKind::kMore) {
      node["more"] = line.index;
    } else {
      node["expr"] = line.expr;
      node["value"] = to_json_(line.type, line.value);
      if (line.kind == NoteKind::kHelper) {
        const ir::Function& fn = program_.functions[line.index];
        node["helper"] = fn.name;
        if (!fn.doc.empty()) {
          node["doc"] = fn.doc;
        }
      }
      if (line.kind == NoteKind::kCombined && !line.computed.empty()) {
        node["computed"] = line.computed;
      }
      if (!line.operands.empty()) {
        json operands = json::array();
        for (const Line::Operand& o : line.operands) {
          operands.push_back({{"expr", o.expr}, {"value", to_json_(o.type, o.value)}});
        }
        node["operands"] = std::move(operands);
      }
    }
    open.resize(std::min<size_t>(open.size(), line.depth));
    json& parent = open.empty() ? roots : (*open.back())["because"];
    if (parent.is_null()) {
      parent = json::array();
    }
    parent.push_back(std::move(node));
    if (open.size() == line.depth) {
      open.push_back(&parent.back());
    }
  }
  return roots;
}

auto QuotedLines(std::string_view text, const std::string& prefix) -> std::string {
  std::string out;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const size_t end = text.find('\n', start);
    out += prefix;
    out += text.substr(start, end == std::string_view::npos ? end : end - start);
    out += '\n';
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace policy
