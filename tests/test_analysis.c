// SPDX-License-Identifier: MPL-2.0
/*  test_analysis.c - lists, grouped counts and the text index (issue 10)

    Unit tests of the store's read side on a backdated history written with
    sein_sample: every LIST filter, alone and combined, paged both ways,
    and the FTS5 search, each against a brute-force selection of the same
    samples; STATS groups (counts, open backlog, overdue share, medians,
    busiest streets) against figures computed here from the samples. Then
    through the real seind: LIST and STATS on the wire, their refusals,
    and STATS {} answering as it always did.
*/
#include "sein_harness.h"
#include "sein.h"
#include "sein_alerts.h"
#include "sein_sample.h"
#include "sein_store.h"

#include <unistd.h>

#include <czmq.h>
#include <math.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S_SAMPLES 400
#define S_REPLY_MS 5000

static const char *s_areas[][2] = {{"z1", "w1"}, {"z2", "w1"}, {"w1", "w1"}, {"w2", "w2"}};
static const char *s_themes[] = {"afval", "groen", "verkeer"};
static const char *s_streets[] = {"Naamsestraat", "Tiensestraat", "Bondgenotenlaan",
                                  "Parijsstraat", "Diestsestraat"};
static const char *s_texts[] = {"Kapot bankje in het park", "Zwerfvuil aan de glasbak",
                                "Fietspad geblokkeerd door een bestelwagen",
                                "Gevaarlijk kruispunt, bankje omver"};

typedef struct {
    sein_sample_t samples[S_SAMPLES];
    char times[S_SAMPLES][4][32];
    char path[256], text_path[300];
    sein_store_t *store;
} s_fixture_t;

static s_fixture_t *
s_fixture_new (void)
{
    s_fixture_t *self = (s_fixture_t *) calloc (1, sizeof *self);
    snprintf (self->path, sizeof self->path, "%s/test_analysis-%d.db", SEIN_BINARY_DIR,
              getpid ());
    snprintf (self->text_path, sizeof self->text_path, "%s.text", self->path);
    for (int index = 0; index < S_SAMPLES; index++) {
        sein_sample_t *sample = &self->samples[index];
        int64_t received = (int64_t) index * 5 * 3600 + (index % 13) * 61;
        sein_sample_time (received, self->times[index][0]);
        sample->received_at = self->times[index][0];
        sample->area = s_areas[index % 4][0];
        sample->wijk = s_areas[index % 4][1];
        sample->theme = s_themes[index % 3];
        sample->priority = index % 5 == 0 ? "high" : "normal";
        sample->source = index % 4 == 1 ? "staff" : "citizen";
        sample->teams = index % 2 ? ",team-a,team-b," : ",team-a,";
        sample->street = index % 6 ? s_streets[index % 5] : NULL;
        sample->description = s_texts[index % 4];
        sample->has_point = index % 3 != 2;
        sample->lat = 50.87 + index * 1e-5;
        sample->lon = 4.70;
        if (index % 3) {
            sein_sample_time (received + (index % 7 + 1) * 600, self->times[index][1]);
            sample->acknowledged_at = self->times[index][1];
        }
        if (index % 2 == 0) {
            sein_sample_time (received + (index % 5 + 2) * 3600, self->times[index][2]);
            sample->resolved_at = self->times[index][2];
        }
        if (index % 11 == 0) {
            sein_sample_time (received + 2 * 86400, self->times[index][3]);
            sample->overdue_at = self->times[index][3];
        }
    }
    char *error = NULL;
    sein_store_t *writer = sein_store_new (self->path, "normal", &error);
    assert_non_null (writer);
    if (sein_sample_write (writer, self->samples, S_SAMPLES))
        fail_msg ("sample: %s", sein_store_error (writer));
    sein_store_destroy (&writer);
    self->store = sein_store_new_query (self->path, self->text_path, &error);
    if (!self->store)
        fail_msg ("%s", error);
    return self;
}

static void
s_fixture_destroy (s_fixture_t **self_p)
{
    s_fixture_t *self = *self_p;
    sein_store_destroy (&self->store);
    const char *suffixes[] = {"", "-wal", "-shm", ".text", ".text-wal", ".text-shm"};
    for (size_t index = 0; index < 6; index++) {
        char *path = zsys_sprintf ("%s%s", self->path, suffixes[index]);
        unlink (path);
        zstr_free (&path);
    }
    free (self);
    *self_p = NULL;
}

static const char *
s_status (const sein_sample_t *sample)
{
    return sample->resolved_at ? "resolved" : sample->acknowledged_at ? "acknowledged" : "new";
}

//  The filter, decided here from the samples alone.
static bool
s_selects (const sein_store_filter_t *filter, const sein_sample_t *sample)
{
    const char *status = s_status (sample);
    bool open = !streq (status, "resolved");
    if (filter->area && !streq (filter->area, sample->area) &&
        !streq (filter->area, sample->wijk))
        return false;
    if (filter->theme && !streq (filter->theme, sample->theme))
        return false;
    if (filter->status && streq (filter->status, "open") ? !open
        : filter->status && streq (filter->status, "finished")
            ? open
            : filter->status && !streq (filter->status, status))
        return false;
    if (filter->team) {
        char pattern[80];
        snprintf (pattern, sizeof pattern, ",%s,", filter->team);
        if (!strstr (sample->teams, pattern))
            return false;
    }
    if (filter->source && !streq (filter->source, sample->source))
        return false;
    if (filter->priority && !streq (filter->priority, sample->priority))
        return false;
    if (filter->overdue >= 0 && filter->overdue != (sample->overdue_at != NULL))
        return false;
    if (filter->from && strcmp (sample->received_at, filter->from) < 0)
        return false;
    if (filter->until && strcmp (sample->received_at, filter->until) >= 0)
        return false;
    //  The tests' text queries are single words, matched case-blind.
    if (filter->text && !strcasestr (sample->description, filter->text))
        return false;
    return true;
}

