#!/usr/bin/python3
"""Reads a Prometheus text exposition on stdin and prints it as JSON, parsed
by the reference Python client's parser (prometheus_client), so the metrics
suite checks our output against a real consumer rather than its own reader.
Output: {"families": [{"name", "type", "samples": [{"name", "labels", "value"}]}]}.
A parse error prints {"error": "..."} and exits 1."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def number(v):
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if math.isnan(v):
        return "NaN"
    return v


def main():
    text = sys.stdin.read()
    try:
        families = []
        for f in text_string_to_metric_families(text):
            families.append({
                "name": f.name,
                "type": f.type,
                "samples": [{"name": s.name, "labels": dict(s.labels), "value": number(s.value)}
                            for s in f.samples],
            })
    except Exception as e:  # the parser raises ValueError and friends
        print(json.dumps({"error": str(e)}))
        return 1
    print(json.dumps({"families": families}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
