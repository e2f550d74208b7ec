// Every name in a checked policy set: where each declaration is, and every place that refers to
// it. Built from the typed syntax trees (compiler/pipeline.h, CheckSources), so it means exactly
// what the checker decided a name means: the language server's definition, references, rename,
// hover, symbols and semantic tokens are all lookups in it, never a second resolution of names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/base/types.h"
#include "compiler/pipeline.h"

namespace policy::lsp {

enum class SymbolKind : uint8_t {
  kModule,
  kEnum,
  kVariant,
  kRecord,
  kField,
  kAlias,
  kConst,
  kFunction,
  kDecision,
  kParameter,  // a `parameter`: a value that changes on dates
  kRule,
  kLocal,  // a parameter of a function or decision, a `let`, an aggregate's or a pattern's name
  kTest,
};

auto SymbolKindName(SymbolKind k) -> const char*;

struct Symbol {
  SymbolKind kind = SymbolKind::kLocal;
  std::string key;        // unique in the set: "decision hk.employment.part_time_on_campus_allowed"
  std::string name;       // as written: `part_time_on_campus_allowed`
  std::string qualified;  // hk.employment.part_time_on_campus_allowed
  std::string container;  // the qualified name of what declares it (module, decision, record)
  Span name_span;         // where it is declared (invalid for what has no text: none here)
  Span extent;            // the whole declaration, for outlines
  std::string signature;  // `decision part_time_on_campus_allowed(c: Case) -> Bool`
  const std::string* doc = nullptr;
  std::string source;     // the `source` citation of a rule or decision
  std::string effective;  // `effective from 2014-03-17` of a rule or decision
  TypeId type = TypeTable::kErrorId;
  bool in_stdlib = false;
  // For a field: its JSON key; for a variant: how it is spelled in JSON.
  std::string json_name;
  int32_t parent = -1;  // the enclosing symbol (a rule's decision, a field's record), for outlines
};

struct Occurrence {
  Span span;
  uint32_t symbol = 0;
  bool definition = false;
  // A field read from a decision's case parameter: its JSON path in the case record
  // (`$.programme.level`).
  std::string json_path;
};

class SymbolIndex {
 public:
  static auto Build(const CheckedSources& checked, const SourceManager& sources) -> SymbolIndex;

  auto symbols() const -> const std::vector<Symbol>& { return symbols_; }
  auto symbol(uint32_t id) const -> const Symbol& { return symbols_[id]; }
  // The occurrence whose span contains `offset` in `file` (a name ending at `offset` counts, so
  // that a cursor just after a word finds it).
  auto At(FileId file, uint32_t offset) const -> const Occurrence*;
  // Every occurrence of `symbol`, its definition included, in file and position order.
  auto OccurrencesOf(uint32_t symbol) const -> std::vector<Occurrence>;
  auto InFile(FileId file) const -> const std::vector<Occurrence>&;
  auto Find(const std::string& key) const -> std::optional<uint32_t>;
  // The symbols a module declares (its own names, not what it imports), by module name.
  auto ModuleMembers(const std::string& module) const -> std::vector<uint32_t>;

 private:
  friend class IndexBuilder;
  std::vector<Symbol> symbols_;
  std::map<std::string, uint32_t> by_key_;
  std::map<FileId, std::vector<Occurrence>> occurrences_;  // sorted by span.begin
};

}  // namespace policy::lsp