typedef struct {
    int64_t seqs[S_SAMPLES];
    int count;
} s_page_t;

static int
s_take (json_t *signal, void *arg)
{
    s_page_t *page = (s_page_t *) arg;
    page->seqs[page->count++] = json_integer_value (json_object_get (signal, "seq"));
    return 0;
}

//  Page through FILTER's list both ways, LIMIT at a time, and compare
//  with the samples it should select.
static void
s_check_list (s_fixture_t *self, const sein_store_filter_t *filter, const char *name)
{
    int64_t expected[S_SAMPLES];
    int count = 0;
    for (int index = 0; index < S_SAMPLES; index++)
        if (s_selects (filter, &self->samples[index]))
            expected[count++] = self->samples[index].seq;
    if (count == 0)
        fail_msg ("%s: the fixture selects nothing: a test that cannot fail", name);
    for (int ascending = 0; ascending < 2; ascending++) {
        s_page_t all = {{0}, 0};
        int64_t after = 0;
        while (true) {
            s_page_t page = {{0}, 0};
            int visited =
                sein_store_list (self->store, filter, ascending, after, 7, s_take, &page);
            assert_int_equal (visited, page.count);
            for (int index = 0; index < page.count; index++)
                all.seqs[all.count++] = page.seqs[index];
            if (page.count < 7)
                break;
            after = page.seqs[page.count - 1];
        }
        if (all.count != count)
            fail_msg ("%s: %d signals listed, %d expected", name, all.count, count);
        for (int index = 0; index < count; index++) {
            int64_t want = ascending ? expected[index] : expected[count - 1 - index];
            if (all.seqs[index] != want)
                fail_msg ("%s: position %d is seq %lld, expected %lld", name, index,
                          (long long) all.seqs[index], (long long) want);
        }
    }
}

static void
test_list_filters (void **state)
{
    (void) state;
    s_fixture_t *self = s_fixture_new ();
    //  The index catches up in chunks; the watermark then is the head.
    assert_int_equal (sein_store_text_upto (self->store), 0);
    while (sein_store_index_text (self->store, 100) > 0)
        ;
    assert_int_equal (sein_store_text_upto (self->store), sein_store_head (self->store));
    sein_store_filter_t none = {.overdue = -1};
    s_check_list (self, &none, "no filter");
    sein_store_filter_t filter = none;
    filter.area = "w1";
    s_check_list (self, &filter, "a wijk with its zones");
    filter.area = "z2";
    s_check_list (self, &filter, "a zone");
    filter = none;
    filter.theme = "groen";
    s_check_list (self, &filter, "theme");
    const char *statuses[] = {"open", "finished", "new", "acknowledged", "resolved"};
    for (size_t index = 0; index < 5; index++) {
        filter = none;
        filter.status = statuses[index];
        s_check_list (self, &filter, statuses[index]);
    }
    filter = none;
    filter.team = "team-b";
    s_check_list (self, &filter, "team");
    filter = none;
    filter.source = "staff";
    s_check_list (self, &filter, "source");
    filter = none;
    filter.priority = "high";
    s_check_list (self, &filter, "priority");
    filter = none;
    filter.overdue = 1;
    s_check_list (self, &filter, "overdue");
    filter.overdue = 0;
    s_check_list (self, &filter, "not overdue");
    filter = none;
    filter.from = self->samples[100].received_at;
    filter.until = self->samples[250].received_at;
    s_check_list (self, &filter, "from, until");
    filter = none;
    filter.text = "bankje";
    s_check_list (self, &filter, "text");
    filter.text = "glasbak";
    s_check_list (self, &filter, "text, another word");
    filter = none;
    filter.area = "w1";
    filter.theme = "afval";
    filter.status = "open";
    filter.text = "glasbak";
    filter.from = self->samples[20].received_at;
    s_check_list (self, &filter, "combined");
    //  No match at all: an empty list, not an error.
    filter = none;
    filter.area = "nowhere";
    s_page_t page = {{0}, 0};
    assert_int_equal (sein_store_list (self->store, &filter, false, 0, 10, s_take, &page), 0);
    //  A query FTS5 cannot read is an error, and the store keeps serving.
    filter = none;
    filter.text = "\"unbalanced";
    assert_int_equal (sein_store_list (self->store, &filter, false, 0, 10, s_take, &page), -1);
    filter.text = "park";
    assert_true (sein_store_list (self->store, &filter, false, 0, 10, s_take, &page) > 0);
    s_fixture_destroy (&self);
}

static void
test_text_index_follows_the_store (void **state)
{
    (void) state;
    s_fixture_t *self = s_fixture_new ();
    //  Half indexed: a search sees only what the watermark covers.
    assert_int_equal (sein_store_index_text (self->store, S_SAMPLES / 2), S_SAMPLES / 2);
    int64_t upto = sein_store_text_upto (self->store);
    assert_int_equal (upto, self->samples[S_SAMPLES / 2 - 1].seq);
    sein_store_filter_t filter = {.overdue = -1, .text = "fietspad"};
    s_page_t page = {{0}, 0};
    sein_store_list (self->store, &filter, true, 0, S_SAMPLES, s_take, &page);
    int expected = 0;
    for (int index = 0; index < S_SAMPLES / 2; index++)
        expected += strstr (self->samples[index].description, "Fietspad") != NULL;
    assert_int_equal (page.count, expected);
    assert_true (page.seqs[page.count - 1] <= upto);
    //  Reopened, it goes on from its watermark; for another store it
    //  starts over.
    sein_store_destroy (&self->store);
    char *error = NULL;
    self->store = sein_store_new_query (self->path, self->text_path, &error);
    assert_int_equal (sein_store_text_upto (self->store), upto);
    sein_store_destroy (&self->store);
    char *other = zsys_sprintf ("%s-other", self->path);
    sein_store_t *writer = sein_store_new (other, "normal", &error);
    sein_store_destroy (&writer);
    sein_store_t *store = sein_store_new_query (other, self->text_path, &error);
    assert_non_null (store);
    assert_int_equal (sein_store_text_upto (store), 0);
    sein_store_destroy (&store);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t index = 0; index < 3; index++) {
        char *path = zsys_sprintf ("%s%s", other, suffixes[index]);
        unlink (path);
        zstr_free (&path);
    }
    zstr_free (&other);
    self->store = sein_store_new_query (self->path, self->text_path, &error);
    assert_int_equal (sein_store_text_upto (self->store), 0);
    s_fixture_destroy (&self);
}

