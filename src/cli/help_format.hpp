// HelpFormatter: `--help` laid out like the user pages (clasp-server.md,
// relay-server.md): options under their page's section headings, in the
// page's order, each as `--name <VALUE>` with its description and default,
// wrapped to 80 columns. "Other" (config, help, version) comes last.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace clasp::cli {

class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
};

// Word-wraps `text` to `width` columns; continuation lines start with `indent` spaces.
std::string wrapText(const std::string& text, std::size_t firstColumn, std::size_t indent, std::size_t width);

}  // namespace clasp::cli
