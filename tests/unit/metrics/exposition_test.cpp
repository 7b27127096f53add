// TextWriter output line by line (Prometheus text format 0.0.4) and the
// histogram's bucket arithmetic. The black-box suite (tests/metrics) parses
// whole scrapes with the reference parser; these pin the details.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/counter.hpp"
#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"

namespace clasp::metrics {
namespace {

TEST(TextWriter, FamilyHeaderAndEscapedLabels) {
  TextWriter w;
  w.family("x_total", "Help with \\ and\nnewline", Type::Counter);
  const Label l[] = {{"a", "q\"uote\\back\nline"}, {"b", "plain"}};
  w.sample("x_total", l, 3);
  EXPECT_EQ(w.text(),
            "# HELP x_total Help with \\\\ and\\nnewline\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"q\\\"uote\\\\back\\nline\",b=\"plain\"} 3\n");
}

TEST(TextWriter, NumberForms) {
  std::string s;
  TextWriter::appendNumber(s, 42);
  s += ' ';
  TextWriter::appendNumber(s, 0.25);
  s += ' ';
  TextWriter::appendNumber(s, HUGE_VAL);
  s += ' ';
  TextWriter::appendNumber(s, -HUGE_VAL);
  s += ' ';
  TextWriter::appendNumber(s, std::nan(""));
  s += ' ';
  TextWriter::appendNumber(s, 1e20);
  EXPECT_EQ(s, "42 0.25 +Inf -Inf NaN 1e+20");
}

TEST(Histogram, CumulativeBucketsSumAndCount) {
  static constexpr std::uint64_t bounds[] = {1000, 5000};  // ns
  Histogram h(bounds);
  h.observe(500);
  h.observe(1000, 2);  // on the bound: le is inclusive
  h.observe(7000);
  HistogramTotal t;
  t.add(h);
  t.add(h);  // two shards
  TextWriter w;
  const Label l[] = {{"type", "set"}};
  w.histogram("lat_seconds", l, bounds, t.buckets, t.sum, 1e9);
  EXPECT_EQ(w.text(),
            "lat_seconds_bucket{type=\"set\",le=\"1e-06\"} 6\n"
            "lat_seconds_bucket{type=\"set\",le=\"5e-06\"} 6\n"
            "lat_seconds_bucket{type=\"set\",le=\"+Inf\"} 8\n"
            "lat_seconds_sum{type=\"set\"} 1.9e-05\n"  // Go's shortest form, as client_golang writes
            "lat_seconds_count{type=\"set\"} 8\n");
}

TEST(Counters, SerialAndShared) {
  SerialCounter s;
  s.add();
  s.add(4);
  EXPECT_EQ(s.value(), 5u);
  Counter c;
  c.add(2);
  EXPECT_EQ(c.value(), 2u);
  SerialGauge g;
  g.add(10);
  g.add(-3);
  EXPECT_EQ(g.value(), 7);
}

}  // namespace
}  // namespace clasp::metrics