//  ---------------------------------------------------------------------
//  Grouped counts

static int
s_compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static int64_t
s_seconds (const char *time)
{
    struct tm tm = {0};
    strptime (time, "%Y-%m-%dT%H:%M:%S", &tm);
    return (int64_t) timegm (&tm);
}

//  The median of the durations from received to FIELD (0: acknowledged,
//  1: resolved) over the samples FILTER and the group select; -1: none.
static json_int_t
s_median (s_fixture_t *self, const sein_store_filter_t *filter, const char *area,
          const char *theme, const char *month, int field)
{
    double values[S_SAMPLES];
    int count = 0;
    for (int index = 0; index < S_SAMPLES; index++) {
        const sein_sample_t *sample = &self->samples[index];
        const char *at = field ? sample->resolved_at
                               : sample->acknowledged_at ? sample->acknowledged_at
                                                         : sample->resolved_at;
        if (s_selects (filter, sample) && streq (sample->area, area) &&
            streq (sample->theme, theme) && strncmp (sample->received_at, month, 7) == 0 &&
            at)
            values[count++] = (double) (s_seconds (at) - s_seconds (sample->received_at));
    }
    if (count == 0)
        return -1;
    qsort (values, (size_t) count, sizeof *values, s_compare_double);
    return (json_int_t) llround (count % 2 ? values[count / 2]
                                           : (values[count / 2 - 1] + values[count / 2]) / 2);
}

static void
s_check_stats (s_fixture_t *self, const sein_store_filter_t *filter)
{
    const char *by[] = {"area", "theme", "month", NULL};
    json_t *stats = sein_store_analysis (self->store, filter, by, 3, 5);
    assert_non_null (stats);
    //  Every group against the samples, and every sample in one group.
    int64_t covered = 0, total_overdue = 0;
    size_t index;
    json_t *group;
    json_array_foreach (json_object_get (stats, "groups"), index, group) {
        const char *area = json_string_value (json_object_get (group, "area"));
        const char *theme = json_string_value (json_object_get (group, "theme"));
        const char *month = json_string_value (json_object_get (group, "month"));
        int64_t count = 0, open = 0, overdue = 0;
        for (int number = 0; number < S_SAMPLES; number++) {
            const sein_sample_t *sample = &self->samples[number];
            if (!s_selects (filter, sample) || !streq (sample->area, area) ||
                !streq (sample->theme, theme) || strncmp (sample->received_at, month, 7))
                continue;
            count++;
            open += !sample->resolved_at;
            overdue += sample->overdue_at != NULL;
        }
        assert_true (count > 0);
        assert_int_equal (json_integer_value (json_object_get (group, "count")), count);
        assert_int_equal (json_integer_value (json_object_get (group, "open")), open);
        assert_int_equal (json_integer_value (json_object_get (group, "overdue")), overdue);
        assert_true (fabs (json_real_value (json_object_get (group, "share_overdue")) -
                           (double) overdue / count) < 1e-9);
        json_int_t acknowledge = s_median (self, filter, area, theme, month, 0);
        json_int_t resolve = s_median (self, filter, area, theme, month, 1);
        json_t *got = json_object_get (group, "acknowledge_median");
        assert_true (acknowledge < 0 ? json_is_null (got)
                                     : json_integer_value (got) == acknowledge);
        got = json_object_get (group, "resolve_median");
        assert_true (resolve < 0 ? json_is_null (got) : json_integer_value (got) == resolve);
        covered += count;
        total_overdue += overdue;
    }
    int64_t selected = 0;
    int64_t streets[5] = {0};
    for (int number = 0; number < S_SAMPLES; number++)
        if (s_selects (filter, &self->samples[number])) {
            selected++;
            for (int street = 0; street < 5; street++)
                if (self->samples[number].street &&
                    streq (self->samples[number].street, s_streets[street]))
                    streets[street]++;
        }
    assert_int_equal (covered, selected);
    json_t *total = json_object_get (stats, "total");
    assert_int_equal (json_integer_value (json_object_get (total, "count")), selected);
    assert_int_equal (json_integer_value (json_object_get (total, "overdue")), total_overdue);
    //  The three busiest streets, most first.
    json_t *list = json_object_get (stats, "streets");
    assert_int_equal (json_array_size (list), 3);
    int64_t previous = INT64_MAX;
    json_array_foreach (list, index, group) {
        const char *street = json_string_value (json_object_get (group, "street"));
        int64_t count = json_integer_value (json_object_get (group, "count"));
        int number = 0;
        while (number < 5 && !streq (s_streets[number], street))
            number++;
        assert_true (number < 5);
        assert_int_equal (count, streets[number]);
        assert_true (count <= previous);
        previous = count;
        for (int other = 0; other < 5; other++)
            if (index == 0)
                assert_true (streets[other] <= count);
    }
    assert_true (json_array_size (json_object_get (stats, "points")) <= 5);
    json_decref (stats);
}

