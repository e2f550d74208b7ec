#include "compiler/base/source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <algorithm>

namespace policy {

SourceBuffer::SourceBuffer(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') {
      line_starts_.push_back(i + 1);
    }
  }
}

auto SourceBuffer::LineColAt(uint32_t offset) const -> LineCol {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<uint32_t>(it - line_starts_.begin());
  const uint32_t start = line_starts_[line - 1];
  return {line, CodePointCount(std::string_view(text_).substr(start, offset - start)) + 1};
}

auto SourceBuffer::LineText(uint32_t line) const -> std::string_view {
  if (line == 0 || line > line_starts_.size()) {
    return {};
  }
  const uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  while (end > start && (text_[end - 1] == '\n' || text_[end - 1] == '\r')) {
    --end;
  }
  return std::string_view(text_).substr(start, end - start);
}

auto SourceBuffer::Slice(Span span) const -> std::string_view {
  const uint32_t b = std::min<uint32_t>(span.begin, static_cast<uint32_t>(text_.size()));
  const uint32_t e = std::min<uint32_t>(std::max(span.end, b), static_cast<uint32_t>(text_.size()));
  return std::string_view(text_).substr(b, e - b);
}

auto SourceManager::Add(std::string path, std::string text) -> FileId {
  files_.push_back(std::make_unique<SourceBuffer>(std::move(path), std::move(text)));
  return static_cast<FileId>(files_.size() - 1);
}

auto CodePointCount(std::string_view text) -> uint32_t {
  uint32_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

auto FindInvalidUtf8(std::string_view text) -> size_t {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > text.size()) {
      return i;
    }
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return i;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong encodings, surrogates and code points past U+10FFFF.
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

namespace {

// A named pipe: opened without waiting for a writer (a plain open would block until one comes,
// forever if none does), then read to its end. With no writer the pipe reads as empty.
auto ReadFifo(const std::string& path, size_t max_bytes) -> BoundedRead {
  BoundedRead out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    out.status = BoundedRead::Status::kCannotRead;
    return out;
  }
  // Blocking again, so that a writer that is there is waited for; a pipe without one is at EOF.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
    ::close(fd);
    out.status = BoundedRead::Status::kCannotRead;
    return out;
  }
  constexpr size_t kChunk = 64 * 1024;
  while (out.text.size() <= max_bytes) {
    const size_t at = out.text.size();
    out.text.resize(at + kChunk);
    const ssize_t n = ::read(fd, out.text.data() + at, kChunk);
    if (n < 0 && errno == EINTR) {
      out.text.resize(at);
      continue;
    }
    if (n <= 0) {
      out.text.resize(at);
      if (n < 0) {
        out.status = BoundedRead::Status::kCannotRead;
        out.text.clear();
      }
      break;
    }
    out.text.resize(at + static_cast<size_t>(n));
  }
  ::close(fd);
  out.size = out.text.size();
  if (out.status == BoundedRead::Status::kOk && out.text.size() > max_bytes) {
    out.status = BoundedRead::Status::kTooLarge;
    out.text.clear();
  }
  return out;
}

}  // namespace

auto ReadBounded(const std::string& path, size_t max_bytes) -> BoundedRead {
  BoundedRead out;
  std::error_code ec;
  if (path != "-" && std::filesystem::is_regular_file(path, ec)) {
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes) {
      out.status = BoundedRead::Status::kTooLarge;
      out.size = size;
      return out;
    }
  }
  if (path != "-" && std::filesystem::is_fifo(path, ec)) {
    return ReadFifo(path, max_bytes);
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      out.status = BoundedRead::Status::kCannotRead;
      return out;
    }
    in = &file;
  }
  constexpr size_t kChunk = 64 * 1024;
  while (*in && out.text.size() <= max_bytes) {
    const size_t at = out.text.size();
    out.text.resize(at + kChunk);
    in->read(out.text.data() + at, static_cast<std::streamsize>(kChunk));
    out.text.resize(at + static_cast<size_t>(in->gcount()));
  }
  if (in->bad()) {
    out.status = BoundedRead::Status::kCannotRead;
    out.text.clear();
    return out;
  }
  out.size = out.text.size();
  if (out.text.size() > max_bytes) {
    out.status = BoundedRead::Status::kTooLarge;
    out.text.clear();
  }
  return out;
}

}  // namespace policy
