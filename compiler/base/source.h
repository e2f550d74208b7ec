// Source text and positions. Internally every position is a byte offset into one file
// (a Span is a half-open byte range); line and column are computed on demand, 1-based, with the
// column counted in Unicode code points so that Chinese text underlines correctly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace policy {

using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

struct Span {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;

  auto valid() const -> bool { return file != kNoFile; }
  static auto Cover(Span a, Span b) -> Span {
    if (!a.valid()) {
      return b;
    }
    if (!b.valid()) {
      return a;
    }
    return {a.file, a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

struct LineCol {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in code points
};

class SourceBuffer {
 public:
  SourceBuffer(std::string path, std::string text);

  auto path() const -> const std::string& { return path_; }
  auto text() const -> std::string_view { return text_; }
  auto LineColAt(uint32_t offset) const -> LineCol;
  // The text of 1-based line `line`, without its line terminator.
  auto LineText(uint32_t line) const -> std::string_view;
  auto line_count() const -> uint32_t { return static_cast<uint32_t>(line_starts_.size()); }
  auto Slice(Span span) const -> std::string_view;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

// Owns every loaded source so that Spans (which hold a FileId) can be resolved later.
class SourceManager {
 public:
  auto Add(std::string path, std::string text) -> FileId;
  auto Get(FileId id) const -> const SourceBuffer& { return *files_[id]; }
  auto size() const -> size_t { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceBuffer>> files_;
};

// Counts code points in a UTF-8 byte range (continuation bytes are not counted).
// Reads `path` (or standard input for "-") when it is at most `max_bytes` long. Never reads
// more than `max_bytes + 1` bytes, so a huge file or an endless stream cannot exhaust memory
// before a size limit is reported. `size` is the file's size when known (regular files), else
// the bytes read.
struct BoundedRead {
  enum class Status : uint8_t { kOk, kCannotRead, kTooLarge };
  Status status = Status::kOk;
  std::string text;
  uint64_t size = 0;
};
auto ReadBounded(const std::string& path, size_t max_bytes) -> BoundedRead;

auto CodePointCount(std::string_view text) -> uint32_t;
// Returns the byte offset of the first invalid UTF-8 sequence, or npos when `text` is valid.
auto FindInvalidUtf8(std::string_view text) -> size_t;

}  // namespace policy