static void
test_stats_known_data (void **state)
{
    (void) state;
    s_fixture_t *self = s_fixture_new ();
    sein_store_filter_t filter = {.overdue = -1};
    s_check_stats (self, &filter);
    filter.area = "w1";
    s_check_stats (self, &filter);
    filter.theme = "afval";
    filter.from = self->samples[50].received_at;
    filter.until = self->samples[300].received_at;
    s_check_stats (self, &filter);
    //  ISO weeks: 2024-01-01 is a Monday, in week 1.
    const char *by[] = {"week", NULL};
    sein_store_filter_t all = {.overdue = -1};
    json_t *stats = sein_store_analysis (self->store, &all, by, 0, 0);
    json_t *first = json_array_get (json_object_get (stats, "groups"), 0);
    assert_string_equal (json_string_value (json_object_get (first, "week")), "2024-W01");
    //  The first 7 days hold samples 0..33 (one every five hours).
    int64_t week = 0;
    for (int index = 0; index < S_SAMPLES; index++)
        week += strcmp (self->samples[index].received_at, "2024-01-08") < 0;
    assert_int_equal (json_integer_value (json_object_get (first, "count")), week);
    json_decref (stats);
    const char *bad[] = {"street", NULL};
    assert_false (sein_store_group_key ("street"));
    assert_null (sein_store_analysis (self->store, &all, bad, 0, 0));
    //  Several groupings in one pass: each as its own analysis gives it,
    //  the keys they share read once (theme is in all three).
    const char *weekly[] = {"theme", "week", NULL}, *themes[] = {"theme", NULL},
               *areas[] = {"area", "theme", NULL};
    const char *const *three[] = {weekly, themes, areas, NULL};
    sein_store_filter_t wijk = {.area = "w1", .overdue = -1};
    json_t *once = sein_store_analyses (self->store, &wijk, three, 3, 5);
    assert_non_null (once);
    json_t *also = json_object_get (once, "also");
    assert_int_equal (json_array_size (also), 2);
    for (int which = 0; which < 3; which++) {
        json_t *alone = sein_store_analysis (self->store, &wijk, three[which], 3, 5);
        json_t *part = which ? json_array_get (also, (size_t) which - 1) : once;
        assert_true (json_array_size (json_object_get (alone, "groups")) > 1);
        assert_true (json_equal (json_object_get (part, "groups"),
                                 json_object_get (alone, "groups")));
        if (which == 0)
            for (const char *const *key = (const char *const[]) {"total", "streets", "points",
                                                                 NULL};
                 *key; key++)
                assert_true (json_equal (json_object_get (once, *key),
                                         json_object_get (alone, *key)));
        else
            assert_string_equal (
                json_string_value (json_array_get (json_object_get (part, "by"), 0)),
                three[which][0]);
        json_decref (alone);
    }
    json_decref (once);
    //  One grouping alone has no "also"; too many, or a bad key in any, none.
    const char *const *one[] = {themes, NULL};
    once = sein_store_analyses (self->store, &wijk, one, 0, 0);
    assert_null (json_object_get (once, "also"));
    json_decref (once);
    const char *const *five[] = {themes, themes, themes, themes, themes, NULL};
    assert_null (sein_store_analyses (self->store, &wijk, five, 0, 0));
    const char *const *spoilt[] = {themes, bad, NULL};
    assert_null (sein_store_analyses (self->store, &wijk, spoilt, 0, 0));
    s_fixture_destroy (&self);
}

//  Run SQL on its own connection to the store at PATH; the last column
//  of every row it gives (a query plan's detail), joined by ';', fresh.
static char *
s_sql (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
        fail_msg ("%s: %s", sql, sqlite3_errmsg (db));
    char *text = strdup ("");
    int rc;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        const char *column = (const char *) sqlite3_column_text (
            statement, sqlite3_column_count (statement) - 1);
        char *longer =
            zsys_sprintf ("%s%s%s", text, *text ? ";" : "", column ? column : "");
        free (text);
        text = longer;
    }
    assert_int_equal (rc, SQLITE_DONE);
    sqlite3_finalize (statement);
    sqlite3_close (db);
    return text;
}

//  A store of schema 5 computed the durations from the dates in every
//  STATS and read a wijk's rows from the table. Brought up to date on
//  open, its STATS are the same (and still those of the samples), the
//  durations now stored on the rows, and a wijk's STATS read from the
//  wijk's index alone.
static void
test_stats_after_upgrade (void **state)
{
    (void) state;
    s_fixture_t *self = s_fixture_new ();
    const char *by[] = {"area", "theme", "week", NULL},
               *months[] = {"month", "source", NULL};
    const char *const *groupings[] = {by, months, NULL};
    sein_store_filter_t filters[] = {{.overdue = -1},
                                     {.area = "w1", .overdue = -1},
                                     {.area = "z2", .status = "open", .overdue = -1}};
    json_t *before[3];
    for (int index = 0; index < 3; index++)
        before[index] =
            sein_store_analyses (self->store, &filters[index], groupings, 5, 10);
    sein_store_destroy (&self->store);
    //  Back to schema 5 as it was: no durations, the wijk's index by seq.
    char *done = s_sql (self->path, "DROP INDEX signals_wijk;");
    free (done);
    done = s_sql (self->path, "ALTER TABLE signals DROP COLUMN acknowledge_ms");
    free (done);
    done = s_sql (self->path, "ALTER TABLE signals DROP COLUMN resolve_ms");
    free (done);
    done = s_sql (self->path, "CREATE INDEX signals_wijk ON signals (wijk, seq)");
    free (done);
    done = s_sql (self->path, "PRAGMA user_version = 5");
    free (done);
    char *error = NULL;
    sein_store_t *writer = sein_store_new (self->path, "normal", &error);
    assert_non_null (writer);
    sein_store_destroy (&writer);
    char *version = s_sql (self->path, "PRAGMA user_version");
    assert_string_equal (version, "6");
    free (version);
    self->store = sein_store_new_query (self->path, self->text_path, &error);
    assert_non_null (self->store);
    for (int index = 0; index < 3; index++) {
        json_t *after =
            sein_store_analyses (self->store, &filters[index], groupings, 5, 10);
        assert_true (json_array_size (json_object_get (after, "groups")) > 1);
        assert_true (json_equal (before[index], after));
        json_decref (after);
        json_decref (before[index]);
    }
    sein_store_filter_t filter = {.area = "w1", .overdue = -1};
    s_check_stats (self, &filter);
    //  Every acknowledged or resolved signal has its durations, to the
    //  millisecond.
    char *missing =
        s_sql (self->path, "SELECT count(*) FROM signals WHERE (acknowledged_at IS NULL)"
                           " <> (acknowledge_ms IS NULL) OR (resolved_at IS NULL) <>"
                           " (resolve_ms IS NULL) OR acknowledge_ms % 600000 <> 0");
    assert_string_equal (missing, "0");
    free (missing);
    char *plan = s_sql (self->path, "EXPLAIN QUERY PLAN SELECT area, theme, received_at,"
                                    " status, overdue, acknowledge_ms, resolve_ms,"
                                    " street, lat, lon FROM signals WHERE wijk = 'w1'"
                                    " AND seq >= 10 ORDER BY seq");
    assert_non_null (strstr (plan, "COVERING INDEX signals_wijk"));
    free (plan);
    s_fixture_destroy (&self);
}

