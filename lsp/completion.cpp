#include "lsp/completion.h"

#include <fmt/format.h>

#include <set>

#include "core/builtins.h"
#include "lsp/navigation.h"

namespace policy::lsp {

namespace {

auto IsNameByte(char c) -> bool {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u >= 0x80;
}

auto SkipSpacesBack(const std::string& text, size_t at) -> size_t {
  while (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t')) {
    --at;
  }
  return at;
}

// The dotted chain of names that ends at `end` (exclusive), e.g. `c.programme` -> {c, programme}.
auto ChainBefore(const std::string& text, size_t end) -> std::vector<std::string> {
  std::vector<std::string> chain;
  size_t at = end;
  while (true) {
    at = SkipSpacesBack(text, at);
    size_t begin = at;
    while (begin > 0 && IsNameByte(text[begin - 1])) {
      --begin;
    }
    if (begin == at) {
      break;
    }
    chain.insert(chain.begin(), text.substr(begin, at - begin));
    const size_t before = SkipSpacesBack(text, begin);
    if (before == 0 || text[before - 1] != '.') {
      break;
    }
    at = before - 1;
  }
  return chain;
}

constexpr const char* kKeywords[] = {
    "module",  "import", "as",        "enum",      "record",    "type",  "const",     "def",   "decision",
    "default", "rule",   "exception", "when",      "then",      "else",  "if",        "match", "test",
    "expect",  "let",    "in",        "and",       "or",        "not",   "is",        "with",  "true",
    "false",   "none",   "some",      "source",    "effective", "from",  "until",     "to",    "of",
    "all",     "any",    "count",     "sum",       "min",       "max",   "filter",    "map",   "days",
    "weeks",   "months", "years",     "parameter", "value",     "fixed", "applicable"};

struct SnippetInfo {
  const char* label;
  const char* detail;
  const char* body;
};

constexpr SnippetInfo kSnippets[] = {
    {"decision", "a decision with a source, a default and a rule",
     "decision ${1:name}(${2:c}: ${3:Case}) -> ${4:Bool}\n  source \"${5:citation}\"\n  default "
     "${6:false}\n\n"
     "  rule ${7:rule_name}\n    source \"${8:citation}\"\n    when ${9:condition}\n    then ${10:true}"},
    {"rule", "a rule of a decision",
     "rule ${1:name}\n  source \"${2:citation}\"\n  when ${3:condition}\n  then ${4:true}"},
    {"exception", "an exception that overrides a rule",
     "exception ${1:name} to ${2:rule}\n  source \"${3:citation}\"\n  when ${4:condition}\n  then "
     "${5:false}"},
    {"parameter", "a value that changes on dates",
     "parameter ${1:name}: ${2:Int}\n  source \"${3:citation}\"\n  value ${4:0} effective from "
     "${5:2024-01-01}"},
    {"test", "a test of decisions on a case",
     "test \"${1:what it shows}\" {\n  expect ${2:decision(case)} == ${3:true}\n}"},
};

class Completer {
 public:
  Completer(const Snapshot& snapshot, const std::string& path, const std::string& text, uint32_t offset)
      : snapshot_(snapshot),
        index_(snapshot.index),
        text_(text),
        offset_(std::min<size_t>(offset, text.size())) {
    file_ = snapshot.FileOf(path);
  }

  auto Run() -> Json {
    size_t word = offset_;
    while (word > 0 && IsNameByte(text_[word - 1])) {
      --word;
    }
    const size_t before = SkipSpacesBack(text_, word);
    if (before > 0 && text_[before - 1] == '.') {
      AfterDot(ChainBefore(text_, before - 1));
      return Finish();
    }
    if (const auto e = ComparedEnum(before)) {
      AddVariants(*e, true);
    }
    Everything();
    return Finish();
  }

 private:
  auto Finish() -> Json { return {{"isIncomplete", false}, {"items", std::move(items_)}}; }

  void Add(const std::string& label, int kind, const std::string& detail, const std::string& doc,
           const std::string& sort_group) {
    if (!seen_.insert(label).second) {
      return;
    }
    Json item = {{"label", label}, {"kind", kind}, {"detail", detail}, {"sortText", sort_group + label}};
    if (!doc.empty()) {
      item["documentation"] = {{"kind", "markdown"}, {"value", doc}};
    }
    items_.push_back(std::move(item));
  }

