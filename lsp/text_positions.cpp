#include "lsp/text_positions.h"

#include <algorithm>

namespace policy::lsp {

namespace {

// The length in bytes of the UTF-8 sequence starting with `lead`; an invalid lead byte counts as
// one byte (and one code unit), so that any bytes can be walked.
auto SequenceLength(unsigned char lead) -> uint32_t {
  if (lead < 0x80) {
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    return 2;
  }
  if ((lead & 0xF0) == 0xE0) {
    return 3;
  }
  if ((lead & 0xF8) == 0xF0) {
    return 4;
  }
  return 1;
}

auto CodeUnits(uint32_t bytes, PositionEncoding enc) -> uint32_t {
  switch (enc) {
    case PositionEncoding::kUtf8:
      return bytes;
    case PositionEncoding::kUtf16:
      return bytes == 4 ? 2 : 1;  // outside the BMP: a surrogate pair
    case PositionEncoding::kUtf32:
      return 1;
  }
  return 1;
}

}  // namespace

auto EncodingName(PositionEncoding e) -> const char* {
  switch (e) {
    case PositionEncoding::kUtf16:
      return "utf-16";
    case PositionEncoding::kUtf8:
      return "utf-8";
    case PositionEncoding::kUtf32:
      return "utf-32";
  }
  return "utf-16";
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      starts_.push_back(i + 1);
    }
  }
}

auto LineIndex::LineEnd(uint32_t line) const -> uint32_t {
  uint32_t end = line + 1 < starts_.size() ? starts_[line + 1] - 1 : static_cast<uint32_t>(text_.size());
  if (end > starts_[line] && text_[end - 1] == '\r' && line + 1 < starts_.size()) {
    --end;  // a CRLF line ends before its CR
  }
  return end;
}

auto LineIndex::OffsetAt(Position p, PositionEncoding enc) const -> uint32_t {
  if (p.line >= starts_.size()) {
    return static_cast<uint32_t>(text_.size());
  }
  const uint32_t end = LineEnd(p.line);
  uint32_t offset = starts_[p.line];
  uint32_t units = 0;
  while (offset < end && units < p.character) {
    const uint32_t len = std::min(SequenceLength(static_cast<unsigned char>(text_[offset])), end - offset);
    units += CodeUnits(len, enc);
    offset += len;
  }
  return offset;
}

auto LineIndex::PositionAt(uint32_t offset, PositionEncoding enc) const -> Position {
  offset = std::min(offset, static_cast<uint32_t>(text_.size()));
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const auto line = static_cast<uint32_t>(it - starts_.begin() - 1);
  uint32_t at = starts_[line];
  uint32_t units = 0;
  while (at < offset) {
    const uint32_t len = std::min(SequenceLength(static_cast<unsigned char>(text_[at])), offset - at);
    units += CodeUnits(len, enc);
    at += len;
  }
  return {line, units};
}

void ApplyEdit(std::string& text, Range range, std::string_view replacement, PositionEncoding enc) {
  const LineIndex index(text);
  uint32_t begin = index.OffsetAt(range.start, enc);
  uint32_t end = index.OffsetAt(range.end, enc);
  if (end < begin) {
    std::swap(begin, end);
  }
  text.replace(begin, end - begin, replacement);
}

}  // namespace policy::lsp
