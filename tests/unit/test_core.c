/*
 * test_core.c — the small helpers: typed events and their one encoder,
 * making strings from the network safe for JSON and logs, and local time
 * in a zone without touching the process's TZ.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "test.h"

static int ev_count;
static char ev_text[512];

static void ev_h(const struct hl_event *ev, void *arg)
{
	const char *t;
	char *own;
	(void)arg;

	ev_count++;
	t = event_json(ev, &own);
	TEST_CHECK(own == NULL); /* an emitted event's text is the bus's */
	util_copy(ev_text, sizeof(ev_text), t);
	/* asked again, the same text: it is made once per event */
	TEST_CHECK(event_json(ev, &own) == t);
	/* the store's text of the data is the one in it */
	own = event_data_text(ev);
	TEST_CHECK(!ev->data || (own && strstr(t, own)));
	free(own);
	return;
out:
	ev_count = -1000;
}

/*
 * Events are typed: every type has a name, names parse back to it, and
 * the data json_pack made is encoded with what JSON asks of strings
 * (quotes, backslashes, newlines escaped; 张伟 kept as it is). Fields are
 * read back from the data, not from text.
 */
static int test_events(void)
{
	struct hl_event ev = {1000, EVENT_QUEUE_EXITED, NULL, "c1", NULL, "q", NULL,
			      NULL};
	enum event_type t;
	char *own, *text;
	const char *j;
	int r = 1;

	for (int i = EVENT_UNKNOWN + 1; i < EVENT_TYPES; i++) {
		TEST_CHECK(strchr(event_name((enum event_type)i), '.') != NULL);
		TEST_ERR(event_type_parse(&t, event_name((enum event_type)i)));
		TEST_EQ(t, i);
	}
	TEST_EQ(event_type_parse(&t, "call.nope"), ENOENT);
	TEST_EQ(t, EVENT_UNKNOWN);
	TEST_STREQ(event_name(EVENT_TYPES), "");

	ev.data = event_data_pack("{s:s,s:I,s:s}", "reason", "timeout", "wait_ms",
				  (long long)12345, "to", "queue:b");
	TEST_EQ(event_num(&ev, "wait_ms"), 12345);
	TEST_EQ(event_num(&ev, "nope"), 0);
	TEST_EQ(event_num(&ev, "reason"), 0); /* a string */
	TEST_STREQ(event_str(&ev, "reason"), "timeout");
	TEST_CHECK(event_str(&ev, "wait_ms") == NULL); /* a number */
	/* not emitted: encoded on each call, the text the caller's */
	j = event_json(&ev, &own);
	TEST_CHECK(own != NULL && j == own);
	TEST_STREQ(j, "{\"ts\":1000,\"type\":\"queue.exited\",\"call\":\"c1\","
		      "\"agent\":null,\"queue\":\"q\",\"data\":{\"reason\":\"timeout\","
		      "\"wait_ms\":12345,\"to\":\"queue:b\"}}");
	free(own);
	text = event_data_text(&ev);
	TEST_STREQ(text, "{\"reason\":\"timeout\",\"wait_ms\":12345,\"to\":\"queue:b\"}");
	free(text);
	event_data_deref(ev.data);
	ev.data = NULL;

	/* through the bus: a name filled in, the text escaped right */
	TEST_ERR(event_subscribe(ev_h, NULL));
	event_emit_pack(EVENT_CUSTOMER_UPDATED, NULL, "1001", NULL, "{s:s,s:s}",
			"customer", "Zo\u00eb \"the\" \\ 张伟\n", "by", "张伟");
	TEST_EQ(ev_count, 1);
	TEST_CHECK(strstr(ev_text, "\"type\":\"customer.updated\"") != NULL);
	TEST_CHECK(strstr(ev_text, "\"data\":{\"customer\":\"Zo\u00eb \\\"the\\\" \\\\ "
				   "张伟\\n\",\"by\":\"张伟\"}}") != NULL);
	/* data that cannot be packed (a NULL string): the event goes out
	 * without it, and says so in the log */
	event_emit_pack(EVENT_CALL_WRAPUP, "c1", NULL, NULL, "{s:s}", "disposition",
			(const char *)NULL);
	TEST_EQ(ev_count, 2);
	TEST_CHECK(strstr(ev_text, "\"data\":null") != NULL);
	r = 0;
out:
	event_unsubscribe(ev_h, NULL);
	event_data_deref(ev.data);
	return r;
}

