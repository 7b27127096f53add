// Authentication flags (router.md R1.4, §7, R11.2, R11.3; docs/decisions.md
// "Token file"): `--token-file <path>` on both programs turns authenticated
// mode on with the tokens of that file; `clasp server --require-auth` (its
// user page) demands a token source and refuses to start without one. The
// file is read and checked while the command line is parsed, so a bad file
// is reported like any bad flag value: one line on stderr, exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/run_server.hpp"
#include "core/result.hpp"
#include "router/token_file.hpp"

namespace clasp::cli {

enum class AuthFlagSet : unsigned char {
  Relay,   // --token-file
  Server,  // --token-file, --require-auth
};

// Adds the flags; their callbacks fill o.router.requireAuth and .validator.
void addAuthFlags(CLI::App& app, RunOptions& o, AuthFlagSet which);

// Reads and parses a token file; the error names the file (and line) and
// what is wrong, never a token.
Result<std::shared_ptr<const router::TokenFile>> loadTokenFile(const std::string& path);

}  // namespace clasp::cli
