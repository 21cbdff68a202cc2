// SPDX-License-Identifier: MPL-2.0
/*  test_metrics.c - sein_metrics_text, the Prometheus renderer

    The renderer is checked here against replies made up to reach every
    case (escaping, unit conversion, a PING answer, no answer);
    test_ops.c feeds the real seind's answers through seinctl metrics to
    a real Prometheus parser.
*/
#include "sein.h"

#include "sein_alloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

//  How many lines of TEXT are exactly LINE.
static int
s_lines (const char *text, const char *line)
{
    int count = 0;
    size_t size = strlen (line);
    for (const char *at = text; at && *at; at = strchr (at, '\n'), at = at ? at + 1 : NULL)
        if (strncmp (at, line, size) == 0 && (at[size] == '\n' || at[size] == 0))
            count++;
    return count;
}

static void
test_no_answer (void **state)
{
    (void) state;
    char *text = sein_metrics_text (NULL);
    assert_int_equal (s_lines (text, "sein_up 0"), 1);
    assert_int_equal (s_lines (text, "# TYPE sein_up gauge"), 1);
    //  Nothing else: no counter seind did not give.
    assert_null (strstr (text, "sein_signals_accepted_total"));
    free (text);
}

static void
test_metrics_reply (void **state)
{
    (void) state;
    json_t *reply = json_loads (
        "{\"status\":\"ok\",\"server\":\"seind\",\"version\":\"1.2\\\"3\",\"head\":42,"
        "\"uptime\":7,\"counters\":{\"received\":9,\"accepted\":5,\"duplicates\":1,"
        "\"rejected\":3,\"batches\":4,\"largest_batch\":3,\"storage_errors\":0,"
        "\"replies_dropped\":2,\"watch_sessions\":1,\"watch_queued\":0},"
        "\"rejected_by_code\":{\"validation\":2,\"json\":1},"
        "\"deliveries\":{\"parks\":3,\"a\\\"b\\\\c\\nd\":1},"
        "\"queues\":{\"batch\":0,\"queries\":1},"
        "\"store\":{\"db\":8192,\"wal\":4096},"
        "\"latency\":{\"commit_ms\":1.5,\"fsync_ms\":0.25},"
        "\"histograms\":{\"commit_ms\":{\"le\":[0.5,1,2.5],\"counts\":[1,3,4],"
        "\"count\":5,\"sum\":12.5}}}",
        0, NULL);
    assert_non_null (reply);
    char *text = sein_metrics_text (reply);
    assert_int_equal (s_lines (text, "sein_up 1"), 1);
    assert_int_equal (s_lines (text, "sein_build_info{version=\"1.2\\\"3\"} 1"), 1);
    assert_int_equal (s_lines (text, "sein_head_seq 42"), 1);
    assert_int_equal (s_lines (text, "# TYPE sein_signals_accepted_total counter"), 1);
    assert_int_equal (s_lines (text, "sein_signals_accepted_total 5"), 1);
    assert_int_equal (s_lines (text, "sein_requests_received_total 9"), 1);
    assert_int_equal (s_lines (text, "sein_replies_dropped_total 2"), 1);
    //  By code, and the total left out: it would be a second series.
    assert_int_equal (s_lines (text, "sein_requests_rejected_total{code=\"validation\"} 2"), 1);
    assert_int_equal (s_lines (text, "sein_requests_rejected_total{code=\"json\"} 1"), 1);
    assert_int_equal (s_lines (text, "sein_requests_rejected_total 3"), 0);
    //  Backslash, quote and line feed escaped in a label value.
    assert_int_equal (s_lines (text, "sein_deliveries_total{team=\"a\\\"b\\\\c\\nd\"} 1"), 1);
    assert_int_equal (s_lines (text, "sein_deliveries_total{team=\"parks\"} 3"), 1);
    assert_int_equal (s_lines (text, "sein_store_bytes{file=\"wal\"} 4096"), 1);
    assert_int_equal (s_lines (text, "sein_queue_depth{queue=\"queries\"} 1"), 1);
    //  Milliseconds become seconds.
    assert_int_equal (s_lines (text, "sein_last_commit_seconds 0.0015"), 1);
    assert_int_equal (s_lines (text, "sein_last_fsync_seconds 0.00025"), 1);
    assert_int_equal (s_lines (text, "# TYPE sein_commit_duration_seconds histogram"), 1);
    assert_int_equal (s_lines (text, "sein_commit_duration_seconds_bucket{le=\"0.0005\"} 1"), 1);
    assert_int_equal (s_lines (text, "sein_commit_duration_seconds_bucket{le=\"0.0025\"} 4"), 1);
    assert_int_equal (s_lines (text, "sein_commit_duration_seconds_bucket{le=\"+Inf\"} 5"), 1);
    assert_int_equal (s_lines (text, "sein_commit_duration_seconds_sum 0.0125"), 1);
    assert_int_equal (s_lines (text, "sein_commit_duration_seconds_count 5"), 1);
    //  A histogram the reply lacks: its header, no samples.
    assert_int_equal (s_lines (text, "# TYPE sein_fsync_duration_seconds histogram"), 1);
    assert_null (strstr (text, "\nsein_fsync_duration_seconds_count"));
    //  Every line a comment or a sample, the last one ended.
    assert_int_equal (text[strlen (text) - 1], '\n');
    free (text);
    json_decref (reply);
}

//  A PING answer has the rejections' total only: one unlabelled sample.
static void
test_ping_reply (void **state)
{
    (void) state;
    json_t *reply = json_loads ("{\"status\":\"ok\",\"version\":\"1\",\"head\":0,\"uptime\":1,"
                                "\"counters\":{\"accepted\":0,\"rejected\":3}}",
                                0, NULL);
    char *text = sein_metrics_text (reply);
    assert_int_equal (s_lines (text, "sein_requests_rejected_total 3"), 1);
    assert_int_equal (s_lines (text, "sein_signals_accepted_total 0"), 1);
    assert_null (strstr (text, "\nsein_requests_received_total "));
    free (text);
    json_decref (reply);
}

int
main (void)
{
    sein_alloc_init ();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_no_answer),
        cmocka_unit_test (test_metrics_reply),
        cmocka_unit_test (test_ping_reply),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