//  ---------------------------------------------------------------------
//  Early warning

static void
s_collect_alert (json_t *alert, void *arg)
{
    json_array_append_new ((json_t *) arg, alert);
}

//  COUNT signals of AREA/THEME, one every SPACING seconds ending at END
//  (seconds after 2024-01-01), written to WRITER.
static void
s_burst (sein_store_t *writer, const char *area, const char *theme, int count, int64_t end,
         int64_t spacing)
{
    sein_sample_t *samples = (sein_sample_t *) calloc ((size_t) count, sizeof *samples);
    char (*times)[32] = (char (*)[32]) calloc ((size_t) count, 32);
    for (int index = 0; index < count; index++) {
        sein_sample_time (end - (int64_t) (count - 1 - index) * spacing, times[index]);
        samples[index] = (sein_sample_t) {.received_at = times[index],
                                          .area = area,
                                          .wijk = "w1",
                                          .theme = theme,
                                          .priority = "normal",
                                          .source = "citizen",
                                          .teams = ",team-a,",
                                          .description = "Zwerfvuil"};
    }
    assert_int_equal (sein_sample_write (writer, samples, (size_t) count), 0);
    free (samples);
    free (times);
}

static void
test_alert_once_per_episode (void **state)
{
    (void) state;
    char path[256];
    snprintf (path, sizeof path, "%s/test_alerts-%d.db", SEIN_BINARY_DIR, getpid ());
    char *error = NULL;
    sein_store_t *writer = sein_store_new (path, "normal", &error);
    assert_non_null (writer);
    const int64_t day = 86400, now = 60 * day;
    //  Five quiet weeks of two afval signals a week in z1, three groen a
    //  week in z2; then twelve afval in z1 over the last three days.
    s_burst (writer, "z1", "afval", 10, now - 8 * day, day * 7 / 2);
    s_burst (writer, "z2", "groen", 15, now - day, day * 7 / 3);
    s_burst (writer, "z1", "afval", 12, now - 60, day / 4);
    sein_store_t *reader = sein_store_new_reader (path, &error);
    assert_non_null (reader);
    sein_alerts_settings_t settings = {1000, 4, 300, 10, 7};
    sein_alerts_t *alerts = sein_alerts_new ();
    json_t *found = json_array ();
    char at[32];
    sein_sample_time (now, at);
    assert_int_equal (sein_alerts_check (alerts, reader, at, &settings, s_collect_alert, found),
                      1);
    json_t *alert = json_array_get (found, 0);
    assert_string_equal (json_string_value (json_object_get (alert, "area")), "z1");
    assert_string_equal (json_string_value (json_object_get (alert, "theme")), "afval");
    assert_int_equal (json_integer_value (json_object_get (alert, "recent")), 12);
    //  Eight in the four weeks before the window: two a week.
    assert_true (fabs (json_real_value (json_object_get (alert, "baseline")) - 2.0) < 1e-9);
    assert_int_equal (json_integer_value (json_object_get (alert, "signal")),
                      sein_store_head (writer));
    //  Stored, it reaches the burst's teams.
    sein_lifecycle_events_t events = {0};
    sein_buf_t buf = {0};
    assert_int_equal (sein_store_begin (writer), 0);
    assert_int_equal (sein_alerts_store (writer, alert, at, &events, &buf),
                      SEIN_LIFECYCLE_STORED);
    assert_int_equal (sein_store_commit (writer), 0);
    assert_int_equal (events.count, 1);
    assert_string_equal (events.items[0].event.kind, "alert");
    assert_string_equal (events.items[0].event.teams, ",team-a,");
    json_t *body = json_loads (events.items[0].body, 0, NULL);
    assert_int_equal (json_integer_value (json_object_get (body, "recent")), 12);
    assert_string_equal (json_string_value (json_object_get (body, "area")), "z1");
    json_decref (body);
    //  The episode goes on: an hour later, nothing new; nor after a
    //  restart, which finds the stored alert.
    json_array_clear (found);
    sein_sample_time (now + 3600, at);
    assert_int_equal (sein_alerts_check (alerts, reader, at, &settings, s_collect_alert, found),
                      0);
    sein_alerts_t *restarted = sein_alerts_new ();
    assert_int_equal (
        sein_alerts_check (restarted, reader, at, &settings, s_collect_alert, found), 0);
    sein_alerts_destroy (&restarted);
    //  Ten quiet days end it; a new burst is a new episode, said once.
    sein_sample_time (now + 10 * day, at);
    assert_int_equal (sein_alerts_check (alerts, reader, at, &settings, s_collect_alert, found),
                      0);
    s_burst (writer, "z1", "afval", 16, now + 20 * day, day / 8);
    sein_sample_time (now + 20 * day + 60, at);
    assert_int_equal (sein_alerts_check (alerts, reader, at, &settings, s_collect_alert, found),
                      1);
    sein_sample_time (now + 20 * day + 120, at);
    assert_int_equal (sein_alerts_check (alerts, reader, at, &settings, s_collect_alert, found),
                      0);
    //  Below the minimum nothing starts, whatever the factor.
    sein_alerts_t *strict = sein_alerts_new ();
    sein_alerts_settings_t high = {1000, 4, 300, 17, 7};
    assert_int_equal (sein_alerts_check (strict, reader, at, &high, s_collect_alert, found), 0);
    sein_alerts_destroy (&strict);
    json_decref (found);
    sein_lifecycle_events_free (&events);
    sein_buf_free (&buf);
    sein_alerts_destroy (&alerts);
    sein_store_destroy (&reader);
    sein_store_destroy (&writer);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t index = 0; index < 3; index++) {
        char *name = zsys_sprintf ("%s%s", path, suffixes[index]);
        unlink (name);
        zstr_free (&name);
    }
}