  void AddSymbol(uint32_t id, const std::string& group) {
    const Symbol& s = index_.symbol(id);
    Add(s.name, LspCompletionKind(s.kind), s.signature, DescribeSymbol(s, "", {}), group);
  }

  // The module the document declares, from the snapshot.
  auto ModuleName() const -> std::string {
    if (!file_) {
      return "";
    }
    for (const Symbol& s : index_.symbols()) {
      if (s.kind == SymbolKind::kModule && s.name_span.file == *file_) {
        return s.qualified;
      }
    }
    return "";
  }

  // Locals named `name` (or all, when empty) of the declaration around the cursor. The snapshot's
  // offsets are those of an older text, so "around" is: the last declaration that starts before
  // the cursor.
  auto Locals() const -> std::vector<uint32_t> {
    std::vector<uint32_t> out;
    if (!file_) {
      return out;
    }
    std::string container;
    uint32_t best = 0;
    for (const Symbol& s : index_.symbols()) {
      const bool decl = s.kind == SymbolKind::kDecision || s.kind == SymbolKind::kFunction ||
                        s.kind == SymbolKind::kConst || s.kind == SymbolKind::kParameter;
      if (decl && s.name_span.file == *file_ && s.name_span.begin <= offset_ && s.name_span.begin >= best) {
        best = s.name_span.begin;
        container = s.qualified;
      }
    }
    for (uint32_t i = 0; i < index_.symbols().size(); ++i) {
      const Symbol& s = index_.symbol(i);
      if (s.kind == SymbolKind::kLocal && s.name_span.file == *file_ && s.container == container) {
        out.push_back(i);
      }
    }
    return out;
  }

  // What the module can name: its own declarations and what its uses and imports refer to in
  // other modules.
  auto Visible() const -> std::vector<uint32_t> {
    std::set<uint32_t> out;
    const std::string module = ModuleName();
    for (const uint32_t id : index_.ModuleMembers(module)) {
      out.insert(id);
    }
    if (file_) {
      for (const Occurrence& o : index_.InFile(*file_)) {
        const Symbol& s = index_.symbol(o.symbol);
        if (s.kind != SymbolKind::kLocal && s.kind != SymbolKind::kField && s.kind != SymbolKind::kRule) {
          out.insert(o.symbol);
        }
      }
    }
    return {out.begin(), out.end()};
  }

  auto FindVisible(const std::string& name) const -> std::optional<uint32_t> {
    for (const uint32_t id : Locals()) {
      if (index_.symbol(id).name == name) {
        return id;
      }
    }
    for (const uint32_t id : Visible()) {
      const Symbol& s = index_.symbol(id);
      const bool module_alias =
          s.kind == SymbolKind::kModule && s.qualified.substr(s.qualified.rfind('.') + 1) == name;
      if (s.name == name || module_alias) {
        return id;
      }
    }
    return std::nullopt;
  }

  // The type a dotted chain reaches: a local or constant, then fields.
  auto ChainType(const std::vector<std::string>& chain) const -> std::optional<TypeId> {
    if (chain.empty()) {
      return std::nullopt;
    }
    const auto head = FindVisible(chain[0]);
    if (!head) {
      return std::nullopt;
    }
    TypeId t = index_.symbol(*head).type;
    const TypeTable& types = snapshot_.checked->program.types;
    for (size_t i = 1; i < chain.size(); ++i) {
      t = types.Unwrap(t);
      if (types.kind(t) != Kind::kRecord) {
        return std::nullopt;
      }
      const RecordInfo& info = types.record_info(t);
      const auto f = info.FieldIndex(chain[i]);
      if (!f) {
        return std::nullopt;
      }
      t = info.fields[*f].type;
    }
    return t;
  }

