// The authentication flags of both programs (see auth_flags.hpp). Loading
// happens inside CLI11's option callbacks: an exception thrown there leaves
// parse() as a ParseError, which parseFlags (flags.hpp) prints as one line
// with exit code 2, the same path every other bad value takes.
#include "cli/auth_flags.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace clasp::cli {

Result<std::shared_ptr<const router::TokenFile>> loadTokenFile(const std::string& path) {
  std::error_code ec;
  // A directory opens like a file and then reads as nothing: say what it is.
  if (std::filesystem::is_directory(path, ec)) return fail(Errc::InvalidValue, "cannot read '" + path + "': is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::InvalidValue, "cannot read '" + path + "': " + std::strerror(errno));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(Errc::InvalidValue, "cannot read '" + path + "'");
  return router::TokenFile::parse(text, path);
}

void addAuthFlags(CLI::App& app, RunOptions& o, AuthFlagSet which) {
  CLI::Option* tokenFile =
      app.add_option_function<std::string>(
             "--token-file",
             [&o](const std::string& path) {
               auto tokens = loadTokenFile(path);
               if (!tokens) throw CLI::ValidationError("--token-file", tokens.error().message);
               o.router.requireAuth = true;
               o.router.validator = std::move(*tokens);
             },
             "Require a token from every client; one token per line: TOKEN [SCOPE,...] [expires=UNIX_SECONDS]")
          ->type_name("PATH")
          ->group("Security");
  if (which != AuthFlagSet::Server) return;
  app.add_flag_callback(
         "--require-auth",
         [&o, tokenFile] {
           // count() reflects the whole command line whichever callback runs
           // first, so the flags may come in any order.
           if (tokenFile->count() == 0)
             throw CLI::ValidationError(
                 "--require-auth", "needs a token source: --token-file PATH (JWT --token-secret is not supported yet)");
           o.router.requireAuth = true;
         },
         "Require an authentication token from every client (needs --token-file)")
      ->group("Security");
}

}  // namespace clasp::cli