//  ---------------------------------------------------------------------
//  Through seind

typedef struct {
    sein_harness_t harness;
    sein_client_t *client;
} s_daemon_t;

static json_t *
s_call (s_daemon_t *self, const char *command, const char *body)
{
    json_error_t error;
    json_t *json = json_loads (body, 0, &error);
    assert_non_null (json);
    json_t *reply = sein_client_call (self->client, command, json, S_REPLY_MS);
    json_decref (json);
    assert_non_null (reply);
    return reply;
}

static void
s_assert_code (json_t *reply, const char *code, const char *field)
{
    json_t *error = json_object_get (reply, "error");
    const char *got = json_string_value (json_object_get (error, "code"));
    if (!got || !streq (got, code)) {
        char *text = json_dumps (reply, JSON_COMPACT);
        fail_msg ("expected %s, got %s", code, text);
    }
    if (field)
        assert_string_equal (json_string_value (json_object_get (error, "field")), field);
    json_decref (reply);
}

static void
test_list_and_stats_on_the_wire (void **state)
{
    (void) state;
    s_daemon_t self = {0};
    assert_int_equal (sein_harness_init (&self.harness, 0), 0);
    assert_int_equal (sein_harness_start (&self.harness), 0);
    self.client = sein_client_new (self.harness.intake);
    const char *bodies[] = {
        "{\"description\":\"Kapotte straatlamp in de Naamsestraat\",\"source\":\"citizen\","
        "\"area\":\"heverlee\",\"theme\":\"verkeer\"}",
        "{\"description\":\"Zwerfvuil naast de glasbak\",\"source\":\"staff\","
        "\"area\":\"heverlee\",\"theme\":\"afval\"}",
        "{\"description\":\"Nog meer zwerfvuil\",\"source\":\"citizen\","
        "\"area\":\"kessel-lo\",\"theme\":\"afval\"}"};
    int64_t seqs[3];
    for (int index = 0; index < 3; index++) {
        json_t *reply = s_call (&self, SEIN_SUBMIT, bodies[index]);
        seqs[index] = json_integer_value (json_object_get (reply, "seq"));
        json_decref (reply);
    }
    //  The index catches up when the reader is idle.
    json_t *reply = NULL;
    for (int tries = 0; tries < 50; tries++) {
        json_decref (reply);
        reply = s_call (&self, SEIN_LIST, "{\"text\":\"zwerfvuil\"}");
        if (json_integer_value (json_object_get (reply, "indexed_upto")) >= seqs[2])
            break;
        zclock_sleep (100);
    }
    json_t *signals = json_object_get (reply, "signals");
    assert_int_equal (json_array_size (signals), 2);
    //  Newest first, with their workflow state.
    assert_int_equal (json_integer_value (json_object_get (json_array_get (signals, 0), "seq")),
                      seqs[2]);
    assert_string_equal (
        json_string_value (json_object_get (json_array_get (signals, 0), "status")), "new");
    assert_true (json_is_null (json_object_get (reply, "next")));
    json_decref (reply);
    reply = s_call (&self, SEIN_LIST,
                    "{\"area\":\"heverlee\",\"order\":\"seq\",\"limit\":1}");
    signals = json_object_get (reply, "signals");
    assert_int_equal (json_array_size (signals), 1);
    assert_int_equal (json_integer_value (json_object_get (json_array_get (signals, 0), "seq")),
                      seqs[0]);
    assert_int_equal (json_integer_value (json_object_get (reply, "next")), seqs[0]);
    json_decref (reply);
    reply = s_call (&self, SEIN_LIST, "{\"area\":\"heverlee\",\"order\":\"seq\",\"after\":1}");
    assert_int_equal (json_array_size (json_object_get (reply, "signals")), 1);
    json_decref (reply);
    //  STATS {} is as it was; with a filter it groups.
    reply = s_call (&self, SEIN_STATS, "{}");
    assert_int_equal (json_integer_value (json_object_get (reply, "total")), 3);
    assert_true (json_is_array (json_object_get (reply, "teams")));
    assert_null (json_object_get (reply, "groups"));
    json_decref (reply);
    reply = s_call (&self, SEIN_STATS, "{\"theme\":\"afval\",\"by\":[\"area\"]}");
    json_t *groups = json_object_get (reply, "groups");
    assert_int_equal (json_array_size (groups), 2);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (reply, "total"), "count")), 2);
    json_decref (reply);
    //  Refusals name the field.
    s_assert_code (s_call (&self, SEIN_LIST, "{\"status\":\"done\"}"), "value", "status");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"from\":\"yesterday\"}"), "value", "from");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"limit\":0}"), "value", "limit");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"limit\":1001}"), "value", "limit");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"order\":\"oldest\"}"), "value", "order");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"overdue\":1}"), "type", "overdue");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"text\":\"\\\"open\"}"), "value", "text");
    s_assert_code (s_call (&self, SEIN_LIST, "{\"wijk\":\"heverlee\"}"), "unknown-field",
                   "wijk");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"by\":[\"street\"]}"), "value", "by");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"by\":\"area\"}"), "type", "by");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"points\":-1}"), "value", "points");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"also\":[\"area\"]}"), "type", "also");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"also\":[[\"area\"],[\"street\"]]}"),
                   "value", "also");
    s_assert_code (s_call (&self, SEIN_STATS, "{\"also\":[[],[],[],[]]}"), "type", "also");
    //  More groupings in one STATS, each as its own STATS answers it.
    reply = s_call (&self, SEIN_STATS,
                    "{\"by\":[\"theme\"],\"also\":[[\"area\"],[\"source\",\"theme\"]]}");
    json_t *also = json_object_get (reply, "also");
    assert_int_equal (json_array_size (also), 2);
    const char *alone[] = {"{\"by\":[\"area\"]}", "{\"by\":[\"source\",\"theme\"]}"};
    for (size_t which = 0; which < 2; which++) {
        json_t *own = s_call (&self, SEIN_STATS, alone[which]);
        json_t *part = json_array_get (also, which);
        assert_true (json_array_size (json_object_get (own, "groups")) >= 2);
        assert_true (json_equal (json_object_get (part, "groups"), json_object_get (own, "groups")));
        assert_true (json_equal (json_object_get (part, "by"), json_object_get (own, "by")));
        json_decref (own);
    }
    json_decref (reply);
    //  And it still answers.
    reply = s_call (&self, SEIN_LIST, "{\"from\":\"2000-01-01\"}");
    assert_int_equal (json_array_size (json_object_get (reply, "signals")), 3);
    json_decref (reply);
    //  seinctl: a CSV line per signal after the header, paged with --all;
    //  stats as JSON lines, a group each and the total last.
    char *output = NULL;
    assert_int_equal (sein_harness_run (&self.harness, NULL, &output, "seinctl", "list",
                                        "--area", "heverlee", "--csv", "--limit", "1",
                                        "--all", NULL),
                      0);
    assert_non_null (strstr (output, "seq,id,received,status"));
    int lines = 0;
    for (char *line = strchr (output, '\n'); line; line = strchr (line + 1, '\n'))
        lines++;
    assert_int_equal (lines, 3);
    assert_non_null (strstr (output, "Naamsestraat"));
    zstr_free (&output);
    assert_int_equal (sein_harness_run (&self.harness, NULL, &output, "seinctl", "stats",
                                        "--by", "theme", "--json", NULL),
                      0);
    json_t *last = NULL;
    int groups_seen = 0;
    for (char *save = NULL, *line = strtok_r (output, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        json_decref (last);
        last = json_loads (line, 0, NULL);
        assert_non_null (last);
        groups_seen++;
    }
    assert_int_equal (groups_seen, 3); //  afval, verkeer, the total
    assert_int_equal (
        json_integer_value (json_object_get (json_object_get (last, "total"), "count")), 3);
    json_decref (last);
    zstr_free (&output);
    assert_int_equal (sein_harness_run (&self.harness, NULL, &output, "seinctl", "stats",
                                        "--status", "done", NULL),
                      SEIN_EXIT_DATAERR);
    zstr_free (&output);
    //  The busiest streets are the classifier's streets, as seind renders
    //  them into the event (classification.area.street).
    json_decref (s_call (&self, SEIN_SUBMIT,
                         "{\"description\":\"Zwerfvuil voor de deur\",\"source\":\"citizen\","
                         "\"address_string\":\"Naamsestraat 45\",\"theme\":\"afval\"}"));
    reply = s_call (&self, SEIN_STATS, "{\"area\":\"binnenstad\",\"streets\":3}");
    json_t *busiest = json_array_get (json_object_get (reply, "streets"), 0);
    assert_non_null (busiest);
    assert_string_equal (json_string_value (json_object_get (busiest, "street")),
                         "Naamsestraat");
    json_decref (reply);
    sein_client_destroy (&self.client);
    assert_int_equal (sein_harness_stop (&self.harness, SIGTERM), 0);
    sein_harness_cleanup (&self.harness);
}

