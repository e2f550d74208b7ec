// CSV rows as case records: a header of dotted field paths (`programme.mode`,
// `applicant.date_of_birth`) names where each column goes in the decision's record type, and
// each row becomes the JSON text of one case record, which the engine's one case reader then
// reads, so a CSV cell that is wrong gets the same diagnostic and JSON path as the same mistake
// in a JSON file.
//
// A cell becomes JSON by the declared type of its field: Bool `true`/`false`; Int and Decimal
// as the number written (exactly: the text is passed on, never through a double); Text, Date,
// Duration and enum values as strings; a list, set or record column holds JSON text (a cell
// `["PHOTO","ID995A"]`). An empty cell is an absent field where the field may be absent
// (`name?: T`), else null (an optional field's "none"; a required field's error). A nested
// optional record whose cells are all empty is null as a whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/types.h"

namespace policy::batch {

class CsvCaseLayout {
 public:
  // The layout of `header` for records of `record`; nullopt with `*error` set when a column is
  // not a field path of the record, is named twice, or a required field has no column.
  static auto Make(const TypeTable& types, TypeId record, const std::vector<std::string>& header,
                   std::string* error) -> std::optional<CsvCaseLayout>;

  // The JSON text of one row's case record. `*error` is set (and "" returned) when the row has
  // not as many cells as the header has columns.
  auto ToJson(const std::vector<std::string>& cells, std::string* error) const -> std::string;
  // The same appended to `*out` (nothing appended on an error).
  void AppendJson(const std::vector<std::string>& cells, std::string* out, std::string* error) const;

  auto columns() const -> size_t { return column_count_; }

 private:
  enum class Cell : uint8_t { kBool, kNumber, kString, kJson };
  // A field of the record: a column (a leaf) or a record whose fields have columns.
  struct Node {
    std::string key_json;  // the field name as a JSON string, with its colon: `"mode":`
    int column = -1;       // the leaf's column; -1 for a record
    Cell cell = Cell::kString;
    bool may_be_absent = false;
    bool nullable = false;  // optional (`T?`): a record of empty cells is null
    std::vector<Node> children;
  };
  auto WriteObject(const std::vector<Node>& nodes, const std::vector<std::string>& cells,
                   std::string* out) const -> void;
  auto AllEmpty(const Node& node, const std::vector<std::string>& cells) const -> bool;

  std::vector<Node> root_;
  size_t column_count_ = 0;
};

// `s` as a JSON string (quotes, escapes).
void AppendJsonString(std::string_view s, std::string* out);
// Whether `s` is a JSON number as written in a case (`-12`, `7.5`, `1e3`).
auto IsJsonNumber(std::string_view s) -> bool;

}  // namespace policy::batch
