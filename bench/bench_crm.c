/*
 * bench_crm.c — the CRM and tickets at scale, in the embedded store:
 * CUSTOMERS customers (each with a phone number and an e-mail address,
 * a tenth VIP, three in ten with Chinese names and companies) and
 * INTERACTIONS calls spread over them, then
 *   - caller-number lookup (crm_lookup, what every incoming call does):
 *     latency of known and unknown numbers;
 *   - customer search (GET /customers?q=: FTS5 prefix words; Chinese by
 *     any part: a whole name, a given name, one character, part of a
 *     company, as util_fts_query asks): latency;
 *   - timeline load (a customer's last 100 interactions): latency;
 *   - ticket creation (the engine with assignment and SLA dues, written
 *     through the store's writer): tickets per second until committed.
 *
 * The rows are put in with SQLite directly, in big transactions (a
 * bench's set-up, not hotline's path); every measurement goes through
 * hotline's own store, crm and ticket code.
 *
 *   build/bench/bench_crm [CUSTOMERS] [INTERACTIONS]   (default 1000000 5000000)
 *   BENCH_DIR=dir keeps the database there (and reuses it when present).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include <re.h>
#include "bench.h"
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "crm/crm.h"
#include "acd/acd.h"
#include "ticket/ticket.h"

static const char *const first[] = {"Ann",  "Bob", "Carla", "Dev", "Eva",  "Femi", "Gus",
				    "Hana", "Ivo", "Jun",   "Kai", "Lena", "Mo",   "Nia"};
static const char *const last[] = {"Lee",   "Stone",  "Okafor", "Berg",
				   "Silva", "Tanaka", "Novak",	"Ruiz",
				   "Khan",  "Moreau", "Weber",	"Rossi"};
static const char *const firms[] = {"Acme",  "Globex", "Initech", "Umbrella",
				    "Hooli", "Stark",  "Wayne",	  "Tyrell"};

/* Chinese names as they come: the commonest surnames, given names of one
 * or two characters (a 2-character name such as 张伟 is the most common
 * form), companies as city, brand and kind */
static const char *const xing[] = {"张", "王", "李", "刘", "陈", "杨", "赵", "黄",
				   "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *const ming[] = {"伟",   "芳",   "娜",   "敏",   "静",   "丽",
				   "强",   "磊",   "军",   "洋",   "勇",   "艳",
				   "杰",   "娟",   "涛",   "明",   "小明", "建华",
				   "志强", "秀英", "海燕", "晓东", "文博", "子涵"};
static const char *const city[] = {"上海", "北京", "深圳", "广州",
				   "杭州", "成都", "南京", "武汉"};
static const char *const brand[] = {"浦东发展", "华信", "天成", "远航", "星河", "瑞丰"};
static const char *const kind[] = {"科技有限公司", "贸易有限公司", "银行", "物流集团"};

static bool chinese(long n)
{
	return n % 10 < 3;
}

static void report(const char *what, double *v, size_t n)
{
	sort_d(v, n);
	printf("%-44s n=%zu p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n", what,
	       n, v[n / 2], v[n * 9 / 10], v[n * 99 / 100], v[n - 1]);
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return EIO;
	}
	return 0;
}

