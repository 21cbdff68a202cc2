#!/usr/bin/python3
# SPDX-License-Identifier: MPL-2.0
"""check_metrics.py - seinctl metrics, read by a real Prometheus parser.

Usage: check_metrics.py BEFORE AFTER ACCEPTED REJECTED

BEFORE and AFTER are `seinctl metrics` outputs taken around ACCEPTED
accepted submissions and REJECTED ones refused with code "empty", with
one watch session open at AFTER. Parsed with Debian's
python3-prometheus-client (text_string_to_metric_families): a format
error raises, a missing family or a counter that did not move as sent
fails with a message. Exit 0 when all holds.
"""
import sys

from prometheus_client.parser import text_string_to_metric_families

# Family name as the parser gives it (counters lose _total) -> type.
FAMILIES = {
    "sein_up": "gauge",
    "sein_build_info": "gauge",
    "sein_uptime_seconds": "gauge",
    "sein_head_seq": "gauge",
    "sein_requests_received": "counter",
    "sein_signals_accepted": "counter",
    "sein_signals_duplicate": "counter",
    "sein_requests_rejected": "counter",
    "sein_batches": "counter",
    "sein_storage_errors": "counter",
    "sein_replies_dropped": "counter",
    "sein_deliveries": "counter",
    "sein_watch_sessions": "gauge",
    "sein_watch_queued_events": "gauge",
    "sein_queue_depth": "gauge",
    "sein_store_bytes": "gauge",
    "sein_disk_free_bytes": "gauge",
    "sein_disk_size_bytes": "gauge",
    "sein_last_commit_seconds": "gauge",
    "sein_commit_duration_seconds": "histogram",
    "sein_fsync_duration_seconds": "histogram",
}


def parse(path):
    """{family: (type, {(sample name, labels): value})}"""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    families = {}
    for family in text_string_to_metric_families(text):
        if family.name in families:
            sys.exit(f"{path}: family {family.name} twice")
        samples = {}
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = sample.value
        families[family.name] = (family.type, samples)
    return families


def value(families, family, sample, **labels):
    samples = families.get(family, (None, {}))[1]
    return samples.get((sample, tuple(sorted(labels.items()))), 0.0)


def main():
    before, after = parse(sys.argv[1]), parse(sys.argv[2])
    accepted, rejected = int(sys.argv[3]), int(sys.argv[4])
    problems = []
    for name, kind in FAMILIES.items():
        if name not in after:
            problems.append(f"family {name} missing")
        elif after[name][0] != kind:
            problems.append(f"{name} is a {after[name][0]}, not a {kind}")
    if value(after, "sein_up", "sein_up") != 1:
        problems.append("sein_up is not 1")

    def moved(family, sample, **labels):
        return value(after, family, sample, **labels) - value(before, family, sample, **labels)

    checks = [
        ("accepted", moved("sein_signals_accepted", "sein_signals_accepted_total"), accepted),
        ("rejected empty", moved("sein_requests_rejected", "sein_requests_rejected_total",
                                 code="empty"), rejected),
        ("head", moved("sein_head_seq", "sein_head_seq"), accepted),
    ]
    for what, got, want in checks:
        if got != want:
            problems.append(f"{what} moved by {got}, not {want}")
    received = moved("sein_requests_received", "sein_requests_received_total")
    if received < accepted + rejected:
        problems.append(f"received moved by {received}, less than {accepted + rejected} sent")
    deliveries = sum(after["sein_deliveries"][1].values()) - sum(
        before["sein_deliveries"][1].values())
    if deliveries < accepted:
        problems.append(f"deliveries moved by {deliveries}: each signal reaches a team")
    if value(after, "sein_watch_sessions", "sein_watch_sessions") != 1:
        problems.append("not one watch session")
    if value(after, "sein_store_bytes", "sein_store_bytes", file="db") <= 0:
        problems.append("no store bytes")
    # The histogram: cumulative buckets, +Inf equal to the count, which moved.
    name = "sein_commit_duration_seconds"
    buckets = sorted((float(dict(labels)["le"]), got)
                     for (sample, labels), got in after[name][1].items()
                     if sample == name + "_bucket")
    counts = [got for _, got in buckets]
    if counts != sorted(counts):
        problems.append(f"{name} buckets not cumulative: {counts}")
    count = value(after, name, name + "_count")
    if not buckets or buckets[-1][0] != float("inf") or counts[-1] != count:
        problems.append(f"{name}: +Inf bucket is not the count {count}")
    if count <= value(before, name, name + "_count"):
        problems.append(f"{name}_count did not move")
    if value(after, name, name + "_sum") <= 0:
        problems.append(f"{name}_sum is not positive")
    for problem in problems:
        print("check_metrics:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
