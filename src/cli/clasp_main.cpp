// clasp: the command-line tool; `clasp server` starts a router with the
// flags of its user page (clasp-server.md), defined in server_flags.cpp.
#include "cli/server_flags.hpp"

int main(int argc, char** argv) { return clasp::cli::runProgram(clasp::cli::serverProgram(), argc, argv); }
