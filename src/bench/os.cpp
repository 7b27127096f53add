// sleepUntil, the file descriptor limit and /proc/<pid>/status (see os.hpp).
#include "bench/os.hpp"

#include <sys/resource.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace clasp::bench {

void sleepUntil(std::uint64_t monoNs) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(monoNs / 1'000'000'000u);
  ts.tv_nsec = static_cast<long>(monoNs % 1'000'000'000u);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

Status<void> ensureFdLimit(std::uint64_t needed) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= needed) return {};
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < needed)
    return failure("needs " + std::to_string(needed) + " file descriptors, the hard limit is " +
                   std::to_string(lim.rlim_max));
  lim.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return failure("cannot raise the file descriptor limit");
  return {};
}

Status<ProcMemory> readProcMemory(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return failure(path + ": " + std::strerror(errno));
  ProcMemory m;
  bool haveRss = false;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kib = 0;
    if (std::sscanf(line, "VmRSS: %llu kB", &kib) == 1) {
      m.rssKib = kib;
      haveRss = true;
    } else if (std::sscanf(line, "RssAnon: %llu kB", &kib) == 1) {
      m.rssAnonKib = kib;
    }
  }
  std::fclose(f);
  if (!haveRss) return failure(path + " has no VmRSS line (is the process a zombie?)");
  return m;
}

}  // namespace clasp::bench
