// Reading a stream of case records one record at a time, with bounds: JSON Lines (one record per
// line) or CSV (RFC 4180: a header row, quoted fields may hold commas, quotes written twice and
// line breaks). Memory is bounded by the longest record allowed, whatever the input's size: a
// record past `max_record_bytes` is skipped to its end and reported, never held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace policy::batch {

// Buffered reading of bytes from a stream, counting what was consumed (for progress).
class ByteSource {
 public:
  explicit ByteSource(std::istream& in) : in_(in) {}
  // The next byte, or -1 at the end.
  auto Get() -> int {
    if (pos_ == end_ && !Fill()) {
      return -1;
    }
    ++consumed_;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }
  auto Peek() -> int {
    if (pos_ == end_ && !Fill()) {
      return -1;
    }
    return static_cast<unsigned char>(buffer_[pos_]);
  }
  auto consumed() const -> uint64_t { return consumed_; }
  // Appends bytes up to (not including) the next '\n' to `out`, at most `room` of them (the rest
  // are counted in `*skipped` and dropped), and consumes the '\n'. False when the input ended
  // first (what came before it is still appended). One memchr per buffer, not a call per byte.
  auto ReadUntilNewline(std::string* out, size_t room, uint64_t* skipped) -> bool;

 private:
  auto Fill() -> bool;
  std::istream& in_;
  char buffer_[1 << 16];
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t consumed_ = 0;
};

// One line of JSON Lines input.
struct Line {
  uint64_t number = 0;    // 1-based
  std::string text;       // without the line break (and a trailing \r)
  bool too_long = false;  // longer than the limit: `text` is empty, the line was skipped
  uint64_t length = 0;    // its length in bytes
};

// Reads lines; false at the end of the input.
auto ReadLine(ByteSource& in, size_t max_bytes, uint64_t* line_number, Line* out) -> bool;

// One CSV record (a row).
struct CsvRecord {
  uint64_t line = 0;  // the physical line it starts on, 1-based
  std::vector<std::string> fields;
  bool too_long = false;  // more than the limit: `fields` is empty
  // A quote in the middle of an unquoted field, or text after a closing quote: the row is
  // malformed, `error` says where.
  std::string error;
};

// Reads CSV records; false at the end of the input. `*line_number` counts physical lines.
auto ReadCsvRecord(ByteSource& in, size_t max_bytes, uint64_t* line_number, CsvRecord* out) -> bool;

}  // namespace policy::batch
