// clasp-relay: the production relay (relay-server.md). Its flags are in
// relay_flags.cpp; everything after parsing is shared with `clasp server`.
#include "cli/relay_flags.hpp"

int main(int argc, char** argv) { return clasp::cli::runProgram(clasp::cli::relayProgram(), argc, argv); }
