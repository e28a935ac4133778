/* The SQLite reference for survey submissions: the statements devpulse's
 * writer sends for a batch (src/store/submissions/batch.rs, a claim by token
 * hash), sent by one C program with prepared statements straight to the
 * database file: no HTTP, no JSON, no validation, no thread hops. It is the
 * database's own limit for this work on this machine, the figure devpulse is
 * compared with (tests/load/responses.sh with REFERENCE=sqlite).
 *
 * Each batch of BATCH submissions is one transaction, as in devpulse:
 *   BEGIN IMMEDIATE;
 *   UPDATE invitations SET used = 1, ... WHERE used = 0 AND token_hash IN (...)
 *     AND EXISTS (active member) AND cycle_id IN (open cycles of the survey
 *     on the day) RETURNING every column;   -- CLAIM below
 *   INSERT INTO responses ... VALUES (...), ...;   -- one row per claim
 *   INSERT INTO answers ... VALUES (...), ...;     -- every answer row
 *   COMMIT;
 * with the pragmas devpulse sets (WAL, synchronous NORMAL, foreign keys,
 * secure_delete, no memory map, 32 MiB cache).
 *
 *   sqlite_reference DB HASHES ROWS SURVEY DAY BATCH
 * HASHES: one token hash per line. ROWS: one answer row per line,
 * question_id TAB value TAB choice TAB text (empty: NULL). Prints the
 * submissions stored per second and the commit time of a batch. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS 64
#define MAX_BATCH 256 /* and BATCH x rows x 7 values at most 32,766 (checked) */

