// The flags of clasp-relay, in the order and sections of its user page
// (relay-server.md), plus the additions docs/decisions.md lists.
#pragma once

#include "cli/command_line.hpp"

namespace clasp::cli {

ProgramDef relayProgram();

}  // namespace clasp::cli