//  The number after data-figure="NAME"> (and after AFTER, when not NULL)
//  in the page PAGE; -1 when absent.
static long long
s_figure (const char *page, const char *after, const char *name)
{
    const char *from = after ? strstr (page, after) : page;
    if (!from)
        return -1;
    char needle[80];
    snprintf (needle, sizeof needle, "data-figure=\"%s\">", name);
    const char *at = strstr (from, needle);
    return at ? atoll (at + strlen (needle)) : -1;
}

//  seinctl report: its figures are the STATS of the same area and period.
static void
test_report_equals_stats (void **state)
{
    (void) state;
    s_daemon_t self = {0};
    assert_int_equal (sein_harness_init (&self.harness, 0), 0);
    const char *files[][2] = {{"areas", "areas.tsv"},
                              {"polygons", "areas.geojson"},
                              {"themes", "themes.tsv"}};
    for (size_t index = 0; index < 3; index++) {
        char *override = zsys_sprintf ("data.%s=%s/conf/%s", files[index][0], SEIN_SOURCE_DIR,
                                       files[index][1]);
        sein_harness_set (&self.harness, override);
        zstr_free (&override);
    }
    assert_int_equal (sein_harness_start (&self.harness), 0);
    self.client = sein_client_new (self.harness.intake);
    const char *bodies[] = {
        "{\"description\":\"Zwerfvuil\",\"source\":\"citizen\",\"area\":\"heilig-hart\","
        "\"theme\":\"afval\",\"lat\":50.866,\"long\":4.705}",
        "{\"description\":\"Glasbak vol\",\"source\":\"citizen\",\"area\":\"heverlee\","
        "\"theme\":\"afval\"}",
        "{\"description\":\"Boom omgevallen\",\"source\":\"staff\",\"area\":\"heverlee\","
        "\"theme\":\"groen\"}",
        "{\"description\":\"Elders\",\"source\":\"staff\",\"area\":\"kessel-lo\","
        "\"theme\":\"groen\"}"};
    int64_t first = 0;
    for (int index = 0; index < 4; index++) {
        json_t *reply = s_call (&self, SEIN_SUBMIT, bodies[index]);
        if (!first)
            first = json_integer_value (json_object_get (reply, "seq"));
        json_decref (reply);
    }
    //  One resolved, so open and the medians differ from the count.
    char *change = zsys_sprintf ("{\"signal\":%lld,\"status\":\"resolved\"}", (long long) first);
    json_decref (s_call (&self, SEIN_STATUS, change));
    zstr_free (&change);
    char *path = zsys_sprintf ("%s/report.html", self.harness.dir);
    assert_int_equal (sein_harness_run (&self.harness, NULL, NULL, "seinctl", "report", "--area",
                                        "heverlee", "--from", "2000-01-01T00:00:00Z", "--until",
                                        "2100-01-01T00:00:00Z", "--output", path, NULL),
                      0);
    zchunk_t *chunk = zchunk_slurp (path, 0);
    assert_non_null (chunk);
    char *page = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    json_t *stats = s_call (&self, SEIN_STATS,
                            "{\"area\":\"heverlee\",\"from\":\"2000-01-01T00:00:00Z\","
                            "\"until\":\"2100-01-01T00:00:00Z\",\"by\":[\"theme\"]}");
    json_t *total = json_object_get (stats, "total");
    assert_int_equal (json_integer_value (json_object_get (total, "count")), 3);
    const char *names[] = {"count", "open", "overdue"};
    for (int index = 0; index < 3; index++)
        assert_int_equal (s_figure (page, NULL, names[index]),
                          json_integer_value (json_object_get (total, names[index])));
    size_t index;
    json_t *group;
    json_array_foreach (json_object_get (stats, "groups"), index, group) {
        char *row = zsys_sprintf ("data-theme=\"%s\"",
                                  json_string_value (json_object_get (group, "theme")));
        assert_int_equal (s_figure (page, row, "theme-count"),
                          json_integer_value (json_object_get (group, "count")));
        assert_int_equal (s_figure (page, row, "theme-open"),
                          json_integer_value (json_object_get (group, "open")));
        zstr_free (&row);
    }
    //  Self-contained: no external reference; the map drawn.
    assert_null (strstr (page, "http://"));
    assert_null (strstr (page, "https://"));
    assert_null (strstr (page, "<script"));
    assert_non_null (strstr (page, "<polygon"));
    assert_non_null (strstr (page, "<circle"));
    assert_non_null (strstr (page, "Heverlee"));
    json_decref (stats);
    free (page);
    zstr_free (&path);
    sein_client_destroy (&self.client);
    assert_int_equal (sein_harness_stop (&self.harness, SIGTERM), 0);
    sein_harness_cleanup (&self.harness);
}

