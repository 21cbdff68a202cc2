// SPDX-License-Identifier: MPL-2.0
/*  test_wire.c - the request reader and its refusals, over inproc

    sein_wire is exercised end to end by test_daemon and test_watch; this
    file holds the cases that are easier to state against the class alone:
    a refusal must reach the client as JSON it can parse, whatever the
    request held.
*/
#include "sein_wire.h"

#include "sein.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/time.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *const s_fields[] = {"filter", "credit", NULL};
static const sein_wire_command_t s_commands[] = {{"WATCH", s_fields, false}};

typedef struct {
    zsock_t *router, *dealer;
} s_pair_t;

static int
s_setup (void **state)
{
    s_pair_t *pair = (s_pair_t *) calloc (1, sizeof *pair);
    char *error = NULL;
    pair->router =
        sein_wire_bind ("inproc://test-wire", 65536, 100, 100, 0, 0, NULL, NULL, &error);
    assert_non_null (pair->router);
    pair->dealer = zsock_new_dealer (">inproc://test-wire");
    assert_non_null (pair->dealer);
    *state = pair;
    return 0;
}

static int
s_teardown (void **state)
{
    s_pair_t *pair = (s_pair_t *) *state;
    zsock_destroy (&pair->dealer);
    zsock_destroy (&pair->router);
    free (pair);
    return 0;
}

//  Send a WATCH with BODY (SIZE bytes), read it, refuse it as the daemon
//  does, and return the parsed reply body (fresh) with *request_error
//  filled.
static json_t *
s_refused_n (s_pair_t *pair, const char *body, size_t size,
             sein_error_t *request_error)
{
    zstr_sendm (pair->dealer, SEIN_PROTOCOL);
    zstr_sendm (pair->dealer, "WATCH");
    zstr_sendm (pair->dealer, "c1");
    zmq_send (zsock_resolve (pair->dealer), body, size, 0);
    zsock_set_rcvtimeo (pair->router, 2000);
    zmq_pollitem_t item = {zsock_resolve (pair->router), 0, ZMQ_POLLIN, 0};
    assert_int_equal (zmq_poll (&item, 1, 2000), 1);
    sein_request_t request;
    sein_request_init (&request);
    assert_int_equal (sein_wire_recv (zsock_resolve (pair->router), s_commands, 1, 65536,
                                      NULL, &request),
                      0);
    assert_true (request.rejected);
    *request_error = request.error;
    sein_buf_t buf = {0};
    assert_int_equal (sein_wire_reject (zsock_resolve (pair->router), &request.envelope,
                                        request.reply, NULL, &request.error, &buf),
                      0);
    sein_buf_free (&buf);
    sein_request_clear (&request);
    zsock_set_rcvtimeo (pair->dealer, 2000);
    zmsg_t *reply = zmsg_recv (pair->dealer);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 4);
    zframe_t *last = zmsg_last (reply);
    json_t *json =
        json_loadb ((const char *) zframe_data (last), zframe_size (last), 0, NULL);
    zmsg_destroy (&reply);
    return json;
}

static json_t *
s_refused (s_pair_t *pair, const char *body, sein_error_t *request_error)
{
    return s_refused_n (pair, body, strlen (body), request_error);
}

//  An unknown field whose name is cut at 64 bytes in the middle of a
//  character: the reply used to carry half a character, not UTF-8 (found
//  by fuzz_wire).
static void
test_unknown_field_cut_on_a_character (void **state)
{
    s_pair_t *pair = (s_pair_t *) *state;
    char key[80];
    memset (key, 'k', 63);
    strcpy (key + 63, "\xc3\xa9"); //  63 bytes, then "é" across the 64th
    char body[128];
    snprintf (body, sizeof body, "{\"%s\": 1}", key);
    sein_error_t error;
    json_t *reply = s_refused (pair, body, &error);
    assert_string_equal (error.code, "unknown-field");
    assert_int_equal (strlen (error.name), 63); //  error.field pointed into the request
    assert_non_null (reply); //  jansson refuses a reply that is not UTF-8
    json_t *field = json_object_get (json_object_get (reply, "error"), "field");
    assert_int_equal (strlen (json_string_value (field)), 63);
    json_decref (reply);
}

