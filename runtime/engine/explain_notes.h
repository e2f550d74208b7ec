// How an explanation shows a rule's notes (vm::ExprNote, issue 34): the part of a failed
// condition that decided it, opened through the helper functions it calls, with the values it
// read from the case written as the case's own paths (`c.programme.mode` is `part_time`, where the
// helper wrote `p.mode`); and the values a `then` combined (`min(500, 300) = 300`). One reading
// of the notes, written as text lines or as a JSON tree, so the two never say different things.
#pragma once

#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "compiler/base/source.h"
#include "compiler/ir/ir.h"
#include "runtime/vm/eval.h"

namespace policy {

// `text` line by line, each line after `prefix` ("    > "): how explanations quote the doc
// comment of a rule or a helper, the sentence of the law it encodes.
auto QuotedLines(std::string_view text, const std::string& prefix) -> std::string;

class RuleNotesView {
 public:
  using ToJson = std::function<nlohmann::ordered_json(TypeId, const Value&)>;
  RuleNotesView(const ir::Program& program, const SourceManager& sources, ToJson to_json)
      : program_(program), sources_(sources), to_json_(std::move(to_json)) {}

  // The lines under a rule's outcome line, each starting with `indent`. `conjunct` is the
  // condition the rule's line already names (its own note is not repeated), or null. `quoted`
  // holds the helpers whose doc comment the explanation has quoted already (each is quoted once).
  auto Text(std::span<const vm::ExprNote> notes, const ir::Conjunct* conjunct, const std::string& indent,
            std::set<uint32_t>* quoted) const -> std::string;
  // The same as a JSON array of trees: {"expr", "value", "helper"/"doc", "operands", "because"}.
  auto Json(std::span<const vm::ExprNote> notes) const -> nlohmann::ordered_json;

 private:
  struct Line;
  auto Read(std::span<const vm::ExprNote> notes) const -> std::vector<Line>;
  auto Source(Span span) const -> std::string;

  const ir::Program& program_;
  const SourceManager& sources_;
  ToJson to_json_;
};

}  // namespace policy