//  Three afval signals in a quiet store start an episode: one alert,
//  stored and delivered to a watcher; two more signals add none.
static void
test_alert_through_seind (void **state)
{
    (void) state;
    s_daemon_t self = {0};
    assert_int_equal (sein_harness_init (&self.harness, 0), 0);
    sein_harness_set (&self.harness, "alerts.check=200");
    sein_harness_set (&self.harness, "alerts.minimum=3");
    assert_int_equal (sein_harness_start (&self.harness), 0);
    self.client = sein_client_new (self.harness.intake);
    json_t *filter = json_pack ("{s:s}", "theme", "afval");
    sein_watcher_t *watcher = sein_watcher_new (self.harness.watch, filter, 1, NULL, 100);
    json_decref (filter);
    const char *body = "{\"description\":\"Zwerfvuil bij de glasbak\",\"source\":"
                       "\"citizen\",\"area\":\"heverlee\",\"theme\":\"afval\"}";
    for (int index = 0; index < 3; index++)
        json_decref (s_call (&self, SEIN_SUBMIT, body));
    int alerts = 0;
    json_t *event, *alert = NULL;
    int64_t deadline = zclock_mono () + 5000;
    while (!alert && zclock_mono () < deadline && (event = sein_watcher_recv (watcher, 500))) {
        if (streq (json_string_value (json_object_get (event, "event")), "alert"))
            alert = event;
        else
            json_decref (event);
    }
    assert_non_null (alert);
    alerts++;
    assert_string_equal (json_string_value (json_object_get (alert, "area")), "heverlee");
    assert_int_equal (json_integer_value (json_object_get (alert, "recent")), 3);
    assert_true (json_array_size (json_object_get (alert, "teams")) > 0);
    json_decref (alert);
    for (int index = 0; index < 2; index++)
        json_decref (s_call (&self, SEIN_SUBMIT, body));
    //  Several checks later: still the one.
    while ((event = sein_watcher_recv (watcher, 1000))) {
        alerts += streq (json_string_value (json_object_get (event, "event")), "alert");
        json_decref (event);
    }
    assert_int_equal (alerts, 1);
    json_t *reply = s_call (&self, SEIN_EVENTS, "{\"from\":1}");
    int stored = 0;
    size_t index;
    json_array_foreach (json_object_get (reply, "events"), index, event)
        stored += streq (json_string_value (json_object_get (event, "event")), "alert");
    assert_int_equal (stored, 1);
    json_decref (reply);
    sein_watcher_destroy (&watcher);
    sein_client_destroy (&self.client);
    assert_int_equal (sein_harness_stop (&self.harness, SIGTERM), 0);
    sein_harness_cleanup (&self.harness);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_list_filters),
        cmocka_unit_test (test_text_index_follows_the_store),
        cmocka_unit_test (test_stats_known_data),
        cmocka_unit_test (test_stats_after_upgrade),
        cmocka_unit_test (test_alert_once_per_episode),
        cmocka_unit_test (test_list_and_stats_on_the_wire),
        cmocka_unit_test (test_alert_through_seind),
        cmocka_unit_test (test_report_equals_stats),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
