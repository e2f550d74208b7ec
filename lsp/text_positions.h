// Positions as the protocol counts them and as the compiler does. The compiler works in byte
// offsets into UTF-8 text; a client counts `character` in UTF-16 code units unless both sides
// agree on UTF-8 or UTF-32 at initialisation (LSP 3.17 `positionEncoding`). A position past the
// end of a line means the end of that line, and a line past the end of the text means its end:
// clients send such positions while the user types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace policy::lsp {

enum class PositionEncoding : uint8_t { kUtf16, kUtf8, kUtf32 };

auto EncodingName(PositionEncoding e) -> const char*;

struct Position {
  uint32_t line = 0;       // 0-based
  uint32_t character = 0;  // 0-based, in the encoding's code units
  auto operator==(const Position&) const -> bool = default;
};

struct Range {
  Position start;
  Position end;
  auto operator==(const Range&) const -> bool = default;
};

// Line starts of one text, for converting both ways in O(line length).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  auto OffsetAt(Position p, PositionEncoding enc) const -> uint32_t;
  auto PositionAt(uint32_t offset, PositionEncoding enc) const -> Position;
  auto RangeOf(uint32_t begin, uint32_t end, PositionEncoding enc) const -> Range {
    return {PositionAt(begin, enc), PositionAt(end, enc)};
  }

 private:
  auto LineEnd(uint32_t line) const -> uint32_t;
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// Applies one `contentChanges` entry of didChange: the text of `range` replaced by `replacement`.
void ApplyEdit(std::string& text, Range range, std::string_view replacement, PositionEncoding enc);

}  // namespace policy::lsp
