#include "lsp/convert.h"

#include "lsp/uri.h"

namespace policy::lsp {

auto ToJson(Position p) -> Json {
  return {{"line", p.line}, {"character", p.character}};
}

auto ToJson(const Range& r) -> Json {
  return {{"start", ToJson(r.start)}, {"end", ToJson(r.end)}};
}

auto JsonUint(const Json& j, const char* what) -> uint32_t {
  if (j.is_number_unsigned() && j.get<uint64_t>() <= UINT32_MAX) {
    return static_cast<uint32_t>(j.get<uint64_t>());
  }
  if (j.is_number_integer() && j.get<int64_t>() >= 0 && j.get<int64_t>() <= int64_t{UINT32_MAX}) {
    return static_cast<uint32_t>(j.get<int64_t>());
  }
  throw RequestError(kInvalidParams,
                     std::string("`") + what + "` must be a whole number from 0 to 4294967295");
}

auto JsonVersion(const Json& j) -> std::optional<int64_t> {
  if (j.is_number_integer()) {
    return j.get<int64_t>();  // also an unsigned one: nlohmann reads it as a two's complement int64
  }
  return std::nullopt;
}

auto PositionFromJson(const Json& j) -> Position {
  return {JsonUint(j.at("line"), "line"), JsonUint(j.at("character"), "character")};
}

auto RangeFromJson(const Json& j) -> Range {
  return {PositionFromJson(j.at("start")), PositionFromJson(j.at("end"))};
}

auto RangeOf(const Snapshot& snapshot, Span span, PositionEncoding enc) -> Json {
  if (!span.valid() || span.file >= snapshot.lines.size()) {
    return ToJson(Range{});
  }
  return ToJson(snapshot.lines[span.file].RangeOf(span.begin, span.end, enc));
}

auto LocationOf(const Snapshot& snapshot, Span span, PositionEncoding enc) -> Json {
  return {{"uri", PathToUri(snapshot.PathOf(span.file))}, {"range", RangeOf(snapshot, span, enc)}};
}

namespace {

auto SeverityNumber(Severity s) -> int {
  switch (s) {
    case Severity::kError:
      return 1;
    case Severity::kWarning:
      return 2;
    case Severity::kNote:
      return 3;
  }
  return 1;
}

}  // namespace

void AddDiagnostics(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                    PositionEncoding enc, std::map<std::string, Json>& by_uri) {
  std::map<FileId, LineIndex> lines;
  const auto range_of = [&](Span span) -> Json {
    auto it = lines.find(span.file);
    if (it == lines.end()) {
      it = lines.emplace(span.file, LineIndex(sources.Get(span.file).text())).first;
    }
    return ToJson(it->second.RangeOf(span.begin, span.end, enc));
  };
  for (const Diagnostic& d : diagnostics) {
    std::string path;
    Json range = ToJson(Range{});
    if (d.primary.valid()) {
      path = sources.Get(d.primary.file).path();
      range = range_of(d.primary);
    } else if (!d.file.empty()) {
      path = d.file;
    } else {
      continue;  // about no file (a command-line problem): nothing an editor can show
    }
    if (path.rfind("std/", 0) == 0) {
      continue;  // the embedded standard library is not the user's to fix
    }
    const DiagKindInfo& info = GetKindInfo(d.code);
    std::string message = d.message;
    if (!d.primary_text.empty()) {
      message += " (" + d.primary_text + ")";
    }
    for (const std::string& h : d.help) {
      message += "\nhelp: " + h;
    }
    for (const std::string& n : d.notes) {
      message += "\nnote: " + n;
    }
    Json out = {{"range", range},
                {"severity", SeverityNumber(d.severity)},
                {"code", info.code},
                {"source", "policy"},
                {"message", message}};
    Json related = Json::array();
    for (const Label& l : d.labels) {
      if (!l.span.valid()) {
        continue;
      }
      related.push_back(
          {{"location", {{"uri", PathToUri(sources.Get(l.span.file).path())}, {"range", range_of(l.span)}}},
           {"message", l.text.empty() ? std::string("related") : l.text}});
    }
    if (!related.empty()) {
      out["relatedInformation"] = std::move(related);
    }
    // The fixes travel with the diagnostic (LSP 3.16 `data`, which clients hand back in a
    // codeAction request), so answering the request needs no state of the server's own.
    Json fixes = Json::array();
    for (const Fix& f : d.fixes) {
      if (f.span.valid()) {
        fixes.push_back({{"title", f.title},
                         {"uri", PathToUri(sources.Get(f.span.file).path())},
                         {"range", range_of(f.span)},
                         {"newText", f.text}});
      }
    }
    if (!fixes.empty()) {
      out["data"] = {{"fixes", std::move(fixes)}};
    }
    if (d.code == DiagCode::kUnusedDeclaration) {
      out["tags"] = Json::array({1});  // Unnecessary
    }
    Json& list = by_uri[PathToUri(path)];
    if (!list.is_array()) {
      list = Json::array();
    }
    list.push_back(std::move(out));
  }
}

auto LspSymbolKind(SymbolKind k) -> int {
  switch (k) {
    case SymbolKind::kModule:
      return 2;  // Module
    case SymbolKind::kEnum:
      return 10;  // Enum
    case SymbolKind::kVariant:
      return 22;  // EnumMember
    case SymbolKind::kRecord:
      return 23;  // Struct
    case SymbolKind::kField:
      return 8;  // Field
    case SymbolKind::kAlias:
      return 26;  // TypeParameter: the closest the protocol has to a type name
    case SymbolKind::kConst:
      return 14;  // Constant
    case SymbolKind::kFunction:
    case SymbolKind::kDecision:
      return 12;  // Function
    case SymbolKind::kParameter:
      return 13;  // Variable: a value that changes with the date
    case SymbolKind::kRule:
      return 6;  // Method: a part of its decision
    case SymbolKind::kLocal:
      return 13;  // Variable
    case SymbolKind::kTest:
      return 24;  // Event
  }
  return 13;
}

auto LspCompletionKind(SymbolKind k) -> int {
  switch (k) {
    case SymbolKind::kModule:
      return 9;
    case SymbolKind::kEnum:
      return 13;
    case SymbolKind::kVariant:
      return 20;
    case SymbolKind::kRecord:
      return 22;
    case SymbolKind::kField:
      return 5;
    case SymbolKind::kAlias:
      return 25;
    case SymbolKind::kConst:
      return 21;
    case SymbolKind::kFunction:
    case SymbolKind::kDecision:
      return 3;
    case SymbolKind::kParameter:
    case SymbolKind::kLocal:
      return 6;
    case SymbolKind::kRule:
      return 2;
    case SymbolKind::kTest:
      return 23;
  }
  return 1;
}

}  // namespace policy::lsp