/* The rows, straight into the file hotline's store made. */
static int populate(const char *dir, long customers, long interactions)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *c, *i, *f, *k;
	double t0 = now_us();

	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return EIO;
	exec(db, "PRAGMA synchronous=OFF");
	exec(db, "BEGIN");
	sqlite3_prepare_v2(db, "INSERT INTO customers VALUES (?,?,?,?,?,'','{}',?,?)", -1,
			   &c, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO identities VALUES (?,?,?)", -1, &i, NULL);
	sqlite3_prepare_v2(
	    db,
	    "INSERT INTO customers_fts (id, name, company, tags, identities)"
	    " VALUES (?,?,?,?,?)",
	    -1, &f, NULL);
	for (long n = 0; n < customers; n++) {
		char id[32], name[96], firm[96], phone[32], mail[64], ids[128];
		snprintf(id, sizeof(id), "cu_%010ld", n);
		char fname[192], ffirm[192];
		if (chinese(n)) {
			snprintf(name, sizeof(name), "%s%s", xing[(n / 10) % 16],
				 ming[(n / 160) % 24]);
			snprintf(firm, sizeof(firm), "%s%s%s %ld", city[(n / 7) % 8],
				 brand[(n / 56) % 6], kind[(n / 336) % 4], n % 5000);
		} else {
			snprintf(name, sizeof(name), "%s %s%ld", first[n % 14],
				 last[(n / 14) % 12], n);
			snprintf(firm, sizeof(firm), "%s %ld", firms[n % 8], n % 5000);
		}
		/* the index's form of them, as the store writes it (hl_cjk) */
		util_cjk_spaced(fname, sizeof(fname), name);
		util_cjk_spaced(ffirm, sizeof(ffirm), firm);
		snprintf(phone, sizeof(phone), "+1415%07ld", n);
		snprintf(mail, sizeof(mail), "user%ld@example.com", n);
		snprintf(ids, sizeof(ids), "%s %s", phone, mail);
		sqlite3_bind_text(c, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 3, firm, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 4, n % 10 ? "normal" : "vip", -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 5, n % 3 ? "" : "renewal", -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 6, n);
		sqlite3_bind_int64(c, 7, n);
		sqlite3_step(c);
		sqlite3_reset(c);
		for (int j = 0; j < 2; j++) {
			sqlite3_bind_text(i, 1, j ? "email" : "phone", -1, SQLITE_STATIC);
			sqlite3_bind_text(i, 2, j ? mail : phone, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(i, 3, id, -1, SQLITE_TRANSIENT);
			sqlite3_step(i);
			sqlite3_reset(i);
		}
		sqlite3_bind_text(f, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(f, 2, fname, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(f, 3, ffirm, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(f, 4, n % 3 ? "" : "renewal", -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 5, ids, -1, SQLITE_TRANSIENT);
		sqlite3_step(f);
		sqlite3_reset(f);
	}
	sqlite3_finalize(c);
	sqlite3_finalize(i);
	sqlite3_finalize(f);
	sqlite3_prepare_v2(
	    db,
	    "INSERT INTO calls (id, caller, called, ivr_path, digits, queue, agent,"
	    " created, queued, answered, ended, outcome, hangup_side,"
	    " hangup_cause, hangup_reason, recording, customer)"
	    " VALUES (?,?,'5000','main>menu>sales','1','sales','1001',?,?,?,?,"
	    "'answered','caller',0,'BYE','',?)",
	    -1, &k, NULL);
	for (long n = 0; n < interactions; n++) {
		long cu =
		    (long)(((unsigned long)n * 2654435761u) % (unsigned long)customers);
		char id[32], caller[32], cid[32];
		uint64_t t = 1700000000000ULL + (uint64_t)n * 1000;
		snprintf(id, sizeof(id), "c_%011ld", n);
		snprintf(caller, sizeof(caller), "+1415%07ld", cu);
		snprintf(cid, sizeof(cid), "cu_%010ld", cu);
		sqlite3_bind_text(k, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(k, 2, caller, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(k, 3, (sqlite3_int64)t);
		sqlite3_bind_int64(k, 4, (sqlite3_int64)t + 1000);
		sqlite3_bind_int64(k, 5, (sqlite3_int64)t + 20000);
		sqlite3_bind_int64(k, 6, (sqlite3_int64)t + 200000);
		sqlite3_bind_text(k, 7, cid, -1, SQLITE_TRANSIENT);
		sqlite3_step(k);
		sqlite3_reset(k);
	}
	sqlite3_finalize(k);
	exec(db, "COMMIT");
	exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	printf("populated %ld customers, %ld identities, %ld interactions in %.1f s\n",
	       customers, customers * 2, interactions, (now_us() - t0) / 1e6);
	return 0;
}

static int count_h(const struct store_customer *c, void *arg)
{
	(void)c;
	++*(int *)arg;
	return 0;
}

static int call_h(const struct store_call *c, void *arg)
{
	(void)c;
	++*(int *)arg;
	return 0;
}

static const char tenant_yaml[] =
    "name: B\nagents:\n"
    "  - {ext: \"1001\", name: A, password: a-secret-1}\n"
    "  - {ext: \"1002\", name: B, password: b-secret-1}\n"
    "queues:\n  - {name: support, strategy: longest-idle, members: [\"1001\", "
    "\"1002\"]}\n"
    "numbers: []\nflows: []\ncrm: {country: \"1\"}\n"
    "tickets:\n  sla:\n    - {priority: normal, first_response: 4h, resolution: 24h}\n";

int main(int argc, char **argv)
{
	long customers = argc > 1 ? atol(argv[1]) : 1000000;
	long interactions = argc > 2 ? atol(argv[2]) : 5000000;
	const char *keep = getenv("BENCH_DIR");
	char dir[256], cmd[300], path[300];
	struct store *st = NULL;
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct tickets *tk = NULL;
	struct acd_handlers hd = {0};
	size_t n = 20000, misses = 0;
	double *v = calloc(n, sizeof(double));
	bool fresh;

	if (!v || customers < 1000)
		return 1;
	libre_init();
	log_set_level(LOG_WARN);
	if (keep)
		snprintf(dir, sizeof(dir), "%s", keep);
	else
		snprintf(dir, sizeof(dir), "/tmp/hotline-bench-crm-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	fresh = access(path, F_OK) != 0;
	if (util_mkdir(dir) || store_open(&st, dir)) {
		fprintf(stderr, "cannot open the store in %s\n", dir);
		return 1;
	}
	if (fresh && populate(dir, customers, interactions))
		return 1;
	if (cfg_tenant_parse(&t, "bench.yaml", tenant_yaml, sizeof(tenant_yaml) - 1,
			     NULL))
		return 1;

	/* caller-number lookup: known numbers, as phones write them */
	for (size_t i = 0; i < n; i++) {
		struct crm_match m;
		char num[32];
		long cu = (long)(((unsigned long)i * 40503u) % (unsigned long)customers);
		snprintf(num, sizeof(num), "(415) %03ld-%04ld", (cu / 10000) % 1000,
			 cu % 10000);
		double t0 = now_us();
		if (crm_lookup(st, t, num, &m) && cu < 10000000)
			misses++;
		v[i] = now_us() - t0;
	}
	if (misses)
		printf("(%zu known numbers not found!)\n", misses);
	report("caller lookup, known numbers", v, n);
	for (size_t i = 0; i < n; i++) {
		struct crm_match m;
		char num[32];
		snprintf(num, sizeof(num), "+44207%07zu", i);
		double t0 = now_us();
		(void)crm_lookup(st, t, num, &m);
		v[i] = now_us() - t0;
	}
	report("caller lookup, unknown numbers", v, n);

	/* search: a first name and a surname prefix, a company word */
	for (size_t i = 0; i < 2000; i++) {
		char q[64];
		int hits = 0;
		snprintf(q, sizeof(q), "\"%s\"* \"%.3s\"*", first[i % 14],
			 last[(i / 14) % 12]);
		double t0 = now_us();
		(void)store_customer_list(st, q, 20, 0, count_h, &hits);
		v[i] = now_us() - t0;
	}
	report("customer search, two prefix words (20 hits)", v, 2000);
	for (size_t i = 0; i < 2000; i++) {
		char q[64];
		int hits = 0;
		snprintf(q, sizeof(q), "\"%s\" \"%zu\"", firms[i % 8], (i * 7) % 5000);
		double t0 = now_us();
		(void)store_customer_list(st, q, 20, 0, count_h, &hits);
		v[i] = now_us() - t0;
	}
	report("customer search, company and number", v, 2000);

	/* Chinese, as typed into the same box: a whole 2- or 3-character
	 * name, the given name alone, the surname alone (one character, the
	 * most hits), two characters from inside a company's name */
	for (int kind_ = 0; kind_ < 4; kind_++) {
		static const char *const what[] = {
		    "customer search, Chinese full name (20 hits)",
		    "customer search, Chinese given name (20 hits)",
		    "customer search, one Chinese character (20)",
		    "customer search, part of a Chinese company"};
		for (size_t i = 0; i < 2000; i++) {
			char q[64], match[128];
			int hits = 0;
			if (kind_ == 0)
				snprintf(q, sizeof(q), "%s%s", xing[i % 16],
					 ming[(i / 16) % 24]);
			else if (kind_ == 1)
				snprintf(q, sizeof(q), "%s", ming[i % 24]);
			else if (kind_ == 2)
				snprintf(q, sizeof(q), "%s", xing[i % 16]);
			else
				snprintf(q, sizeof(q), "%s", i % 2 ? "浦东" : "科技");
			util_fts_query(match, sizeof(match), q);
			double t0 = now_us();
			(void)store_customer_list(st, match, 20, 0, count_h, &hits);
			v[i] = now_us() - t0;
			if (!hits)
				printf("(%s: nothing found!)\n", q);
		}
		report(what[kind_], v, 2000);
	}

	/* timeline: a customer's last 100 interactions */
	for (size_t i = 0; i < 5000; i++) {
		struct store_call_filter f = {.limit = 100};
		char id[32];
		int calls = 0;
		snprintf(id, sizeof(id), "cu_%010ld",
			 (long)(((unsigned long)i * 7919u) % (unsigned long)customers));
		f.customer = id;
		double t0 = now_us();
		(void)store_call_list(st, &f, call_h, &calls);
		v[i] = now_us() - t0;
	}
	report("timeline load (last 100 interactions)", v, 5000);

	/* ticket creation through the engine, until committed */
	if (acd_alloc(&acd, &hd) || acd_load_tenant(acd, t) ||
	    tickets_alloc(&tk, st, t, acd, clock_now_ms()))
		return 1;
	{
		size_t k = 20000;
		double t0 = now_us();
		for (size_t i = 0; i < k; i++) {
			struct ticket_change c = TICKET_CHANGE_INIT;
			char cust[32];
			snprintf(cust, sizeof(cust), "cu_%010zu", i % (size_t)customers);
			c.subject = "Bench ticket";
			c.group = "support";
			c.customer = cust;
			c.by = "bench";
			if (ticket_create(tk, &c, clock_now_ms(), NULL, NULL))
				return 1;
		}
		store_flush(st);
		double s = (now_us() - t0) / 1e6;
		printf(
		    "%-44s %zu in %.2f s: %.0f tickets/s (assigned, SLA dues, history, "
		    "event, committed)\n",
		    "ticket creation", k, s, k / s);
	}
	mem_deref(tk);
	mem_deref(acd);
	mem_deref(t);
	mem_deref(st);
	free(v);
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
	return 0;
}