static void die(sqlite3 *db, const char *what) {
  fprintf(stderr, "%s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
  exit(1);
}

static uint64_t rng_state;
static uint64_t next_random(void) { /* splitmix64, seeded from the OS */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void new_id(char out[37]) { /* a random UUID v4, hyphenated */
  uint8_t b[16];
  uint64_t a = next_random(), c = next_random();
  memcpy(b, &a, 8);
  memcpy(b + 8, &c, 8);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char hex[] = "0123456789abcdef";
  int k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
    out[k++] = hex[b[i] >> 4];
    out[k++] = hex[b[i] & 15];
  }
  out[k] = 0;
}

static char **read_lines(const char *path, int *n) {
  FILE *f = fopen(path, "r");
  if (!f) die(NULL, path);
  int cap = 1024;
  char **lines = malloc(cap * sizeof *lines), buf[8192];
  *n = 0;
  while (fgets(buf, sizeof buf, f)) {
    buf[strcspn(buf, "\n")] = 0;
    if (*n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
    lines[(*n)++] = strdup(buf);
  }
  fclose(f);
  return lines;
}

static char *field(char **line) { /* the next tab-separated field, or NULL when empty */
  char *start = *line, *tab = strchr(start, '\t');
  if (tab) { *tab = 0; *line = tab + 1; } else { *line = start + strlen(start); }
  return *start ? start : NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void exec(sqlite3 *db, const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(db, sql);
}

/* "(?, ?, ...)" repeated: a multi-row VALUES list of `rows` rows of `cols` values. */
static void values(char *out, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    strcat(out, r ? ",(" : "(");
    for (int c = 0; c < cols; c++) strcat(out, c ? ",?" : "?");
    strcat(out, ")");
  }
}

struct stmts { sqlite3_stmt *claim, *responses, *answers; };

/* The claim as devpulse's writer sends it for one token hash, word for word
 * (a unit test in src/store/submissions/batch.rs checks it); its
 * "token_hash" IN (?) grows to BATCH placeholders. Parameters: 1 used = 1,
 * 2 reminders_sent = 0, 3 last_reminded_on = NULL, 4 used = 0, the hashes,
 * then 1, active = 1, 'open', the survey, the day twice. */
static const char CLAIM[] = "UPDATE \"invitations\" SET \"used\" = ?, \"reminders_sent\" = ?, \"last_reminded_on\" = ? WHERE \"invitations\".\"used\" = ? AND \"invitations\".\"token_hash\" IN (?) AND EXISTS(SELECT ? FROM \"members\" WHERE \"members\".\"member_id\" = \"invitations\".\"member_id\" AND \"members\".\"active\" = ?) AND \"invitations\".\"cycle_id\" IN (SELECT \"cycle_id\" FROM \"cycles\" WHERE \"cycles\".\"status\" = ? AND \"cycles\".\"survey_id\" = ? AND \"cycles\".\"opens_on\" <= ? AND \"cycles\".\"closes_on\" > ?)";
/* What sea-orm's exec_with_returning adds: every column. */
static const char RETURNING[] = " RETURNING \"invitation_id\", \"cycle_id\", \"member_id\", \"team_id\", "
                                "\"token_hash\", \"used\", \"reminders_sent\", \"last_reminded_on\"";
enum { COL_CYCLE = 1, COL_TEAM = 3 };

static struct stmts prepare(sqlite3 *db, int batch, int rows) {
  static char sql[1 << 20];
  struct stmts s;
  const char *in = strstr(CLAIM, "IN (?)") + 4; /* after "IN (" of the hashes */
  snprintf(sql, sizeof sql, "%.*s", (int)(in - CLAIM), CLAIM);
  for (int i = 0; i < batch; i++) strcat(sql, i ? ", ?" : "?");
  strcat(sql, in + 1);
  strcat(sql, RETURNING);
  if (sqlite3_prepare_v2(db, sql, -1, &s.claim, NULL) != SQLITE_OK) die(db, "prepare claim");
  strcpy(sql, "INSERT INTO \"responses\" (\"response_id\", \"cycle_id\", \"team_id\", \"submitted_on\") VALUES ");
  values(sql, batch, 4);
  if (sqlite3_prepare_v2(db, sql, -1, &s.responses, NULL) != SQLITE_OK) die(db, "prepare responses");
  strcpy(sql, "INSERT INTO \"answers\" (\"answer_id\", \"response_id\", \"question_id\", \"value_num\", "
              "\"choice\", \"text_value\", \"hidden\") VALUES ");
  values(sql, batch * rows, 7);
  if (sqlite3_prepare_v2(db, sql, -1, &s.answers, NULL) != SQLITE_OK) die(db, "prepare answers");
  return s;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st, const char *what) {
  if (sqlite3_step(st) != SQLITE_DONE) die(db, what);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The answer rows every submission stores. */
struct rows {
  int n;
  char *q[MAX_ROWS], *choice[MAX_ROWS], *text[MAX_ROWS];
  double value[MAX_ROWS];
  int has_value[MAX_ROWS];
};

static struct rows read_rows(const char *path) {
  struct rows rows;
  char **lines = read_lines(path, &rows.n);
  if (rows.n > MAX_ROWS) { fprintf(stderr, "ROWS: at most %d\n", MAX_ROWS); exit(2); }
  for (int r = 0; r < rows.n; r++) {
    char *p = lines[r], *v;
    rows.q[r] = field(&p);
    v = field(&p);
    rows.has_value[r] = v != NULL;
    rows.value[r] = v ? atof(v) : 0;
    rows.choice[r] = field(&p);
    rows.text[r] = field(&p);
  }
  return rows;
}

/* Claims the invitations of `batch` hashes; their response ids, cycles and teams. */
static void claim(sqlite3 *db, sqlite3_stmt *st, char **hashes, int batch, const char *survey, const char *day,
                  char ids[][37], char cycle[][64], char team[][64]) {
  int k = 1, claimed = 0, rc;
  sqlite3_bind_int(st, k++, 1);
  sqlite3_bind_int(st, k++, 0);
  sqlite3_bind_null(st, k++);
  sqlite3_bind_int(st, k++, 0);
  for (int i = 0; i < batch; i++) sqlite3_bind_text(st, k++, hashes[i], -1, SQLITE_STATIC);
  sqlite3_bind_int(st, k++, 1);
  sqlite3_bind_int(st, k++, 1);
  sqlite3_bind_text(st, k++, "open", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, k++, survey, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, k++, day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, k++, day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    snprintf(cycle[claimed], 64, "%s", (const char *)sqlite3_column_text(st, COL_CYCLE));
    snprintf(team[claimed], 64, "%s", (const char *)sqlite3_column_text(st, COL_TEAM));
    new_id(ids[claimed++]);
  }
  if (rc != SQLITE_DONE) die(db, "claim");
  sqlite3_reset(st);
  if (claimed != batch) { fprintf(stderr, "%d of %d claimed\n", claimed, batch); exit(1); }
}

/* One batch, as devpulse's writer stores it: one transaction. */
static void store_batch(sqlite3 *db, struct stmts *s, char **hashes, int batch, const char *survey,
                        const char *day, const struct rows *rows) {
  static char ids[MAX_BATCH][37], cycle[MAX_BATCH][64], team[MAX_BATCH][64], answer_id[37];
  exec(db, "BEGIN IMMEDIATE");
  claim(db, s->claim, hashes, batch, survey, day, ids, cycle, team);
  for (int i = 0, k = 1; i < batch; i++) {
    sqlite3_bind_text(s->responses, k++, ids[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s->responses, k++, cycle[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s->responses, k++, team[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s->responses, k++, day, -1, SQLITE_STATIC);
  }
  step_done(db, s->responses, "insert responses");
  for (int i = 0, k = 1; i < batch; i++) {
    for (int r = 0; r < rows->n; r++, k += 7) {
      new_id(answer_id);
      sqlite3_bind_text(s->answers, k, answer_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s->answers, k + 1, ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(s->answers, k + 2, rows->q[r], -1, SQLITE_STATIC);
      if (rows->has_value[r]) sqlite3_bind_double(s->answers, k + 3, rows->value[r]);
      if (rows->choice[r]) sqlite3_bind_text(s->answers, k + 4, rows->choice[r], -1, SQLITE_STATIC);
      if (rows->text[r]) sqlite3_bind_text(s->answers, k + 5, rows->text[r], -1, SQLITE_STATIC);
      sqlite3_bind_int(s->answers, k + 6, 0);
    }
  }
  step_done(db, s->answers, "insert answers");
  exec(db, "COMMIT");
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s DB HASHES ROWS SURVEY DAY BATCH\n", argv[0]);
    return 2;
  }
  const char *survey = argv[4], *day = argv[5];
  int batch = atoi(argv[6]), n;
  if (batch < 1 || batch > MAX_BATCH) { fprintf(stderr, "BATCH: 1 to %d\n", MAX_BATCH); return 2; }
  char **hashes = read_lines(argv[2], &n);
  struct rows rows = read_rows(argv[3]);
  if (batch * rows.n * 7 > 32766) { /* SQLite's most bound values in one statement */
    fprintf(stderr, "BATCH: %d submissions of %d answer rows is over 32,766 values\n", batch, rows.n);
    return 2;
  }
  FILE *u = fopen("/dev/urandom", "r");
  if (!u || fread(&rng_state, sizeof rng_state, 1, u) != 1) die(NULL, "/dev/urandom");
  fclose(u);

  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) die(db, "open");
  exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
           "PRAGMA secure_delete = ON; PRAGMA mmap_size = 0; PRAGMA cache_size = -32768");
  struct stmts s = prepare(db, batch, rows.n);
  int batches = n / batch;
  double *commit_ms = malloc((batches + 1) * sizeof *commit_ms), start = now();
  for (int b = 0; b < batches; b++) {
    double t0 = now();
    store_batch(db, &s, hashes + b * batch, batch, survey, day, &rows);
    commit_ms[b] = (now() - t0) * 1000;
  }
  double elapsed = now() - start;
  qsort(commit_ms, batches, sizeof *commit_ms, cmp);
  printf("reference (SQLite %s): %d submissions in batches of %d, %.2f s: %.0f submissions/s; a batch's "
         "transaction p50 %.2f ms, p99 %.2f ms\n",
         sqlite3_libversion(), batches * batch, batch, elapsed, batches * batch / elapsed, commit_ms[batches / 2],
         commit_ms[batches * 99 / 100]);
  sqlite3_close(db);
  return 0;
}
