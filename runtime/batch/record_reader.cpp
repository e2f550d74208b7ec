#include "runtime/batch/record_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace policy::batch {

auto ByteSource::Fill() -> bool {
  if (!in_) {
    return false;
  }
  in_.read(buffer_, sizeof buffer_);
  pos_ = 0;
  end_ = static_cast<size_t>(in_.gcount());
  return end_ > 0;
}

auto ByteSource::ReadUntilNewline(std::string* out, size_t room, uint64_t* skipped) -> bool {
  while (true) {
    if (pos_ == end_ && !Fill()) {
      return false;
    }
    const char* begin = buffer_ + pos_;
    const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
    const size_t n = newline != nullptr ? static_cast<size_t>(newline - begin) : end_ - pos_;
    const size_t kept = std::min(n, room > out->size() ? room - out->size() : 0);
    out->append(begin, kept);
    *skipped += n - kept;
    pos_ += n;
    consumed_ += n;
    if (newline != nullptr) {
      ++pos_;
      ++consumed_;
      return true;
    }
  }
}

auto ReadLine(ByteSource& in, size_t max_bytes, uint64_t* line_number, Line* out) -> bool {
  out->text.clear();
  out->too_long = false;
  out->length = 0;
  if (in.Peek() < 0) {
    return false;
  }
  out->number = ++*line_number;
  uint64_t skipped = 0;
  in.ReadUntilNewline(&out->text, max_bytes, &skipped);
  out->length = out->text.size() + skipped;
  if (skipped != 0) {
    out->too_long = true;  // skipped to its end, never held whole
    out->text.clear();
    out->text.shrink_to_fit();
    return true;
  }
  if (!out->text.empty() && out->text.back() == '\r') {
    out->text.pop_back();
  }
  return true;
}

auto ReadCsvRecord(ByteSource& in, size_t max_bytes, uint64_t* line_number, CsvRecord* out) -> bool {
  out->fields.clear();
  out->too_long = false;
  out->error.clear();
  if (in.Peek() < 0) {
    return false;
  }
  out->line = ++*line_number;
  size_t bytes = 0;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the field began with a quote (and it has closed)
  auto fail = [&](std::string message) {
    if (out->error.empty()) {
      out->error = std::move(message);
    }
  };
  auto finish_field = [&] {
    if (!out->too_long) {
      out->fields.push_back(std::move(field));
    }
    field.clear();
    was_quoted = false;
  };
  while (true) {
    const int c = in.Get();
    if (c < 0) {
      if (quoted) {
        fail("a quoted field is not closed before the end of the input");
      }
      finish_field();
      break;
    }
    if (++bytes > max_bytes && !out->too_long) {
      out->too_long = true;
      out->fields.clear();
      field.clear();
    }
    if (quoted) {
      if (c == '"') {
        if (in.Peek() == '"') {
          in.Get();
          if (!out->too_long) {
            field.push_back('"');
          }
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') {
          ++*line_number;
        }
        if (!out->too_long) {
          field.push_back(static_cast<char>(c));
        }
      }
      continue;
    }
    if (c == ',') {
      finish_field();
    } else if (c == '\n') {
      finish_field();
      break;
    } else if (c == '\r' && in.Peek() == '\n') {
      continue;  // the \n ends the record
    } else if (c == '"') {
      if (field.empty() && !was_quoted) {
        quoted = true;
      } else {
        fail(fmt::format("a quote inside field {} that does not start with one", out->fields.size() + 1));
      }
    } else {
      if (was_quoted) {
        fail(fmt::format("text after the closing quote of field {}", out->fields.size() + 1));
      }
      if (!out->too_long) {
        field.push_back(static_cast<char>(c));
      }
    }
  }
  return true;
}

}  // namespace policy::batch
