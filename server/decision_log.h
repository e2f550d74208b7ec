// The decision log of `policy serve`: one JSON line per decision (docs/server.md, "Decision
// log"). Request threads hand a finished line to Append, which only moves it into a queue under a
// short lock; a writer thread of its own writes and flushes the queue in batches, so a slow disk
// never delays an answer. When the disk falls so far behind that the queue holds more than
// `max_pending_bytes`, new lines are dropped and counted (dropped()) rather than letting memory
// grow without bound; /metrics reports the count.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace policy::server {

class DecisionLog {
 public:
  // Opens `path` for appending. Null with `*error` set when it cannot be opened.
  static auto Open(const std::string& path, std::string* error, size_t max_pending_bytes = 64u << 20)
      -> std::unique_ptr<DecisionLog>;
  ~DecisionLog();  // Close()
  DecisionLog(const DecisionLog&) = delete;
  auto operator=(const DecisionLog&) -> DecisionLog& = delete;

  // Queues one line (without its newline).
  void Append(std::string line);
  // Writes everything queued, flushes, and stops the writer. Later Appends are dropped.
  void Close();
  auto dropped() const -> uint64_t;

 private:
  DecisionLog(std::FILE* file, size_t max_pending_bytes);
  void WriteLoop();

  std::FILE* file_;
  const size_t max_pending_bytes_;
  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::vector<std::string> pending_;
  size_t pending_bytes_ = 0;
  uint64_t dropped_ = 0;
  bool closing_ = false;
  std::thread writer_;
};

}  // namespace policy::server