static int test_text_check(void)
{
	const char *why = NULL;
	char buf[8], e[8];

	/* text: 张伟, Zoë, an emoji with a joiner, an Arabic name with a
	 * right-to-left mark, scripts mixed */
	TEST_EQ(util_text_check("\xe5\xbc\xa0\xe4\xbc\x9f", 2, 0, &why), 0);
	TEST_EQ(util_text_check("Zo\xc3\xab", 3, 0, &why), 0);
	TEST_EQ(
	    util_text_check("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 3, 0, &why),
	    0);
	TEST_EQ(util_text_check("\xe2\x80\x8f\xd8\xb9\xd9\x84\xd9\x8a Ali \xe5\xbc\xa0",
				0, 0, &why),
		0);
	TEST_EQ(util_text_check("a\nb\tc", 0, UTIL_TEXT_MULTILINE, &why), 0);
	TEST_EQ(util_text_check("", 0, 0, &why), 0);
	/* limits count characters: 张伟 is 2, not 6 */
	TEST_EQ(util_text_check("\xe5\xbc\xa0\xe4\xbc\x9f", 1, 0, &why), E2BIG);
	TEST_EQ(util_utf8_len("\xe5\xbc\xa0\xe4\xbc\x9f Zo\xc3\xab"), 6);
	/* not text: a lone continuation byte, an overlong '/', an encoded
	 * surrogate, a cut sequence, past U+10FFFF, controls, bidi override */
	TEST_EQ(util_text_check("a\x80", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xc0\xaf", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xe0\x80\xaf", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xed\xa0\x80", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xe5\xbc", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xf4\x90\x80\x80", 0, 0, &why), EILSEQ);
	TEST_STREQ(why, "not valid UTF-8");
	TEST_EQ(util_text_check("a\nb", 0, 0, &why), EILSEQ);
	TEST_STREQ(why, "one line only");
	TEST_EQ(util_text_check("a\rb", 0, UTIL_TEXT_MULTILINE, &why), EILSEQ);
	TEST_EQ(util_text_check("a\x1b[2J", 0, UTIL_TEXT_MULTILINE, &why), EILSEQ);
	TEST_EQ(util_text_check("a\x7f", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("a\xc2\x85", 0, UTIL_TEXT_MULTILINE, &why), EILSEQ);
	TEST_STREQ(why, "a control character");
	TEST_EQ(util_text_check("exe.\xe2\x80\xaegpj", 0, 0, &why), EILSEQ);
	TEST_EQ(util_text_check("\xe2\x81\xa6x", 0, 0, &why), EILSEQ);

	/* a copy cut short is cut before a character, never inside */
	TEST_EQ(util_copy(buf, sizeof(buf), "ab\xe5\xbc\xa0\xe4\xbc\x9f"), E2BIG);
	TEST_STREQ(buf, "ab\xe5\xbc\xa0");
	TEST_EQ(util_copy(buf, 5, "ab\xe5\xbc\xa0"), E2BIG);
	TEST_STREQ(buf, "ab");
	/* what snprintf cut in half is dropped, whole characters stay */
	memcpy(e, "abcde\xe5\xbc", 8); /* 张 cut after 2 of its 3 bytes */
	util_utf8_trim(e);
	TEST_STREQ(e, "abcde");
	snprintf(e, sizeof(e), "abcd\xc3\xab");
	util_utf8_trim(e);
	TEST_STREQ(e, "abcd\xc3\xab");
	util_utf8_trim(NULL);
	return 0;
}

static int test_cjk_search(void)
{
	char b[128];

	/* every CJK character a token of its own; other words stay whole */
	TEST_EQ(util_cjk_spaced(b, sizeof(b), "张伟"), 0);
	TEST_STREQ(b, "张 伟");
	TEST_EQ(util_cjk_spaced(b, sizeof(b), "Acme上海分公司 Ltd"), 0);
	TEST_STREQ(b, "Acme 上 海 分 公 司 Ltd");
	TEST_EQ(util_cjk_spaced(b, sizeof(b), "김민준 さくら Zoë"), 0);
	TEST_STREQ(b, "김 민 준 さ く ら Zoë");
	TEST_EQ(util_cjk_spaced(b, 8, "张伟张伟"), E2BIG);
	TEST_ASSERT(util_utf8_len(b) <= 3); /* cut between characters */
	TEST_EQ(util_text_check(b, 0, 0, NULL), 0);

	/* a query: CJK runs as phrases of characters, other words prefixes,
	 * punctuation (CJK's too) between words */
	util_fts_query(b, sizeof(b), "张伟");
	TEST_STREQ(b, "\"张 伟\"");
	util_fts_query(b, sizeof(b), "伟");
	TEST_STREQ(b, "\"伟\"");
	util_fts_query(b, sizeof(b), "ann lee");
	TEST_STREQ(b, "\"ann\"* \"lee\"*");
	util_fts_query(b, sizeof(b), "浦东，Zoë\"x");
	TEST_STREQ(b, "\"浦 东\" \"Zoë\"* \"x\"*");
	util_fts_query(b, sizeof(b), "Acme上海");
	TEST_STREQ(b, "\"Acme\"* \"上 海\"");
	util_fts_query(b, sizeof(b), " ,. \xff");
	TEST_STREQ(b, "");
	util_fts_query(b, 10, "张伟张伟张伟");
	TEST_STREQ(b, ""); /* no room: nothing rather than half a phrase */
	return 0;
}

/* The server's catalogs: a translation taking other arguments than the
 * English is left out (a catalog cannot make a format read what was not
 * passed); a language finds its catalog by tag or by language alone. */
static int test_msg_catalog(void)
{
	char dir[] = "/tmp/hotline-msg-XXXXXX", path[128];
	FILE *f;

	TEST_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/server", dir);
	TEST_EQ(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/server/zh-CN.json", dir);
	f = fopen(path, "w");
	TEST_ASSERT(f != NULL);
	fputs("{\"no ticket '%s'\": \"没有工单“%s”\","
	      " \"%s: text of at most %zu characters\": \"%s：最多 %s 个字符\","
	      " \"%s of %d\": \"%d 中的 %s\","
	      " \"ticket.status\": \"工单状态：%s → %s\", \"new\": \"新建\","
	      " \"open\": \"处理中\", \"nobody\": \"无人\","
	      " \"ticket.assign\": \"工单处理人：%s → %s\","
	      " \"ticket.rated\": \"满意度 %d/5\"}",
	      f);
	fclose(f);
	TEST_EQ(msg_load(dir), 0);
	TEST_STREQ(msg_fmt("zh-CN", "no ticket '%s'"), "没有工单“%s”");
	TEST_STREQ(msg_fmt("zh", "no ticket '%s'"), "没有工单“%s”");
	TEST_STREQ(msg_fmt("zh-Hans-CN", "no ticket '%s'"), "没有工单“%s”");
	TEST_STREQ(msg_fmt("en", "no ticket '%s'"), "no ticket '%s'");
	TEST_STREQ(msg_fmt("", "no ticket '%s'"), "no ticket '%s'");
	/* %zu read as %s, arguments swapped: both left out */
	TEST_STREQ(msg_fmt("zh-CN", "%s: text of at most %zu characters"),
		   "%s: text of at most %zu characters");
	TEST_STREQ(msg_fmt("zh-CN", "%s of %d"), "%s of %d");
	TEST_ASSERT(msg_same_args("%s: %.1f s, %5zu%%", "%s：%.1f 秒，%5zu%%"));
	TEST_ASSERT(!msg_same_args("%s %s", "%s"));
	/* a key's translation takes its English format's arguments: %d for
	 * %s left out */
	TEST_STREQ(msg_fmt("zh-CN", "ticket.rated"), "ticket.rated");
	/* a line kept as a key and its arguments, worded for each reader: our
	 * words translated, names (even one that reads as a word) as given */
	{
		char m[256], out[128], *p;

		TEST_EQ(msg_make(m, sizeof(m), "ticket.status",
				 (const char *const[]){"new", "open"}),
			0);
		TEST_STREQ(m, "{\"key\":\"ticket.status\",\"args\":[{\"w\":\"new\"},"
			      "{\"w\":\"open\"}]}");
		TEST_ASSERT(msg_show("zh-CN", m, out, sizeof(out)));
		TEST_STREQ(out, "工单状态：新建 → 处理中");
		TEST_ASSERT(msg_show("en", m, out, sizeof(out)));
		TEST_STREQ(out, "new → open");
		TEST_ASSERT(msg_show(NULL, m, out, sizeof(out)));
		TEST_STREQ(out, "new → open");
		TEST_EQ(msg_make(m, sizeof(m), "ticket.assign",
				 (const char *const[]){"", "open"}),
			0);
		TEST_ASSERT(msg_show("zh-CN", m, out, sizeof(out)));
		TEST_STREQ(out, "工单处理人：无人 → open");
		TEST_ASSERT(msg_show("en", m, out, sizeof(out)));
		TEST_STREQ(out, "nobody → open");
		/* a key without a translation: English */
		TEST_EQ(
		    msg_make(m, sizeof(m), "ticket.rated", (const char *const[]){"4"}),
		    0);
		TEST_ASSERT(msg_show("zh-CN", m, out, sizeof(out)));
		TEST_STREQ(out, "satisfaction 4 of 5");
		TEST_EQ(msg_make(m, sizeof(m), "ticket.nope", (const char *const[]){"x"}),
			EINVAL);
		TEST_EQ(msg_make(m, 8, "ticket.rated", (const char *const[]){"4"}),
			E2BIG);
		TEST_ASSERT(!msg_show("zh-CN", "a note", out, sizeof(out)));
		TEST_ASSERT(
		    !msg_show("zh-CN", "{\"key\":\"x\",\"args\":[]}", out, sizeof(out)));
		/* lines written in English before: read back into a key */
		p = msg_parse("status", "new → open");
		TEST_STREQ(p, "{\"key\":\"ticket.status\",\"args\":[{\"w\":\"new\"},"
			      "{\"w\":\"open\"}]}");
		free(p);
		p = msg_parse("assign", "nobody → 张伟");
		TEST_ASSERT(p && msg_show("zh-CN", p, out, sizeof(out)));
		TEST_STREQ(out, "工单处理人：无人 → 张伟");
		free(p);
		p = msg_parse("escalated", "priority high, assignee 1001 kept: nobody "
					   "else in a group is available");
		TEST_STREQ(p, "{\"key\":\"ticket.escalated.kept\",\"args\":[{\"w\":"
			      "\"high\"},\"1001\",{\"w\":\"a group\"}]}");
		free(p);
		p = msg_parse("sla", "first response target breached");
		TEST_STREQ(p, "{\"key\":\"ticket.sla.breached\",\"args\":[{\"w\":"
			      "\"first response\"}]}");
		free(p);
		TEST_ASSERT(!msg_parse("status", "something else"));
		TEST_ASSERT(!msg_parse("sla", "resolution target met"));
	}
	msg_close();
	TEST_STREQ(msg_fmt("zh-CN", "no ticket '%s'"), "no ticket '%s'");
	unlink(path);
	snprintf(path, sizeof(path), "%s/server", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}

static int test_prefix_match(void)
{
	TEST_ASSERT(util_prefix_match("agent.,queue.", "queue.stats"));
	TEST_ASSERT(util_prefix_match("agent.,queue.", "agent.state"));
	TEST_ASSERT(!util_prefix_match("agent.,queue.", "call.created"));
	TEST_ASSERT(!util_prefix_match("agent.state", "agent.noanswer"));
	TEST_ASSERT(util_prefix_match("", "anything"));
	TEST_ASSERT(util_prefix_match(NULL, "anything"));
	TEST_ASSERT(!util_prefix_match(",", "x"));
	return 0;
}

/* 2024-03-10 is the day New York springs forward, 2024-11-03 falls back. */
static int test_clock_local(void)
{
	static const char *const zones[] = {
	    "America/New_York", "Asia/Shanghai",    "Europe/Berlin",
	    "Australia/Sydney", "America/Santiago", "Africa/Casablanca",
	    "Asia/Kolkata",	"Pacific/Chatham",  "America/St_Johns",
	    "Europe/Dublin",	"Pacific/Apia",	    "America/Sao_Paulo"};
	struct tm tm, want;
	int bad = 0;

	/* the environment is left as it is, whoever reads it meanwhile */
	TEST_ASSERT(!setenv("TZ", "Europe/Paris", 1));
	TEST_ERR(clock_local("Asia/Shanghai", 1705291200000ULL, &tm)); /* 04:00Z */
	TEST_EQ(tm.tm_hour, 12);
	TEST_EQ(tm.tm_gmtoff, 8 * 3600);
	TEST_EQ(tm.tm_isdst, 0);
	TEST_STREQ(tm.tm_zone, "CST");
	TEST_ERR(clock_local("America/New_York", 1710053999000ULL, &tm)); /* 06:59:59Z */
	TEST_EQ(tm.tm_hour * 10000 + tm.tm_min * 100 + tm.tm_sec, 15959);
	TEST_EQ(tm.tm_isdst, 0);
	TEST_STREQ(tm.tm_zone, "EST");
	TEST_ERR(clock_local("America/New_York", 1710054000000ULL, &tm)); /* 07:00Z */
	TEST_EQ(tm.tm_hour * 10000 + tm.tm_min * 100 + tm.tm_sec, 30000);
	TEST_EQ(tm.tm_isdst, 1);
	TEST_EQ(tm.tm_gmtoff, -4 * 3600);
	TEST_ERR(clock_local("America/New_York", 1730613599000ULL, &tm)); /* 05:59:59Z */
	TEST_EQ(tm.tm_hour * 100 + tm.tm_isdst, 101);
	TEST_ERR(clock_local("America/New_York", 1730613600000ULL, &tm)); /* 06:00Z */
	TEST_EQ(tm.tm_hour * 100 + tm.tm_isdst, 100);
	TEST_EQ(tm.tm_mday * 100 + tm.tm_mon + 1, 311);
	/* past the file's transitions the footer's rule goes on: 2090 */
	TEST_ERR(clock_local("America/New_York", 3802075200000ULL, &tm)); /* 07-01 12Z */
	TEST_EQ(tm.tm_hour * 100 + tm.tm_isdst, 801);
	TEST_EQ(clock_local("Mars/Olympus_Mons", 0, &tm), ENOENT);
	TEST_EQ(clock_local("../../etc/passwd", 0, &tm), ENOENT);
	TEST_ERR(clock_local("UTC", 1705291200000ULL, &tm));
	TEST_EQ(tm.tm_hour, 4);
	TEST_STREQ(getenv("TZ"), "Europe/Paris");

	/* the C library's answer, 1970 to 2100, every 9 days and 7 hours */
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		TEST_ASSERT(!setenv("TZ", zones[z], 1));
		tzset();
		for (int64_t t = 0; t < 4102444800LL; t += 9 * 86400 + 7 * 3600) {
			time_t tt = (time_t)t;
			localtime_r(&tt, &want);
			TEST_ERR(clock_local(zones[z], (uint64_t)t * 1000, &tm));
			if (tm.tm_hour != want.tm_hour || tm.tm_mday != want.tm_mday ||
			    tm.tm_gmtoff != want.tm_gmtoff ||
			    tm.tm_isdst != want.tm_isdst) {
				if (bad++ < 5)
					fprintf(stderr,
						"%s at %lld: %02d:%02d off %ld dst %d, "
						"libc %02d:%02d off %ld dst %d\n",
						zones[z], (long long)t, tm.tm_hour,
						tm.tm_min, tm.tm_gmtoff, tm.tm_isdst,
						want.tm_hour, want.tm_min, want.tm_gmtoff,
						want.tm_isdst);
			}
		}
	}
	unsetenv("TZ");
	tzset();
	TEST_EQ(bad, 0);
	return 0;
}

static const struct test_case tests[] = {
    {"typed events: names, fields from the data, one encoder escaping as JSON asks",
     test_events},
    {"text rules: UTF-8, controls, bidi overrides, lengths in characters, cuts",
     test_text_check},
    {"search: CJK characters spaced for the index, queries as phrases", test_cjk_search},
    {"server texts: catalogs by language, translations with other arguments left out",
     test_msg_catalog},
    {"type prefix lists (event stream and webhook filters)", test_prefix_match},
    {"local time in a zone from its file, across DST, TZ left alone", test_clock_local},
};

TEST_MAIN(tests)