  void AfterDot(const std::vector<std::string>& chain) {
    if (chain.empty()) {
      return;
    }
    const TypeTable& types = snapshot_.checked->program.types;
    if (chain.size() == 1) {
      if (const auto head = FindVisible(chain[0])) {
        const Symbol& s = index_.symbol(*head);
        if (s.kind == SymbolKind::kModule) {
          for (const uint32_t id : index_.ModuleMembers(s.qualified)) {
            AddSymbol(id, "0");
          }
          return;
        }
        if (s.kind == SymbolKind::kEnum) {
          AddVariants(s.type, false);
          return;
        }
      }
    }
    const auto t = ChainType(chain);
    if (!t) {
      return;
    }
    const TypeId record = types.Unwrap(*t);
    if (types.kind(record) != Kind::kRecord) {
      return;
    }
    const RecordInfo& info = types.record_info(record);
    for (const FieldInfo& f : info.fields) {
      if (const auto id = index_.Find(fmt::format("field {}.{}", info.name, f.name))) {
        AddSymbol(*id, "0");
      }
    }
  }

  // `chain ==`, `chain !=`, `chain in {..., ` and `chain in [..., `: the enum being compared.
  auto ComparedEnum(size_t before) const -> std::optional<TypeId> {
    const TypeTable& types = snapshot_.checked->program.types;
    size_t at = before;
    // Inside a set or list literal: back to its opening bracket.
    size_t scan = at;
    while (scan > 0 && text_[scan - 1] != '{' && text_[scan - 1] != '[' && text_[scan - 1] != '\n' &&
           (IsNameByte(text_[scan - 1]) || text_[scan - 1] == ',' || text_[scan - 1] == ' ')) {
      --scan;
    }
    if (scan > 0 && (text_[scan - 1] == '{' || text_[scan - 1] == '[')) {
      at = SkipSpacesBack(text_, scan - 1);
      if (at >= 2 && text_.compare(at - 2, 2, "in") == 0) {
        at = at - 2;
      } else {
        return std::nullopt;
      }
    } else if (at >= 2 && (text_.compare(at - 2, 2, "==") == 0 || text_.compare(at - 2, 2, "!=") == 0)) {
      at -= 2;
    } else {
      return std::nullopt;
    }
    const auto t = ChainType(ChainBefore(text_, at));
    if (!t) {
      return std::nullopt;
    }
    TypeId e = types.Unwrap(*t);
    if (types.kind(e) == Kind::kSet || types.kind(e) == Kind::kList) {
      e = types.Get(e).elem;
    }
    if (types.kind(e) != Kind::kEnum) {
      return std::nullopt;
    }
    return e;
  }

  void AddVariants(TypeId enum_type, bool preselect) {
    const TypeTable& types = snapshot_.checked->program.types;
    if (types.kind(enum_type) != Kind::kEnum) {
      return;
    }
    const EnumInfo& info = types.enum_info(enum_type);
    for (const std::string& v : info.variants) {
      if (const auto id = index_.Find(fmt::format("variant {}.{}", info.name, v))) {
        AddSymbol(*id, "0");
        if (preselect && items_.size() == 1) {
          items_.back()["preselect"] = true;
        }
      }
    }
  }

  void Everything() {
    for (const uint32_t id : Locals()) {
      AddSymbol(id, "1");
    }
    for (const uint32_t id : Visible()) {
      const Symbol& s = index_.symbol(id);
      if (s.kind == SymbolKind::kModule) {
        const std::string last = s.qualified.substr(s.qualified.rfind('.') + 1);
        Add(last, LspCompletionKind(s.kind), s.signature, "", "2");
      } else if (s.kind != SymbolKind::kTest && s.kind != SymbolKind::kVariant) {
        AddSymbol(id, "2");
      }
    }
    for (const BuiltinInfo& b : AllBuiltins()) {
      Add(std::string(b.name), 3, std::string(b.signature), "", "3");
    }
    for (const SnippetInfo& s : kSnippets) {
      Json item = {{"label", s.label},      {"kind", 15},
                   {"detail", s.detail},    {"insertText", s.body},
                   {"insertTextFormat", 2}, {"sortText", std::string("4") + s.label}};
      items_.push_back(std::move(item));
    }
    for (const char* k : kKeywords) {
      Add(k, 14, "keyword", "", "5");
    }
  }

  const Snapshot& snapshot_;
  const SymbolIndex& index_;
  const std::string& text_;
  size_t offset_;
  std::optional<FileId> file_;
  Json items_ = Json::array();
  std::set<std::string> seen_;
};

}  // namespace

auto Complete(const Snapshot& snapshot, const std::string& path, const std::string& text, uint32_t offset)
    -> Json {
  return Completer(snapshot, path, text, offset).Run();
}

}  // namespace policy::lsp
