// The flags of `clasp server`, in the order and sections of its user page
// (clasp-server.md), with the key of each in the `-c` YAML file.
#pragma once

#include "cli/command_line.hpp"

namespace clasp::cli {

ProgramDef serverProgram();

}  // namespace clasp::cli
