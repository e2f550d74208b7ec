#include "server/decision_log.h"

#include <cerrno>
#include <cstring>

namespace policy::server {

auto DecisionLog::Open(const std::string& path, std::string* error, size_t max_pending_bytes)
    -> std::unique_ptr<DecisionLog> {
  std::FILE* file = std::fopen(path.c_str(), "ae");  // append; close on exec
  if (file == nullptr) {
    *error = std::string("cannot open the decision log `") + path + "`: " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(file, max_pending_bytes));
}

DecisionLog::DecisionLog(std::FILE* file, size_t max_pending_bytes)
    : file_(file), max_pending_bytes_(max_pending_bytes), writer_([this] { WriteLoop(); }) {}

DecisionLog::~DecisionLog() {
  Close();
}

void DecisionLog::Append(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (closing_ || pending_bytes_ + line.size() > max_pending_bytes_) {
      ++dropped_;
      return;
    }
    pending_bytes_ += line.size() + 1;
    pending_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void DecisionLog::Close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      return;
    }
    closing_ = true;
  }
  wake_.notify_one();
  writer_.join();
  std::fclose(file_);
}

auto DecisionLog::dropped() const -> uint64_t {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void DecisionLog::WriteLoop() {
  std::vector<std::string> batch;
  while (true) {
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !pending_.empty(); });
      batch.swap(pending_);
      pending_bytes_ = 0;
      last = closing_;
    }
    for (const std::string& line : batch) {
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fputc('\n', file_);
    }
    // Flushed after each batch: a line is on disk (in the kernel) shortly after its answer, and
    // a crash of the server loses at most the batch being written.
    std::fflush(file_);
    batch.clear();
    if (last) {
      return;
    }
  }
}

}  // namespace policy::server