//  jansson quotes the bytes near a syntax error, and cut them inside a
//  character: the reply was not UTF-8 (found by fuzz_wire).
static void
test_json_error_near_a_character (void **state)
{
    s_pair_t *pair = (s_pair_t *) *state;
    sein_error_t error;
    json_t *reply = s_refused (pair, "{\"x\\u00\xef\xbb\xbf:1}", &error);
    assert_string_equal (error.code, "json");
    assert_non_null (reply);
    json_t *message = json_object_get (json_object_get (reply, "error"), "message");
    assert_non_null (strstr (json_string_value (message), "not valid JSON"));
    json_decref (reply);
}

//  A body with a NUL byte before a number out of range: the reader
//  patched a copy made with strndup, which stops at the NUL, and wrote
//  past its end (found by fuzz_wire; shows under the sanitizer build).
static void
test_nul_byte_before_a_huge_number (void **state)
{
    s_pair_t *pair = (s_pair_t *) *state;
    static const char body[] =
        "{\"credit\": \0 1e99999999, \"filter\": 99999999999999999999999}";
    sein_error_t error;
    json_t *reply = s_refused_n (pair, body, sizeof body - 1, &error);
    assert_string_equal (error.code, "json");
    assert_non_null (reply);
    json_decref (reply);
}

static volatile sig_atomic_t s_alarms;
static void
s_on_alarm (int signal)
{
    (void) signal;
    s_alarms++;
}

//  A signal that lands while the reader takes the later frames of a
//  message (seind gets SIGHUP, SIGTERM) makes libzmq's receive fail with
//  EINTR now and then, even for a frame that is there. Every message must
//  still be read whole: under a storm of signals, a thousand rounds of
//  pipelined requests all come out as the requests sent.
static void
test_frames_survive_signals (void **state)
{
    s_pair_t *pair = (s_pair_t *) *state;
    static const char *const no_fields[] = {NULL};
    const sein_wire_command_t ping[] = {{"PING", no_fields, false}};
    struct sigaction action = {0}, old;
    action.sa_handler = s_on_alarm; //  no SA_RESTART: calls see EINTR
    sigaction (SIGALRM, &action, &old);
    struct itimerval storm = {{0, 20}, {0, 20}}, off = {{0, 0}, {0, 0}};
    void *router = zsock_resolve (pair->router);
    size_t read = 0, whole = 0;
    for (int round = 0; round < 1000; round++) {
        for (int index = 0; index < 50; index++) {
            zstr_sendm (pair->dealer, SEIN_PROTOCOL);
            zstr_sendm (pair->dealer, "PING");
            zstr_sendm (pair->dealer, "c");
            zstr_send (pair->dealer, "{}");
        }
        //  The storm blows while the reader reads (sends would fail too).
        setitimer (ITIMER_REAL, &storm, NULL);
        //  Misread frames would leave fewer messages than sent: give up
        //  on a round after a second without one.
        int64_t deadline = zclock_mono () + 1000;
        while (read < (size_t) (round + 1) * 50 && zclock_mono () < deadline) {
            sein_request_t request;
            sein_request_init (&request);
            if (sein_wire_recv (router, ping, 1, 65536, NULL, &request) == 0) {
                read++;
                whole += !request.rejected;
            }
            sein_request_clear (&request);
        }
        setitimer (ITIMER_REAL, &off, NULL);
        if (read < (size_t) (round + 1) * 50)
            break;
    }
    sigaction (SIGALRM, &old, NULL);
    assert_true (s_alarms > 0);
    assert_int_equal (read, 50000);
    assert_int_equal (whole, read);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_unknown_field_cut_on_a_character),
        cmocka_unit_test (test_json_error_near_a_character),
        cmocka_unit_test (test_nul_byte_before_a_huge_number),
        cmocka_unit_test (test_frames_survive_signals),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
