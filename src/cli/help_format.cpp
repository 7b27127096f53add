// HelpFormatter: see help_format.hpp. CLI11 gives the options, groups and
// defaults; the layout is ours because CLI11 2.1's own does not wrap and
// prints CLI11 type names (UINT, TEXT) where the pages show <PORT>, <PATH>.
#include "cli/help_format.hpp"

#include <algorithm>
#include <sstream>

namespace clasp::cli {

namespace {

constexpr std::size_t kWidth = 80;
constexpr std::size_t kDescColumn = 28;

// The placeholder after an option that takes a value.
std::string metavar(const CLI::Option* opt) {
  std::string type = opt->get_type_name();
  if (auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);
  if (type == "UINT" || type == "INT" || type == "NUMBER" || type == "FLOAT") return "N";
  if (type == "TEXT" || type.empty()) return "VALUE";
  return type;
}

std::string optionNames(const CLI::Option* opt) {
  std::string names;
  for (const auto& s : opt->get_snames()) names += "-" + s + ", ";
  for (const auto& l : opt->get_lnames()) names += "--" + l + ", ";
  names.resize(names.size() - 2);
  if (opt->get_expected_max() > 0) names += " <" + metavar(opt) + ">";
  return names;
}

std::string optionLine(const CLI::Option* opt) {
  std::string desc = opt->get_description();
  const std::string def = opt->get_default_str();
  // \x01 keeps "[default: X]" on one line; wrapText turns it back into a space.
  if (!def.empty() && desc.find("[default") == std::string::npos) desc += " [default:\x01" + def + "]";
  std::string line = "  " + optionNames(opt);
  if (line.size() + 2 > kDescColumn) {
    line += "\n" + std::string(kDescColumn, ' ');
  } else {
    line.append(kDescColumn - line.size(), ' ');
  }
  return line + wrapText(desc, kDescColumn, kDescColumn, kWidth) + "\n";
}

}  // namespace

std::string wrapText(const std::string& text, std::size_t firstColumn, std::size_t indent, std::size_t width) {
  std::istringstream words(text);
  std::string out, word;
  std::size_t column = firstColumn;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    column += word.size();
    std::replace(word.begin(), word.end(), '\x01', ' ');
    out += word;
    first = false;
  }
  return out;
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const {
  std::string out;
  if (!app->get_description().empty()) out += wrapText(app->get_description(), 0, 0, kWidth) + "\n\n";
  const auto subcommands = app->get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
  if (name.empty()) {
    name = app->get_name();
    if (const CLI::App* parent = app->get_parent()) name = parent->get_name() + " " + name;
  }
  out += "Usage: " + name + (subcommands.empty() ? " [OPTIONS]" : " <COMMAND> [OPTIONS]") + "\n";
  if (!subcommands.empty()) {
    out += "\nCommands:\n";
    for (const CLI::App* sub : subcommands) {
      std::string line = "  " + sub->get_name();
      line.append(line.size() < kDescColumn ? kDescColumn - line.size() : 1, ' ');
      out += line + wrapText(sub->get_description(), kDescColumn, kDescColumn, kWidth) + "\n";
    }
  }
  std::vector<std::string> groups = app->get_groups();
  // "Other" (config file, help, version) closes the list, as on the pages.
  std::stable_partition(groups.begin(), groups.end(), [](const std::string& g) { return g != "Other"; });
  for (const std::string& group : groups) {
    if (group.empty()) continue;
    auto opts = app->get_options([&](const CLI::Option* o) { return o->get_group() == group && o->nonpositional(); });
    if (opts.empty()) continue;
    out += "\n" + group + ":\n";
    for (const CLI::Option* o : opts) out += optionLine(o);
  }
  if (!subcommands.empty()) out += "\nRun '" + name + " <COMMAND> --help' for a command's options.\n";
  return out;
}

}  // namespace clasp::cli
