// SPDX-License-Identifier: MPL-2.0
/*  test_durable.c - fsync tickets: which commits a sync puts on disk

    sein_durable is exercised end to end by test_daemon and the fault
    scripts; these are the rules easier to state against the class alone,
    on a log file of its own: a ticket is settled only by a sync that began
    after it, and a hurried commit gets a sync of its own beside the group
    commit's.
*/
#include "sein_durable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S_WAIT_MS 5000

typedef struct {
    char dir[64];
    char path[96];
    sein_durable_t *durable;
} s_test_t;

static int
s_setup (void **state)
{
    s_test_t *self = (s_test_t *) calloc (1, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "/tmp/sein-durable-XXXXXX");
    assert_non_null (mkdtemp (self->dir));
    snprintf (self->path, sizeof self->path, "%s/sein.db", self->dir);
    //  The log the syncs open: what is in it does not matter here.
    char wal[128];
    snprintf (wal, sizeof wal, "%s-wal", self->path);
    FILE *file = fopen (wal, "w");
    assert_non_null (file);
    fputs ("log", file);
    fclose (file);
    self->durable = sein_durable_new (self->path);
    assert_non_null (self->durable);
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_durable_destroy (&self->durable);
    assert_null (self->durable);
    char wal[128];
    snprintf (wal, sizeof wal, "%s-wal", self->path);
    unlink (wal);
    rmdir (self->dir);
    free (self);
    return 0;
}

//  Collect what the actors answer until TICKET is settled or S_WAIT_MS
//  passed; returns whether it settled.
static bool
s_settle (sein_durable_t *durable, uint64_t ticket)
{
    int64_t deadline = zclock_mono () + S_WAIT_MS;
    while (!sein_durable_settled (durable, ticket) && zclock_mono () < deadline) {
        if (sein_durable_ready (durable))
            sein_durable_collect (durable);
        else
            zclock_sleep (1);
    }
    return sein_durable_settled (durable, ticket);
}

//  The group commit keeps one sync in flight: a commit made meanwhile is
//  not settled by it, and waits for the next sein_durable_sync.
static void
test_group_sync_covers_what_came_before (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_durable_t *durable = self->durable;
    assert_int_equal (sein_durable_commit (durable), 1);
    assert_int_equal (sein_durable_commit (durable), 2);
    assert_false (sein_durable_settled (durable, 1));
    sein_durable_sync (durable, true);
    uint64_t late = sein_durable_commit (durable);
    sein_durable_sync (durable, true); //  one in flight: no second
    assert_true (s_settle (durable, 2));
    assert_true (sein_durable_settled (durable, 1));
    zclock_sleep (50); //  room for a sync that should not have begun
    if (sein_durable_ready (durable))
        sein_durable_collect (durable);
    assert_false (sein_durable_settled (durable, late));
    sein_durable_sync (durable, false); //  right here
    assert_true (sein_durable_settled (durable, late));
    assert_int_equal (sein_durable_error (durable, late), 0);
    assert_int_equal (sein_durable_failed (durable), 0);
}

//  A commit hurried (the fast lane's) while the group commit's sync of an
//  earlier one is in flight: its ticket.
static uint64_t
s_hurried (sein_durable_t *durable)
{
    sein_durable_commit (durable);
    sein_durable_sync (durable, true);
    uint64_t fast = sein_durable_commit (durable);
    sein_durable_hurry (durable);
    return fast;
}

//  A hurried commit does not wait for the group commit's sync in flight:
//  it is settled without another sein_durable_sync, whichever sync
//  returns first.
static void
test_hurry_beside_the_group_sync (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_durable_t *durable = self->durable;
    uint64_t fast = s_hurried (durable);
    assert_true (s_settle (durable, fast));
    assert_true (sein_durable_settled (durable, fast - 1));
    //  Both answered in the end, nothing left in flight: a ticket taken now
    //  is settled by the next sync and by nothing older.
    int64_t deadline = zclock_mono () + S_WAIT_MS;
    while (zclock_mono () < deadline) {
        if (sein_durable_ready (durable))
            sein_durable_collect (durable);
        zclock_sleep (10);
        if (!sein_durable_ready (durable))
            break;
    }
    uint64_t next = sein_durable_commit (durable);
    assert_false (sein_durable_settled (durable, next));
    sein_durable_hurry (durable);
    assert_true (s_settle (durable, next));
    //  Nothing is left to sync: hurrying starts nothing.
    sein_durable_hurry (durable);
    zclock_sleep (20);
    assert_false (sein_durable_ready (durable));
    int64_t us;
    int timings = 0;
    while (sein_durable_timing (durable, &us))
        timings++;
    assert_true (timings >= 3);
}

//  Syncing on the caller's thread waits for the syncs in flight first,
//  so that their results are not left for a later collect.
static void
test_sync_now_after_the_actors (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_durable_t *durable = self->durable;
    uint64_t fast = s_hurried (durable);
    uint64_t last = sein_durable_commit (durable);
    assert_int_equal (sein_durable_sync_now (durable), 0);
    assert_true (sein_durable_settled (durable, fast));
    assert_true (sein_durable_settled (durable, last));
    assert_false (sein_durable_ready (durable));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_group_sync_covers_what_came_before, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_hurry_beside_the_group_sync, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_sync_now_after_the_actors, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
