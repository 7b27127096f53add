// DurableState: the journal and the state file of one server run, wired to
// the router (DECISIONS D-23). Startup opens both (a damaged or unusable
// file is an error, never an empty start), restores the params (for each
// address the higher revision wins, the journal on a tie), and attaches the
// journal; the server's timer takes snapshots at the interval; shutdown
// writes the last snapshot and drains the journal.
#pragma once

#include <memory>
#include <string>

#include "cli/durable_flags.hpp"
#include "core/result.hpp"
#include "storage/journal.hpp"
#include "storage/state_file.hpp"
#include "transport/router_host.hpp"
#include "transport/server.hpp"

namespace clasp::cli {

class DurableState {
 public:
  static Result<std::unique_ptr<DurableState>> open(const DurableOptions& options);
  ~DurableState();

  // Before serving: loads the files into the router and starts the journal.
  Result<void> restore(transport::RouterHost& host);
  void attach(transport::RouterHost& host, transport::Server& server);
  // After the loops stopped: final snapshot, journal drained.
  void finish(transport::RouterHost& host);
  // The journal, when there is one (its lag is a metric).
  const storage::Journal* journal() const { return journal_.get(); }

 private:
  DurableOptions options_;
  std::unique_ptr<storage::StateFile> state_;
  std::unique_ptr<storage::Journal> journal_;
  std::uint64_t nextSnapshotMono_ = 0;
};

}  // namespace clasp::cli
