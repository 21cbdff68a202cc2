// SPDX-License-Identifier: MPL-2.0
/*  test_split.c - libsein's BATCH splitter (sein_split.h)

    The cases fuzz_split found, and the shapes seind writes, against the
    class alone: a watcher hands out what these return, and drops an
    event whose seq is not above the last one.
*/
#include "sein_split.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static int64_t
s_seq (const char *body)
{
    return sein_split_seq (body, strlen (body));
}

//  Found by fuzz_split: a space after the colon gave seq 0, so that the
//  watcher dropped the event as one it had handed out. The fast path
//  must read a seq as a parse does, or leave it to the parse.
static void
test_seq_as_parsed (void **state)
{
    (void) state;
    assert_int_equal (s_seq ("{\"seq\":812,\"event\":\"signal\"}"), 812);
    assert_int_equal (s_seq ("{\"seq\":812}"), 812);
    assert_int_equal (s_seq ("{\"seq\": 815, \"event\": \"status\"}"), 815);
    assert_int_equal (s_seq ("{\"seq\":\t7}"), 7);
    assert_int_equal (s_seq ("{\"event\":\"note\",\"seq\":9}"), 9);
    //  More digits than an int64_t holds are no seq, not an overflow.
    assert_int_equal (s_seq ("{\"seq\":99999999999999999999}"), 0);
    assert_int_equal (s_seq ("{\"seq\":9223372036854775807}"), INT64_MAX);
    assert_int_equal (s_seq ("{\"seq\":123456789012345678}"), 123456789012345678);
    //  None, or none that is a seq.
    assert_int_equal (s_seq ("{\"seq\":-5}"), 0);
    assert_int_equal (s_seq ("{\"seq\":12.5}"), 0);
    assert_int_equal (s_seq ("{\"seq\":0}"), 0);
    assert_int_equal (s_seq ("{\"seq\":\"3\"}"), 0);
    assert_int_equal (s_seq ("{\"seq\":"), 0);
    assert_int_equal (s_seq ("{\"seq\":42"), 0);
    assert_int_equal (s_seq ("{}"), 0);
}

//  The elements of a batch, in order, exactly; a malformed rest is none.
static void
test_next (void **state)
{
    (void) state;
    const char *batch = "[{\"seq\":1,\"d\":\"a } ] , { \\\"\"},\n {\"seq\":2,\"d\":\"\\\\\"},"
                        "{\"seq\":3,\"x\":[{\"y\":\"]\"}]} ,{\"seq\":4,\"cut\":\"";
    const char *want[] = {"{\"seq\":1,\"d\":\"a } ] , { \\\"\"}", "{\"seq\":2,\"d\":\"\\\\\"}",
                          "{\"seq\":3,\"x\":[{\"y\":\"]\"}]}"};
    size_t at = 0, size = strlen (batch), event_size, count = 0;
    const char *event;
    while ((event = sein_split_next (batch, size, &at, &event_size))) {
        assert_true (count < 3);
        assert_int_equal (event_size, strlen (want[count]));
        assert_memory_equal (event, want[count], event_size);
        assert_ptr_equal (batch + at, event + event_size);
        count++;
    }
    assert_int_equal (count, 3);
    at = 0;
    assert_null (sein_split_next ("[]", 2, &at, &event_size));
    at = 0;
    assert_null (sein_split_next ("[1,{\"seq\":1}]", 13, &at, &event_size));
    //  The input's bytes only: a string cut at its end is not followed.
    at = 0;
    assert_null (sein_split_next ("[{\"a\":\"\\\"", 9, &at, &event_size));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_seq_as_parsed),
        cmocka_unit_test (test_next),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
