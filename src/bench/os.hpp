// The few operating-system chores the bench modes share: sleeping until a
// CLOCK_MONOTONIC instant (the orchestrating main thread), raising the file
// descriptor limit (every connection holds a socket, and the default soft
// limit of 1024 would silently cap a large run), and reading a server's
// memory from /proc (conns mode's bytes per connection).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "bench/status.hpp"

namespace clasp::bench {

void sleepUntil(std::uint64_t monoNs);

// Raises the soft RLIMIT_NOFILE to `needed` if it is lower; fails only when
// the hard limit is lower too.
Status<void> ensureFdLimit(std::uint64_t needed);

// A process's resident memory from /proc/<pid>/status, in KiB.
struct ProcMemory {
  std::uint64_t rssKib = 0;      // VmRSS
  std::uint64_t rssAnonKib = 0;  // RssAnon: the heap and stacks, without mapped files
};
Status<ProcMemory> readProcMemory(pid_t pid);

}  // namespace clasp::bench
