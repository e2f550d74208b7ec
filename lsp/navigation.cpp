#include "lsp/navigation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "compiler/syntax/parse.h"
#include "lsp/uri.h"

namespace policy::lsp {

namespace {

auto IsUserFile(const Snapshot& snapshot, FileId file) -> bool {
  return snapshot.file_of_path.count(snapshot.PathOf(file)) != 0;
}

// The occurrence under the cursor of a `textDocument/position` request.
auto OccurrenceAt(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> const Occurrence* {
  const auto at = ResolvePosition(snapshot, params, enc);
  if (!at) {
    return nullptr;
  }
  return snapshot.index.At(at->file, at->offset);
}

// Whether `name` is one name to the policy language's own lexer and parser: a constant declared
// with it parses, and declares exactly that name.
auto IsValidName(const std::string& name) -> bool {
  if (name.empty() || name.size() > 200 || name.find_first_of(" \t\r\n") != std::string::npos) {
    return false;
  }
  SourceBuffer buffer("<rename>", fmt::format("module m\nconst {} = 1\n", name));
  DiagnosticSink diags;
  const ast::Module m = syntax::Parse(buffer, 0, diags);
  return !diags.has_errors() && m.consts.size() == 1 && m.consts[0].name.text == name;
}

auto Quote(const std::string& doc) -> std::string {
  // Doc comments are written as prose; keep their line breaks as Markdown paragraphs would
  // otherwise join them.
  std::string out;
  for (const char c : doc) {
    out += c == '\n' ? std::string("  \n") : std::string(1, c);
  }
  return out;
}

}  // namespace

auto ResolvePosition(const Snapshot& snapshot, const Json& params, PositionEncoding enc)
    -> std::optional<TextPosition> {
  const std::string path = UriToPath(params.at("textDocument").at("uri").get<std::string>());
  const Position p = PositionFromJson(params.at("position"));  // malformed is an error either way
  const auto file = snapshot.FileOf(path);
  if (!file) {
    return std::nullopt;
  }
  return TextPosition{*file, snapshot.lines[*file].OffsetAt(p, enc)};
}

auto DescribeSymbol(const Symbol& s, const std::string& json_path, const HoverExtras& extras) -> std::string {
  std::string md = fmt::format("```policy\n{}\n```\n", s.signature);
  switch (s.kind) {
    case SymbolKind::kLocal:
      break;
    case SymbolKind::kModule:
      md += "\nmodule\n";
      break;
    case SymbolKind::kRule:
      md += fmt::format("\n{} of decision `{}`\n",
                        s.signature.rfind("exception", 0) == 0 ? "exception" : "rule", s.container);
      break;
    default:
      if (!s.container.empty()) {
        md += fmt::format("\n{} in `{}`\n", SymbolKindName(s.kind), s.container);
      }
      break;
  }
  if (s.doc != nullptr && !s.doc->empty()) {
    md += "\n" + Quote(*s.doc) + "\n";
  }
  std::vector<std::string> facts;
  if (!s.source.empty()) {
    facts.push_back(fmt::format("**Source:** {}", s.source));
  }
  if (!s.effective.empty()) {
    facts.push_back(fmt::format("**In force:** {}", s.effective));
  }
  if (!json_path.empty()) {
    facts.push_back(fmt::format("**JSON path:** `{}` of the case record", json_path));
  } else if (s.kind == SymbolKind::kField) {
    facts.push_back(fmt::format("**JSON key:** `\"{}\"` of a `{}`", s.json_name,
                                s.container.substr(s.container.rfind('.') + 1)));
  }
  if (s.kind == SymbolKind::kVariant) {
    facts.push_back(fmt::format("**JSON:** `\"{}\"`", s.json_name));
  }
  if (!extras.value_in_effect.empty()) {
    facts.push_back(fmt::format("**Value on {}:** `{}`", extras.as_of, extras.value_in_effect));
  }
  if (!facts.empty()) {
    md += "\n";
    for (const std::string& f : facts) {
      md += f + "  \n";
    }
  }
  return md;
}

auto Hover(const Snapshot& snapshot, const Json& params, PositionEncoding enc,
           const std::function<HoverExtras(const Symbol&)>& extras) -> Json {
  const Occurrence* o = OccurrenceAt(snapshot, params, enc);
  if (o == nullptr) {
    return nullptr;
  }
  const Symbol& s = snapshot.index.symbol(o->symbol);
  return {{"contents", {{"kind", "markdown"}, {"value", DescribeSymbol(s, o->json_path, extras(s))}}},
          {"range", RangeOf(snapshot, o->span, enc)}};
}

auto Definition(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const Occurrence* o = OccurrenceAt(snapshot, params, enc);
  if (o == nullptr) {
    return nullptr;
  }
  const Symbol& s = snapshot.index.symbol(o->symbol);
  if (!s.name_span.valid() || !IsUserFile(snapshot, s.name_span.file)) {
    return nullptr;  // a name of the embedded standard library has no file to open
  }
  return LocationOf(snapshot, s.name_span, enc);
}

auto References(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const Occurrence* o = OccurrenceAt(snapshot, params, enc);
  if (o == nullptr) {
    return nullptr;
  }
  const bool include_declaration =
      params.contains("context") && params["context"].value("includeDeclaration", false);
  Json out = Json::array();
  for (const Occurrence& r : snapshot.index.OccurrencesOf(o->symbol)) {
    if ((r.definition && !include_declaration) || !IsUserFile(snapshot, r.span.file)) {
      continue;
    }
    out.push_back(LocationOf(snapshot, r.span, enc));
  }
  return out;
}

auto DocumentHighlight(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const auto at = ResolvePosition(snapshot, params, enc);
  const Occurrence* o = at ? snapshot.index.At(at->file, at->offset) : nullptr;
  if (o == nullptr) {
    return nullptr;
  }
  Json out = Json::array();
  for (const Occurrence& r : snapshot.index.InFile(at->file)) {
    if (r.symbol == o->symbol) {
      out.push_back({{"range", RangeOf(snapshot, r.span, enc)}, {"kind", r.definition ? 3 : 2}});
    }
  }
  return out;
}

namespace {

// The symbol under the cursor, when it can be renamed; otherwise why not.
auto RenameTarget(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> const Occurrence& {
  const Occurrence* o = OccurrenceAt(snapshot, params, enc);
  if (o == nullptr) {
    throw RequestError(kRequestFailed, "there is no name here to rename");
  }
  const Symbol& s = snapshot.index.symbol(o->symbol);
  if (s.in_stdlib || !s.name_span.valid() || !IsUserFile(snapshot, s.name_span.file)) {
    throw RequestError(kRequestFailed, fmt::format("`{}` is declared in the standard library", s.name));
  }
  if (s.kind == SymbolKind::kModule) {
    throw RequestError(kRequestFailed, "a module is named by its `module` line and its imports; edit them");
  }
  if (s.kind == SymbolKind::kTest) {
    throw RequestError(kRequestFailed, "a test's name is its text; edit it in place");
  }
  return *o;
}

}  // namespace

auto PrepareRename(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const Occurrence& o = RenameTarget(snapshot, params, enc);
  return {{"range", RangeOf(snapshot, o.span, enc)}, {"placeholder", snapshot.index.symbol(o.symbol).name}};
}

auto Rename(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  if (snapshot.has_errors) {
    throw RequestError(kRequestFailed,
                       "the policies have errors; fix them first, so that every use is known");
  }
  const Occurrence& o = RenameTarget(snapshot, params, enc);
  const std::string new_name = params.at("newName").get<std::string>();
  if (!IsValidName(new_name)) {
    throw RequestError(kInvalidParams, fmt::format("`{}` is not a name in the policy language", new_name));
  }
  const Symbol& target = snapshot.index.symbol(o.symbol);
  // A name already declared beside it would make the rename change what other uses mean.
  for (const Symbol& s : snapshot.index.symbols()) {
    if (&s != &target && s.name == new_name && s.container == target.container &&
        s.kind != SymbolKind::kTest && (target.kind != SymbolKind::kLocal || s.kind == SymbolKind::kLocal)) {
      throw RequestError(kRequestFailed,
                         fmt::format("`{}` already declares `{}`", target.container, new_name));
    }
  }
  std::map<std::string, Json> changes;
  for (const Occurrence& r : snapshot.index.OccurrencesOf(o.symbol)) {
    if (!IsUserFile(snapshot, r.span.file)) {
      continue;
    }
    Json& edits = changes[PathToUri(snapshot.PathOf(r.span.file))];
    if (!edits.is_array()) {
      edits = Json::array();
    }
    edits.push_back({{"range", RangeOf(snapshot, r.span, enc)}, {"newText", new_name}});
  }
  Json out = {{"changes", Json::object()}};
  for (auto& [uri, edits] : changes) {
    out["changes"][uri] = std::move(edits);
  }
  return out;
}

auto DocumentSymbols(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const std::string path = UriToPath(params.at("textDocument").at("uri").get<std::string>());
  const auto file = snapshot.FileOf(path);
  if (!file) {
    return nullptr;
  }
  // Symbols of this file as a tree: decisions hold their rules, records their fields, enums their
  // values.
  std::map<int32_t, Json> nodes;
  std::vector<int32_t> order;
  const auto& symbols = snapshot.index.symbols();
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    const Symbol& s = symbols[i];
    if (s.kind == SymbolKind::kLocal || !s.name_span.valid() || s.name_span.file != *file) {
      continue;
    }
    Json node = {{"name", s.kind == SymbolKind::kTest ? "test \"" + s.name + "\"" : s.name},
                 {"detail", s.signature},
                 {"kind", LspSymbolKind(s.kind)},
                 {"range", RangeOf(snapshot, Span::Cover(s.extent, s.name_span), enc)},
                 {"selectionRange", RangeOf(snapshot, s.name_span, enc)},
                 {"children", Json::array()}};
    nodes[static_cast<int32_t>(i)] = std::move(node);
    order.push_back(static_cast<int32_t>(i));
  }
  Json roots = Json::array();
  // Children first, so that each is complete when moved into its parent.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Symbol& s = symbols[static_cast<uint32_t>(*it)];
    if (s.parent >= 0 && nodes.count(s.parent) != 0) {
      auto& children = nodes[s.parent]["children"];
      children.insert(children.begin(), std::move(nodes[*it]));
      nodes.erase(*it);
    }
  }
  for (const int32_t i : order) {
    if (nodes.count(i) != 0 && symbols[static_cast<uint32_t>(i)].kind != SymbolKind::kModule) {
      roots.push_back(std::move(nodes[i]));
    }
  }
  return roots;
}

namespace {

auto Lower(std::string s) -> std::string {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// How well `query` (lower case) names `name`, as editors' symbol pickers rank: a prefix, then a
// substring, then the initials of its words (`ptoca` for part_time_on_campus_allowed), then its
// letters in order. nullopt: no match.
auto MatchRank(const std::string& query, const std::string& name) -> std::optional<int> {
  const std::string lower = Lower(name);
  if (lower.rfind(query, 0) == 0) {
    return 0;
  }
  if (lower.find(query) != std::string::npos) {
    return 1;
  }
  std::string initials;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (i == 0 || lower[i - 1] == '_' || lower[i - 1] == '.') {
      initials.push_back(lower[i]);
    }
  }
  if (initials.rfind(query, 0) == 0) {
    return 2;
  }
  size_t q = 0;
  for (size_t i = 0; i < lower.size() && q < query.size(); ++i) {
    q += lower[i] == query[q] ? 1 : 0;
  }
  return q == query.size() ? std::optional(3) : std::nullopt;
}

}  // namespace

auto WorkspaceSymbols(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json {
  const std::string query = Lower(params.value("query", ""));
  std::vector<std::pair<int, uint32_t>> found;
  const auto& symbols = snapshot.index.symbols();
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    const Symbol& s = symbols[i];
    if (s.kind == SymbolKind::kLocal || !s.name_span.valid() || !IsUserFile(snapshot, s.name_span.file)) {
      continue;
    }
    if (const auto rank = MatchRank(query, s.name)) {
      found.emplace_back(*rank, i);
    }
  }
  std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
    return std::tie(a.first, symbols[a.second].name) < std::tie(b.first, symbols[b.second].name);
  });
  Json out = Json::array();
  for (const auto& [rank, i] : found) {
    const Symbol& s = symbols[i];
    out.push_back({{"name", s.name},
                   {"kind", LspSymbolKind(s.kind)},
                   {"containerName", s.container},
                   {"location", LocationOf(snapshot, s.name_span, enc)}});
    if (out.size() >= 500) {
      break;  // a picker shows a screenful; the user types more to narrow
    }
  }
  return out;
}

}  // namespace policy::lsp
