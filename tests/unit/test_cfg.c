/*
 * test_cfg.c — configuration: the shipped files load, defaults apply,
 * every kind of mistake is reported with file, line and key, and the
 * business-hours clock follows time zones and holidays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "core/cfg.h"
#include "test.h"

static int has_error(const struct cfg_errors *e, const char *needle)
{
	for (size_t i = 0; i < e->msgc && i < 32; i++) {
		if (strstr(e->msgv[i], needle))
			return 1;
	}
	for (size_t i = 0; i < e->msgc && i < 32; i++)
		fprintf(stderr, "  have: %s\n", e->msgv[i]);
	return 0;
}

static int test_shipped_files(void)
{
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	struct cfg_tenant *t = NULL;
	const struct cfg_flow *f;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_node_load(&n, "conf/hotline.yaml", &e));
	if (strcmp(n->tenant_file, "conf/demo.yaml") || n->rtp_port_min != 20000 ||
	    n->rtp_port_max != 29999 || n->rtp_timeout_ms != 30000 || n->trustedc != 1 ||
	    strcmp(n->sip_listen, "0.0.0.0:5060"))
		goto out;
	if (cfg_tenant_load(&t, n->tenant_file, &e))
		goto out;
	if (t->agentc != 4 || t->queuec != 3 || !cfg_agent_find(t, "1004") ||
	    strcmp(cfg_number_find(t, "5000")->flow, "main"))
		goto out;
	f = cfg_flow_find(t, "main");
	if (!f || strcmp(f->start, "check-hours") ||
	    cfg_flow_node(f, "menu")->optionc != 2 ||
	    cfg_flow_node(f, "menu")->timeout_ms != 5000 ||
	    cfg_queue_find(t, "support")->memberc != 3)
		goto out;
	/* the ACD keys of the demo: skills, a tier-1 member, overflow */
	if (cfg_agent_find(t, "1001")->skillc != 2 ||
	    cfg_agent_find(t, "1001")->capacity[CFG_VOICE] != 1 ||
	    strcmp(cfg_queue_find(t, "support")->strategy, "skills") ||
	    cfg_queue_find(t, "support")->skills[0].level != 5 ||
	    strcmp(cfg_queue_find(t, "support")->members[2].ext, "1001") ||
	    cfg_queue_find(t, "support")->members[2].tier != 1 ||
	    strcmp(cfg_queue_find(t, "support")->overflow, "queue:sales") ||
	    strcmp(cfg_queue_find(t, "sales")->strategy, "longest-idle"))
		goto out;
	/* the demo chats: a web entry on the chat queue */
	if (cfg_queue_find(t, "chat")->channel != CFG_CHAT ||
	    !cfg_chat_entry_find(t, "web") ||
	    strcmp(cfg_chat_entry_find(t, "web")->topics[0].queue, "chat"))
		goto out;
	/* the custom fields of the demo's customers and tickets */
	if (t->crm_fieldc != 3 || t->crm_fields[1].type != CFG_FIELD_CHOICE ||
	    t->crm_fields[1].optionc != 3 || t->ticket_fieldc != 2 ||
	    t->ticket_fields[1].type != CFG_FIELD_BOOL)
		goto out;
	r = 0;
out:
	mem_deref(t);
	mem_deref(n);
	return r;
}

static int test_node_errors(void)
{
	static const char y[] = "data_dir: var\n"
				"sip:\n"
				"  listen: nowhere\n"
				"  colour: blue\n"
				"media:\n"
				"  rtp_ports: 3000-2000\n"
				"  rtp_timeout: 15x\n"
				"limits:\n"
				"  max_calls: -4\n";
	struct cfg_errors e;
	struct cfg_node *n = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_node_parse(&n, "x.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(n == NULL);
	TEST_ASSERT(has_error(&e, "x.yaml:3: sip.listen: \"nowhere\" is not IP:PORT"));
	TEST_ASSERT(has_error(&e, "x.yaml:4: sip.colour: unknown key"));
	TEST_ASSERT(has_error(&e, "x.yaml:6: media.rtp_ports"));
	TEST_ASSERT(
	    has_error(&e, "x.yaml:7: media.rtp_timeout: \"15x\" is not a duration"));
	TEST_ASSERT(has_error(&e, "x.yaml:9: limits.max_calls"));
	return 0;
}

/* media.codecs: a YAML list or a comma list of opus, PCMU, PCMA (any
 * case); anything else is an error at its line. */
static int test_media_codecs(void)
{
	static const char list[] = "media:\n  codecs: [PCMA, opus]\n";
	static const char text[] = "media:\n  codecs: \"pcmu, OPUS\"\n";
	static const char bad[] =
	    "media:\n  rtp_ports: 20000-20099\n  codecs: [opus, G729]\n";
	static const char none[] = "media:\n  codecs: []\n";
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_node_parse(&n, "x.yaml", list, strlen(list), &e));
	TEST_CHECK(!strcmp(n->media_codecs, "PCMA,opus"));
	n = mem_deref(n);
	TEST_ERR(cfg_node_parse(&n, "x.yaml", text, strlen(text), &e));
	TEST_CHECK(!strcmp(n->media_codecs, "pcmu, OPUS"));
	n = mem_deref(n);
	/* the default: Opus first */
	TEST_ERR(cfg_node_parse(&n, "x.yaml", "log_level: info\n", 16, &e));
	TEST_CHECK(!strcmp(n->media_codecs, "opus, PCMU, PCMA"));
	n = mem_deref(n);
	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_node_parse(&n, "x.yaml", bad, strlen(bad), &e) == EINVAL);
	TEST_CHECK(has_error(&e, "x.yaml:3: media.codecs: \"G729\" is not a codec"));
	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_node_parse(&n, "x.yaml", none, strlen(none), &e) == EINVAL);
	TEST_CHECK(has_error(&e, "x.yaml:2: media.codecs"));
	r = 0;
out:
	mem_deref(n);
	return r;
}

static int test_yaml_syntax_error(void)
{
	static const char y[] = "agents:\n  - ext: \"1001\n    name: [oops\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(has_error(&e, "t.yaml:"));
	TEST_ASSERT(has_error(&e, ": yaml: "));
	return 0;
}

static int test_tenant_errors(void)
{
	static const char y[] = "agents:\n"
				"  - {ext: \"1001\", password: a}\n" /* 2 */
				"  - {ext: \"1001\", password: b}\n" /* 3 */
				"  - {ext: abc, password: c}\n"	     /* 4 */
				"queues:\n"
				"  - name: q\n" /* 6 */
				"    strategy: fastest\n"
				"    ring_timeout: 0s\n"
				"    members: [\"1001\", \"1999\"]\n"
				"numbers:\n"
				"  - {number: \"1001\", flow: nope}\n" /* 11 */
				"flows:\n"
				"  - name: main\n"
				"    start: a\n"
				"    nodes:\n"
				"      - {id: a, type: say, text: hi, next: b}\n" /* 16 */
				"      - {id: c, type: dance}\n"		  /* 17 */
				"      - {id: d, type: menu, text: x}\n"	  /* 18 */
				"      - {id: e, type: queue, queue: nosuch}\n";  /* 19 */
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(has_error(
	    &e, "t.yaml:3: agents[1]: extension 1001 is already agent on line 2"));
	TEST_ASSERT(has_error(&e, "t.yaml:4: agents[2]: ext must be 2 to 15 digits"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:6: queues.strategy: \"fastest\" is not a strategy"));
	TEST_ASSERT(has_error(&e, "queues.ring_timeout: 0s is out of range"));
	TEST_ASSERT(has_error(&e, "member 1999 is not an agent"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:11: numbers.flow: number 1001 runs flow \"nope\""));
	TEST_ASSERT(has_error(&e, "1001 is also an agent's extension"));
	TEST_ASSERT(has_error(
	    &e, "t.yaml:16: nodes.next: node \"a\" of flow \"main\" names node \"b\""));
	TEST_ASSERT(has_error(&e, "t.yaml:17: nodes.type: \"dance\" is not a node type"));
	TEST_ASSERT(has_error(&e, "t.yaml:18: flows[0].nodes[2]: a menu needs options"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:19: nodes.queue: queue \"nosuch\" is not defined"));
	return 0;
}

/* Every key of the ACD: agent skills and capacity, queue channel,
 * priority, limits, tiers, skills, member maps, overflow and exit key,
 * and the priority of an IVR queue node. */
static int test_acd_keys(void)
{
	static const char y[] =
	    "agents:\n"
	    "  - ext: \"1001\"\n"
	    "    password: a\n"
	    "    skills: {english: 8, billing: 6}\n"
	    "    capacity: {voice: 2, chat: 0}\n"
	    "  - {ext: \"1002\", password: b, skills: {english: 6}}\n"
	    "  - {ext: \"1003\", password: c}\n"
	    "queues:\n"
	    "  - name: sales\n"
	    "    strategy: weighted-random\n"
	    "    channel: chat\n"
	    "    priority: -20\n"
	    "    max_len: 50\n"
	    "    join_empty: no\n"
	    "    tier_wait: 45s\n"
	    "    auto_pause: 3\n"
	    "    skills: {english: 5}\n"
	    "    members:\n"
	    "      - \"1002\"\n"
	    "      - {agent: \"1001\", tier: 2, weight: 40}\n"
	    "    overflow: queue:support\n"
	    "    exit_key: \"0\"\n"
	    "    exit_to: flow:main\n"
	    "  - name: support\n"
	    "    strategy: skills\n"
	    "    members: [\"1003\"]\n"
	    "    overflow: extension:1003\n"
	    "    exit_key: 9\n"
	    "  - name: night\n"
	    "    strategy: ring-all\n"
	    "    overflow: hangup\n"
	    "    exit_key: \"#\"\n"
	    "    exit_to: queue:sales\n"
	    "flows:\n"
	    "  - name: main\n"
	    "    nodes:\n"
	    "      - {id: vip, type: queue, queue: sales, priority: 80}\n"
	    "      - {id: rest, type: queue, queue: support}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_agent *a;
	const struct cfg_queue *q;
	const struct cfg_flow *f;
	int r = 1;

	memset(&e, 0, sizeof(e));
	if (cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e)) {
		has_error(&e, "(print them)");
		TEST_FAIL("the tenant did not load");
	}
#define CHECK(c)                                                                         \
	do {                                                                             \
		if (!(c)) {                                                              \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__,       \
				__LINE__, #c);                                           \
			goto out;                                                        \
		}                                                                        \
	} while (0)
	a = cfg_agent_find(t, "1001");
	CHECK(a && a->skillc == 2);
	CHECK(!strcmp(a->skills[0].name, "english") && a->skills[0].level == 8);
	CHECK(!strcmp(a->skills[1].name, "billing") && a->skills[1].level == 6);
	CHECK(a->capacity[CFG_VOICE] == 2 && a->capacity[CFG_CHAT] == 0);
	CHECK(a->capacity[CFG_MAIL] == 3 && a->capacity[CFG_MESSAGE] == 3);
	a = cfg_agent_find(t, "1003");
	CHECK(a && a->skillc == 0);
	CHECK(a->capacity[CFG_VOICE] == 1 && a->capacity[CFG_CHAT] == 3);
	CHECK(a->capacity[CFG_MAIL] == 3 && a->capacity[CFG_MESSAGE] == 3);

	q = cfg_queue_find(t, "sales");
	CHECK(q && !strcmp(q->strategy, "weighted-random"));
	CHECK(q->channel == CFG_CHAT && q->priority == -20 && q->max_len == 50);
	CHECK(!q->join_empty && q->tier_wait_ms == 45000 && q->auto_pause == 3);
	CHECK(q->skillc == 1 && !strcmp(q->skills[0].name, "english"));
	CHECK(q->skills[0].level == 5);
	CHECK(q->memberc == 2);
	CHECK(!strcmp(q->members[0].ext, "1002"));
	CHECK(q->members[0].tier == 0 && q->members[0].weight == 1);
	CHECK(!strcmp(q->members[1].ext, "1001"));
	CHECK(q->members[1].tier == 2 && q->members[1].weight == 40);
	CHECK(!strcmp(q->overflow, "queue:support"));
	CHECK(q->exit_key == '0' && !strcmp(q->exit_to, "flow:main"));

	/* the defaults; exit_to falls back to overflow */
	q = cfg_queue_find(t, "support");
	CHECK(q && q->channel == CFG_VOICE && q->priority == 0 && q->max_len == 0);
	CHECK(q->join_empty && q->tier_wait_ms == 30000 && q->auto_pause == 0);
	CHECK(q->skillc == 0 && q->memberc == 1 && q->members[0].weight == 1);
	CHECK(q->exit_key == '9' && !strcmp(q->exit_to, "extension:1003"));

	q = cfg_queue_find(t, "night");
	CHECK(q && q->memberc == 0 && !strcmp(q->overflow, "hangup"));
	CHECK(q->exit_key == '#' && !strcmp(q->exit_to, "queue:sales"));

	f = cfg_flow_find(t, "main");
	CHECK(f && cfg_flow_node(f, "vip")->priority == 80);
	CHECK(cfg_flow_node(f, "rest")->priority == 0);
#undef CHECK
	r = 0;
out:
	mem_deref(t);
	return r;
}

static int test_acd_errors(void)
{
	static const char y[] =
	    "agents:\n"
	    "  - {ext: \"1001\", password: a, skills: {english: 11}}\n" /* 2 */
	    "  - {ext: \"1002\", password: b, capacity: {fax: 1}}\n"	/* 3 */
	    "  - {ext: \"1003\", password: c, skills: {billing: 4}}\n"	/* 4 */
	    "queues:\n"
	    "  - name: billing\n" /* 6 */
	    "    strategy: fastest\n"
	    "    skills: {billing: 5}\n"
	    "    members: [\"1003\", \"1001\", \"1001\"]\n"
	    "    overflow: voicemail\n" /* 10 */
	    "  - name: sales\n"		/* 11 */
	    "    strategy: ring-all\n"
	    "    overflow: queue:support\n"
	    "  - name: support\n" /* 14 */
	    "    strategy: ring-all\n"
	    "    overflow: queue:sales\n"
	    "  - name: vip\n" /* 17 */
	    "    strategy: ring-all\n"
	    "    overflow: queue:nosuch\n"
	    "    exit_key: x\n" /* 20 */
	    "  - name: late\n"
	    "    strategy: ring-all\n"
	    "    exit_key: \"0\"\n"; /* 23 */
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(t == NULL);
	TEST_ASSERT(
	    has_error(&e, "t.yaml:2: agents.skills: level of \"english\" must be 1-10"));
	TEST_ASSERT(has_error(&e, "t.yaml:3: agents.capacity: unknown channel \"fax\""));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:6: queues.strategy: \"fastest\" is not a strategy"));
	TEST_ASSERT(has_error(&e, "t.yaml:6: queues.members: queue \"billing\": member "
				  "1003 lacks skill billing at level 5"));
	TEST_ASSERT(has_error(&e, "t.yaml:6: queues.members: queue \"billing\": member "
				  "1001 is listed twice"));
	TEST_ASSERT(has_error(&e, "t.yaml:10: queues.overflow: \"voicemail\" is not a "
				  "target (queue:NAME, flow:NAME, extension:EXT, "
				  "callback or hangup)"));
	TEST_ASSERT(has_error(
	    &e, "t.yaml:11: queues.overflow: overflow loop sales -> support -> sales"));
	TEST_ASSERT(has_error(&e, "t.yaml:17: queues.overflow: queue \"nosuch\" is not "
				  "defined"));
	TEST_ASSERT(has_error(&e, "t.yaml:20: queues.exit_key: \"x\" is not a key"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:23: queues.exit_key: needs exit_to or overflow"));
	return 0;
}

/* The waiting experience: music, announcements, callbacks. */
static int test_waiting_keys(void)
{
	static const char y[] = "agents:\n"
				"  - {ext: \"1001\", password: a}\n"
				"queues:\n"
				"  - name: q\n" /* 4 */
				"    strategy: linear\n"
				"    moh: /nonexistent/music\n"
				"    announce: 5s\n"
				"    exit_key: \"5\"\n"
				"    exit_to: hangup\n"
				"    callback_key: \"5\"\n" /* 10 */
				"  - name: ok\n"
				"    strategy: linear\n"
				"    announce: 30s\n"
				"    callback_key: \"*\"\n";
	static const char good[] = "queues:\n"
				   "  - {name: ok, strategy: linear, announce: 45s,\n"
				   "     callback_key: \"#\", moh: /tmp}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(has_error(&e,
			      "t.yaml:4: queues.announce: announcements at most every "
			      "10 s"));
	TEST_ASSERT(has_error(&e, "t.yaml:4: queues.callback_key: '5' is the exit_key"));
	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", good, strlen(good), &e));
	TEST_EQ(t->queuev[0].announce_ms, 45000);
	TEST_EQ(t->queuev[0].callback_key, '#');
	TEST_STREQ(t->queuev[0].moh,
		   "/tmp"); /* a name as written, until cfg_tenant_media */
	mem_deref(t);
	return 0;
}

/* Writes an empty file at path (the media check reads no WAV). */
static int touch(const char *path)
{
	FILE *f = fopen(path, "w");

	return f && !fclose(f) ? 0 : EIO;
}

/*
 * A queue's music and a flow's prompt come from the media folders under
 * the data directory only: names within them are resolved to real paths;
 * an absolute path, "..", a symbolic link out, and a name that is not
 * there are refused, the last two with the same words.
 */
static int test_media_confined(void)
{
	static const char y[] =
	    "agents: [{ext: \"1001\", password: a}]\n"
	    "queues:\n"
	    "  - {name: a, strategy: linear, moh: jazz}\n"    /* 3 */
	    "  - {name: b, strategy: linear, moh: one.wav}\n" /* 4 */
	    "  - {name: c, strategy: linear, moh: /etc/shadow}\n"
	    "  - {name: d, strategy: linear, moh: ../../recordings}\n"
	    "  - {name: e, strategy: linear, moh: out}\n" /* 7 */
	    "  - {name: f, strategy: linear, moh: nothing.wav}\n"
	    "  - {name: g, strategy: linear, moh: jazz/../one.wav}\n"
	    "numbers: [{number: \"5000\", flow: f}]\n"
	    "flows:\n"
	    "  - name: f\n"
	    "    start: hi\n"
	    "    nodes:\n"
	    "      - {id: hi, type: say, file: hello.wav, next: q}\n" /* 15 */
	    "      - {id: q, type: queue, queue: a}\n"
	    "      - {id: x, type: say, file: ../moh/one.wav}\n"
	    "      - {id: y, type: say, file: /etc/passwd}\n";
	char dir[] = "/tmp/hotline-test-media-XXXXXX", p[300], want[300];
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	TEST_ASSERT(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/data", dir);
	TEST_ERR(cfg_media_dirs_make(p));
	snprintf(p, sizeof(p), "%s/data/media/moh/jazz", dir);
	TEST_ASSERT(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/data/media/moh/jazz/a.wav", dir);
	TEST_ERR(touch(p));
	snprintf(p, sizeof(p), "%s/data/media/moh/one.wav", dir);
	TEST_ERR(touch(p));
	snprintf(p, sizeof(p), "%s/data/media/prompts/hello.wav", dir);
	TEST_ERR(touch(p));
	snprintf(p, sizeof(p), "%s/data/media/moh/out", dir);
	TEST_ASSERT(!symlink("/etc", p));

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	snprintf(p, sizeof(p), "%s/data", dir);
	TEST_CHECK(cfg_tenant_media(t, p, &e) == EINVAL);
	snprintf(want, sizeof(want), "%s/data/media/moh/jazz", dir);
	TEST_CHECK(!strcmp(t->queuev[0].moh, want));
	snprintf(want, sizeof(want), "%s/data/media/moh/one.wav", dir);
	TEST_CHECK(!strcmp(t->queuev[1].moh, want));
	snprintf(want, sizeof(want), "%s/data/media/prompts/hello.wav", dir);
	TEST_CHECK(!strcmp(t->flowv[0].nodev[0].file, want));
	TEST_CHECK(
	    has_error(&e, "t.yaml:5: queues.moh: \"/etc/shadow\" must be a name in the "
			  "media folder (media/moh under the data directory)"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:6: queues.moh: \"../../recordings\" must be a name"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:9: queues.moh: \"jazz/../one.wav\" must be a name"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:7: queues.moh: \"out\" is not a readable WAV file or "
			  "folder in the media folder (media/moh under the data "
			  "directory)"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:8: queues.moh: \"nothing.wav\" is not a readable WAV "
			  "file or folder in the media folder (media/moh under the "
			  "data directory)"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:17: nodes.file: \"../moh/one.wav\" must be a name"));
	TEST_CHECK(
	    has_error(&e, "t.yaml:18: nodes.file: \"/etc/passwd\" must be a name in the "
			  "media folder (media/prompts under the data directory)"));
	TEST_CHECK(e.msgc == 7);
	TEST_CHECK(!t->queuev[2].moh[0] && !t->queuev[4].moh[0]);
	r = 0;
out:
	mem_deref(t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		r = 1;
	return r;
}

/*
 * recording_notice: a WAV is a name within media/prompts (resolved, or
 * refused out of it as a prompt is); "default" and a text stay as
 * written, on a queue and on a number.
 */
static int test_recording_notice(void)
{
	static const char y[] =
	    "agents: [{ext: \"1001\", password: a}]\n"
	    "queues:\n"
	    "  - {name: a, strategy: linear, recording_notice: notice.wav}\n" /* 3 */
	    "  - {name: b, strategy: linear, recording_notice: default}\n"
	    "  - {name: c, strategy: linear, recording_notice: Calls are recorded.}\n"
	    "  - {name: d, strategy: linear, recording_notice: ../moh/x.WAV}\n" /* 6 */
	    "numbers:\n"
	    "  - {number: \"5000\", flow: f, recording_notice: default}\n"
	    "  - {number: \"5001\", flow: f, recording_notice: /etc/x.wav}\n" /* 9 */
	    "flows: [{name: f, start: q, nodes: [{id: q, type: queue, queue: a}]}]\n";
	char dir[] = "/tmp/hotline-test-notice-XXXXXX", p[300], want[300];
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	TEST_ASSERT(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/data", dir);
	TEST_ERR(cfg_media_dirs_make(p));
	snprintf(p, sizeof(p), "%s/data/media/prompts/notice.wav", dir);
	TEST_ERR(touch(p));
	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	snprintf(p, sizeof(p), "%s/data", dir);
	TEST_CHECK(cfg_tenant_media(t, p, &e) == EINVAL);
	snprintf(want, sizeof(want), "%s/data/media/prompts/notice.wav", dir);
	TEST_CHECK(!strcmp(t->queuev[0].recording_notice, want));
	TEST_CHECK(!strcmp(t->queuev[1].recording_notice, "default"));
	TEST_CHECK(!strcmp(t->queuev[2].recording_notice, "Calls are recorded."));
	TEST_CHECK(!strcmp(t->numberv[0].recording_notice, "default"));
	TEST_CHECK(!cfg_notice_is_file("default") && cfg_notice_is_file("a.WAV") &&
		   !cfg_notice_is_file(".wav"));
	TEST_CHECK(has_error(&e, "t.yaml:6: queues.recording_notice: \"../moh/x.WAV\" "
				 "must be a name in the media folder (media/prompts"));
	TEST_CHECK(has_error(&e, "t.yaml:9: numbers.recording_notice: \"/etc/x.wav\" "
				 "must be a name"));
	TEST_CHECK(e.msgc == 2);
	TEST_CHECK(!t->queuev[3].recording_notice[0] &&
		   !t->numberv[1].recording_notice[0]);
	r = 0;
out:
	mem_deref(t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		r = 1;
	return r;
}

/* crm.fields and tickets.fields: every key of a declaration, the
 * label's default, and no declaration at all when the keys are absent. */
static int test_custom_fields(void)
{
	static const char y[] =
	    "crm:\n"
	    "  country: \"44\"\n"
	    "  fields:\n"
	    "    - {name: account, type: text, label: Account number}\n"
	    "    - name: plan\n"
	    "      type: choice\n"
	    "      options: [basic, pro]\n"
	    "      required: true\n"
	    "    - {name: since, type: date}\n"
	    "    - {name: seats, type: number}\n"
	    "    - {name: opt_in2, type: bool, required: no}\n"
	    "tickets:\n"
	    "  fields:\n"
	    "    - {name: order_no, type: text, label: Order number, required: yes}\n";
	static const char none[] = "crm: {country: \"1\"}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_field *f;
	int r = 1;

	memset(&e, 0, sizeof(e));
	if (cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e)) {
		has_error(&e, "(print them)");
		TEST_FAIL("the tenant did not load");
	}
	TEST_CHECK(t->crm_fieldc == 5 && t->ticket_fieldc == 1);
	f = &t->crm_fields[0];
	TEST_CHECK(!strcmp(f->name, "account") && !strcmp(f->label, "Account number"));
	TEST_CHECK(f->type == CFG_FIELD_TEXT && !f->required && f->line == 4);
	f = &t->crm_fields[1];
	TEST_CHECK(!strcmp(f->name, "plan") && !strcmp(f->label, "plan"));
	TEST_CHECK(f->type == CFG_FIELD_CHOICE && f->required && f->line == 5);
	TEST_CHECK(f->optionc == 2 && !strcmp(f->options[0], "basic") &&
		   !strcmp(f->options[1], "pro"));
	TEST_CHECK(t->crm_fields[2].type == CFG_FIELD_DATE);
	TEST_CHECK(t->crm_fields[3].type == CFG_FIELD_NUMBER);
	TEST_CHECK(t->crm_fields[4].type == CFG_FIELD_BOOL && !t->crm_fields[4].required);
	f = &t->ticket_fields[0];
	TEST_CHECK(!strcmp(f->name, "order_no") && !strcmp(f->label, "Order number"));
	TEST_CHECK(f->type == CFG_FIELD_TEXT && f->required);
	TEST_CHECK(!strcmp(cfg_field_type_name(CFG_FIELD_CHOICE), "choice"));
	TEST_CHECK(!strcmp(cfg_field_type_name(CFG_FIELD_BOOL), "bool"));
	t = mem_deref(t);

	/* nothing declared: free keys, as before declarations existed */
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", none, strlen(none), &e));
	TEST_CHECK(t->crm_fieldc == 0 && t->ticket_fieldc == 0);
	r = 0;
out:
	mem_deref(t);
	return r;
}

/* Each mistake in a declaration names its line and key. */
static int test_custom_field_errors(void)
{
	static const char y[] =
	    "crm:\n"
	    "  fields:\n"
	    "    - {name: account, type: text}\n"		/* 3 */
	    "    - {name: account, type: number}\n"		/* 4 */
	    "    - {name: Plan-B, type: text}\n"		/* 5 */
	    "    - {name: plan, type: colour}\n"		/* 6 */
	    "    - {name: tier2, type: choice}\n"		/* 7 */
	    "    - {name: seats, type: number, options: [a]}\n" /* 8 */
	    "    - {type: text}\n"				/* 9 */
	    "    - {name: x, type: choice, options: [a, a]}\n"	/* 10 */
	    "    - {name: y, type: text, required: maybe}\n"	/* 11 */
	    "    - {name: z, type: text, colour: red}\n"	/* 12 */
	    "    - {name: w}\n"					/* 13 */
	    "tickets:\n"
	    "  fields: {name: order}\n"; /* 15 */
	static const char many_head[] = "crm:\n  fields:\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	char many[2048];

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(t == NULL);
	TEST_ASSERT(has_error(&e, "t.yaml:4: crm.fields.name: field \"account\" is "
				  "already declared on line 3"));
	TEST_ASSERT(has_error(&e, "t.yaml:5: crm.fields.name: \"Plan-B\" is not a "
				  "field name (a lower-case letter"));
	TEST_ASSERT(has_error(&e, "t.yaml:6: crm.fields.type: \"colour\" is not a "
				  "field type (text, number, date, choice, bool)"));
	TEST_ASSERT(has_error(&e, "t.yaml:7: crm.fields.options: field \"tier2\" is a "
				  "choice and needs options"));
	TEST_ASSERT(has_error(&e, "t.yaml:8: crm.fields.options: options are for a "
				  "field of type choice, and \"seats\" is number"));
	TEST_ASSERT(has_error(&e, "t.yaml:9: crm.fields.name: a field needs a name"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:10: crm.fields.options: option \"a\" is listed twice"));
	TEST_ASSERT(has_error(
	    &e, "t.yaml:11: crm.fields.required: \"maybe\" is not true or false"));
	TEST_ASSERT(has_error(&e, "t.yaml:12: crm.fields: unknown key \"colour\""));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:13: crm.fields.type: field \"w\" needs a type"));
	TEST_ASSERT(has_error(&e, "t.yaml:15: tickets.fields: expected a list"));

	/* at most CFG_MAX_FIELDS */
	memset(&e, 0, sizeof(e));
	snprintf(many, sizeof(many), "%s", many_head);
	for (int i = 0; i <= CFG_MAX_FIELDS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "    - {name: f%d, type: text}\n", i);
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", many, strlen(many), &e), EINVAL);
	TEST_ASSERT(has_error(&e, "t.yaml:35: crm.fields: at most 32 fields"));
	return 0;
}

static int test_missing_file(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_ASSERT(cfg_tenant_load(&t, "/nonexistent/demo.yaml", &e) != 0);
	TEST_ASSERT(has_error(&e, "/nonexistent/demo.yaml:0: file: cannot open"));
	return 0;
}

static int test_durations(void)
{
	uint32_t ms;

	TEST_ERR(cfg_duration_parse(&ms, "500ms"));
	TEST_EQ(ms, 500);
	TEST_ERR(cfg_duration_parse(&ms, "5s"));
	TEST_EQ(ms, 5000);
	TEST_ERR(cfg_duration_parse(&ms, "2m"));
	TEST_EQ(ms, 120000);
	TEST_ERR(cfg_duration_parse(&ms, "7"));
	TEST_EQ(ms, 7000);
	TEST_ASSERT(cfg_duration_parse(&ms, "5 s") != 0);
	TEST_ASSERT(cfg_duration_parse(&ms, "-5s") != 0);
	TEST_ASSERT(cfg_duration_parse(&ms, "99999999999h") != 0);
	return 0;
}

/* 2026-11-24 is a Tuesday. */
#define TUE_0000_UTC 1795478400000ULL
#define H(h)	     ((uint64_t)(h)*3600000ULL)

static int test_hours(void)
{
	struct cfg_hours h;

	memset(&h, 0, sizeof(h));
	strcpy(h.tz, "UTC");
	for (int d = 0; d < 5; d++) {
		h.week[d].open = 9 * 60;
		h.week[d].close = 17 * 60;
	}
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(8)));
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(9)));
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(17) - 1000));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(17)));
	/* Saturday */
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(4 * 24 + 10)));
	/* a holiday */
	char hol[1][11] = {"2026-11-24"};
	h.holidays = hol;
	h.holidayc = 1;
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(10)));
	h.holidayc = 0;
	/* Shanghai is UTC+8: 02:00 UTC is 10:00 there */
	strcpy(h.tz, "Asia/Shanghai");
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(2)));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(10)));
	/* New York in winter is UTC-5: 14:00 UTC is 09:00 there */
	strcpy(h.tz, "America/New_York");
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(14)));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(13)));
	return 0;
}

/* A calendar holds as many holidays and workdays as its file gives
 * (once capped at 64): ten years of weekday holidays, every Saturday of
 * them worked, and the last of each still counted. */
static int test_hours_many_dates(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h;
	char *y = malloc(64 * 1024);
	size_t o;
	int hol = 0, work = 0;
	struct tm tm = {0};

	TEST_ASSERT(y != NULL);
	o = (size_t)sprintf(y, "hours:\n  - name: long\n    week: {mon: 09:00-17:00, "
			       "tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00, "
			       "fri: 09:00-17:00}\n    holidays: [");
	/* 2026-01-05 was a Monday: every Wednesday a holiday, every Saturday
	 * worked, for ten years */
	for (time_t d = 1767571200 + 2 * 86400; d < 1767571200 + 3650L * 86400;
	     d += 7 * 86400) {
		gmtime_r(&d, &tm);
		o += (size_t)sprintf(y + o, "%s%04d-%02d-%02d", hol++ ? ", " : "",
				     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
	o += (size_t)sprintf(y + o, "]\n    workdays: [");
	for (time_t d = 1767571200 + 5 * 86400; d < 1767571200 + 3650L * 86400;
	     d += 7 * 86400) {
		gmtime_r(&d, &tm);
		o += (size_t)sprintf(y + o, "%s%04d-%02d-%02d", work++ ? ", " : "",
				     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
	sprintf(y + o, "]\n");
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), 0);
	free(y);
	h = cfg_hours_find(t, "long");
	TEST_ASSERT(h && h->holidayc == (size_t)hol && h->workdayc == (size_t)work);
	TEST_ASSERT(hol > 500 && work > 500);
	/* the last Wednesday closed, the last Saturday open at 10:00 UTC */
	TEST_ASSERT(!cfg_hours_open(
	    h,
	    (uint64_t)(1767571200 + 2 * 86400 + (hol - 1) * 7 * 86400L + 36000) * 1000));
	TEST_ASSERT(cfg_hours_open(
	    h,
	    (uint64_t)(1767571200 + 5 * 86400 + (work - 1) * 7 * 86400L + 36000) * 1000));
	mem_deref(t);
	return 0;
}

/* The holiday data shipped in conf/holidays: Germany's 2026-2027 from its
 * .ics, Easter's days where they fall; and the Chinese demo's 2027. */
static int test_holiday_data(void)
{
	static const char y[] =
	    "hours:\n"
	    "  - name: de\n"
	    "    timezone: Europe/Berlin\n"
	    "    week: {mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00,\n"
	    "           thu: 09:00-17:00, fri: 09:00-17:00}\n"
	    "    holidays_ics: ../conf/holidays/de-2026-2027.ics\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h;

	/* the path is beside the tenant file: tests/ here */
	TEST_EQ(cfg_tenant_parse(&t, "tests/t.yaml", y, strlen(y), &e), 0);
	h = cfg_hours_find(t, "de");
	TEST_ASSERT(h && h->holidayc == 18);
	/* Good Friday 2027 (Mar 26) closed at noon, the Thursday before open */
	TEST_ASSERT(!cfg_hours_open(h, 1806058800000ULL));
	TEST_ASSERT(cfg_hours_open(h, 1806058800000ULL - 86400000ULL));
	mem_deref(t);
	TEST_EQ(cfg_tenant_load(&t, "conf/demo-zh.yaml", &e), 0);
	h = cfg_hours_find(t, "office");
	TEST_ASSERT(h && h->holidayc > 40);
	TEST_STREQ(h->holidays[h->holidayc - 1], "2027-10-03");
	mem_deref(t);
	return 0;
}

/* China's 2027 .ics has the statutory days only: when the State
 * Council's notice names a make-up working day, the admin adds it to the
 * calendar's workdays (the .ics header and the README say so), and that
 * Saturday opens. 2027-02-20, a Saturday, 10:00 in Shanghai. */
static int test_holiday_cn_workday(void)
{
	static const char y[] =
	    "hours:\n"
	    "  - name: cn\n"
	    "    timezone: Asia/Shanghai\n"
	    "    week: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00,\n"
	    "           thu: 09:00-18:00, fri: 09:00-18:00, sat: closed, sun: closed}\n"
	    "    holidays_ics: ../conf/holidays/cn-2027.ics\n";
	static const char more[] = "    workdays: [2027-02-20]\n";
	const uint64_t sat = 1803088800000ULL;
	char both[sizeof(y) + sizeof(more)];
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h;

	TEST_EQ(cfg_tenant_parse(&t, "tests/t.yaml", y, strlen(y), &e), 0);
	h = cfg_hours_find(t, "cn");
	TEST_ASSERT(h && h->holidayc == 13);
	TEST_ASSERT(!cfg_hours_open(h, sat));
	/* the Spring Festival's Monday (2027-02-08) closed, the Tuesday open */
	TEST_ASSERT(!cfg_hours_open(h, sat - 12 * 86400000ULL));
	TEST_ASSERT(cfg_hours_open(h, sat - 11 * 86400000ULL));
	mem_deref(t);
	t = NULL;
	snprintf(both, sizeof(both), "%s%s", y, more);
	TEST_EQ(cfg_tenant_parse(&t, "tests/t.yaml", both, strlen(both), &e), 0);
	h = cfg_hours_find(t, "cn");
	TEST_ASSERT(h && h->workdayc == 1);
	TEST_ASSERT(cfg_hours_open(h, sat));
	TEST_ASSERT(!cfg_hours_open(h, sat + 7 * 86400000ULL)); /* the next one */
	mem_deref(t);
	return 0;
}

/* language: the tenant's is every flow's, queue's default; a flow, a
 * queue or a number may set its own; only a tag or a voice's name. */
static int test_language(void)
{
	static const char y[] =
	    "language: zh\n"
	    "queues:\n"
	    "  - {name: q1, strategy: linear}\n"
	    "  - {name: q2, strategy: linear, language: en}\n"
	    "numbers:\n"
	    "  - {number: \"1\", flow: f1}\n"
	    "  - {number: \"2\", flow: f1, language: de}\n"
	    "flows:\n"
	    "  - {name: f1, start: a, nodes: [{id: a, type: hangup}]}\n"
	    "  - {name: f2, language: en-gb, start: a,\n"
	    "     nodes: [{id: a, type: hangup}]}\n";
	static const char bad[] = "language: \"../zh\"\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	TEST_STREQ(t->language, "zh");
	TEST_STREQ(t->queuev[0].language, "zh");
	TEST_STREQ(t->queuev[1].language, "en");
	TEST_STREQ(t->flowv[0].language, "zh");
	TEST_STREQ(t->flowv[1].language, "en-gb");
	TEST_STREQ(t->numberv[0].language, ""); /* the flow's */
	TEST_STREQ(t->numberv[1].language, "de");
	mem_deref(t);
	t = NULL;
	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e), EINVAL);
	TEST_ASSERT(has_error(&e, "t.yaml:1: language: \"../zh\" is not a language"));
	return 0;
}

/* China's 调休: a closed Saturday or Sunday made a working day, with a
 * weekday's hours or workday_hours; a holiday week closed. Shanghai is
 * UTC+8: 02:00 UTC is 10:00 there. */
static int test_hours_workdays(void)
{
	static const char y[] =
	    "hours:\n"
	    "  - name: cn\n"
	    "    timezone: Asia/Shanghai\n"
	    "    week: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00,\n"
	    "           thu: 09:00-18:00, fri: 09:00-18:00, sat: closed, sun: closed}\n"
	    "    holidays: [2026-02-15, 2026-02-16, 2026-02-23]\n"
	    "    workdays: [2026-02-14, 2026-04-26]\n"
	    "  - name: short\n"
	    "    timezone: Asia/Shanghai\n"
	    "    week: {mon: 09:00-18:00, sat: closed}\n"
	    "    workdays: [2026-02-28]\n"
	    "    workday_hours: 10:00-16:00\n";
	static const char bad[] = "hours:\n"
				  "  - name: cn\n"
				  "    holidays: [2026-02-15]\n"
				  "    workdays: [2026-02-15, 2026-02-30]\n" /* 4 */
				  "    workday_hours: 18:00-09:00\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h, *s;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	h = cfg_hours_find(t, "cn");
	s = cfg_hours_find(t, "short");
	TEST_ASSERT(h && s);
	TEST_EQ(h->workdayc, 2);
	/* Saturday 2026-02-14, a make-up day before the Spring Festival */
	TEST_ASSERT(cfg_hours_open(h, 1771034400000ULL));  /* 10:00 */
	TEST_ASSERT(!cfg_hours_open(h, 1771005600000ULL)); /* 02:00 */
	/* the Saturday after it (2026-02-21) is in the holiday, and a normal
	 * Saturday (2026-03-07) is closed */
	TEST_ASSERT(!cfg_hours_open(h, 1771639200000ULL));
	TEST_ASSERT(!cfg_hours_open(h, 1772848800000ULL));
	/* Monday 2026-02-16: a holiday */
	TEST_ASSERT(!cfg_hours_open(h, 1771207200000ULL));
	/* Sunday 2026-04-26, worked before Labour Day; Sunday 04-19 is not */
	TEST_ASSERT(cfg_hours_open(h, 1777168800000ULL));
	TEST_ASSERT(!cfg_hours_open(h, 1776564000000ULL));
	/* workday_hours: Saturday 2026-02-28 opens at 10:00, closes at 16:00 */
	TEST_ASSERT(!cfg_hours_open(s, 1772244000000ULL - 60000)); /* 09:59 */
	TEST_ASSERT(cfg_hours_open(s, 1772244000000ULL));	   /* 10:00 */
	TEST_ASSERT(!cfg_hours_open(s, 1772265600000ULL));	   /* 16:00 */
	mem_deref(t);
	t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e), EINVAL);
	TEST_ASSERT(
	    has_error(&e, "t.yaml:2: hours.workdays: 2026-02-15 is also a holiday"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:4: hours.workdays: \"2026-02-30\" is not a date"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:5: hours.workday_hours: \"18:00-09:00\" is not"));
	return 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return errno;
	fputs(text, f);
	fclose(f);
	return 0;
}

/* holidays_ics, workdays_ics: the days of an iCalendar file's events (an
 * all-day DTEND is the day after); a malformed file is refused naming
 * its line. */
static int test_hours_ics(void)
{
	static const char ics[] = "BEGIN:VCALENDAR\r\n"
				  "VERSION:2.0\r\n"
				  "PRODID:-//test//EN\r\n"
				  "BEGIN:VEVENT\r\n"
				  "UID:spring-2026@test\r\n"
				  "SUMMARY:春节\r\n"
				  "DTSTART;VALUE=DATE:20260215\r\n"
				  "DTEND;VALUE=DATE:20260224\r\n"
				  "END:VEVENT\r\n"
				  "BEGIN:VEVENT\r\n"
				  "UID:newyear-2026@test\r\n"
				  "SUMMARY:元旦\r\n"
				  "DTSTART;VALUE=DATE:20260101\r\n"
				  "END:VEVENT\r\n"
				  "END:VCALENDAR\r\n";
	static const char work[] = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n"
				   "BEGIN:VEVENT\nUID:a@t\nDTSTART;VALUE=DATE:20260214\n"
				   "END:VEVENT\nEND:VCALENDAR\n";
	static const char broken[] = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n"
				     "BEGIN:VEVENT\nUID:a@t\n"
				     "DTSTART;VALUE=DATE 20260214\n" /* line 6 */
				     "END:VEVENT\nEND:VCALENDAR\n";
	static const char nodate[] = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n"
				     "BEGIN:VEVENT\nUID:a@t\n" /* line 4 */
				     "END:VEVENT\nEND:VCALENDAR\n";
	static const char y[] = "hours:\n"
				"  - name: cn\n"
				"    timezone: Asia/Shanghai\n"
				"    week: {mon: 09:00-18:00, sat: closed}\n"
				"    holidays_ics: /tmp/hotline-test-h.ics\n"
				"    workdays_ics: /tmp/hotline-test-w.ics\n";
	static const char yb[] = "hours:\n"
				 "  - name: cn\n"
				 "    holidays_ics: /tmp/hotline-test-b.ics\n" /* 3 */
				 "    workdays_ics: /tmp/hotline-test-n.ics\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h;

	TEST_ERR(write_file("/tmp/hotline-test-h.ics", ics));
	TEST_ERR(write_file("/tmp/hotline-test-w.ics", work));
	TEST_ERR(write_file("/tmp/hotline-test-b.ics", broken));
	TEST_ERR(write_file("/tmp/hotline-test-n.ics", nodate));
	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	h = cfg_hours_find(t, "cn");
	TEST_ASSERT(h);
	TEST_EQ(h->holidayc, 10); /* Feb 15-23, Jan 1 */
	TEST_STREQ(h->holidays[0], "2026-02-15");
	TEST_STREQ(h->holidays[8], "2026-02-23");
	TEST_STREQ(h->holidays[9], "2026-01-01");
	TEST_EQ(h->workdayc, 1);
	TEST_STREQ(h->workdays[0], "2026-02-14");
	/* Saturday Feb 14 open at 10:00, Monday Feb 16 closed */
	TEST_ASSERT(cfg_hours_open(h, 1771034400000ULL));
	TEST_ASSERT(!cfg_hours_open(h, 1771207200000ULL));
	mem_deref(t);
	t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", yb, strlen(yb), &e), EINVAL);
	TEST_ASSERT(has_error(&e,
			      "t.yaml:3: hours.holidays_ics: /tmp/hotline-test-b.ics: "
			      "line 6: not NAME:VALUE"));
	TEST_ASSERT(has_error(&e,
			      "t.yaml:4: hours.workdays_ics: /tmp/hotline-test-n.ics: "
			      "line 4: event without a valid DTSTART"));
	return 0;
}

/* check-config tells a tenant file from a node file by its top-level keys. */
static int test_file_kind(void)
{
	static const char *tenant = "# — a tenant\nname: Acme\nagents: []\nqueues: []\n";
	static const char *node = "data_dir: var\ntenant: demo.yaml\nsip: {listen: "
				  "127.0.0.1:5060}\n";
	enum cfg_kind kind = CFG_TENANT;

	TEST_ERR(cfg_file_kind(&kind, node, strlen(node)));
	TEST_EQ(kind, CFG_NODE);
	TEST_ERR(cfg_file_kind(&kind, tenant, strlen(tenant)));
	TEST_EQ(kind, CFG_TENANT);
	/* one stray node key in a tenant file: still a tenant file */
	TEST_ERR(cfg_file_kind(&kind, "agents: []\nqueues: []\nhttp: {}\n", 31));
	TEST_EQ(kind, CFG_TENANT);
	TEST_ERR(cfg_file_kind(&kind, "", 0));
	TEST_EQ(kind, CFG_NODE);
	TEST_EQ(cfg_file_kind(&kind, "a: [", 4), EINVAL);
	TEST_ERR(cfg_file_kind_load(&kind, "conf/demo.yaml", NULL));
	TEST_EQ(kind, CFG_TENANT);
	TEST_ERR(cfg_file_kind_load(&kind, "conf/hotline.yaml", NULL));
	TEST_EQ(kind, CFG_NODE);
	return 0;
}

/* chat: entries, topics on chat queues, limits, canned replies; each
 * mistake named by its line. */
static int test_chat(void)
{
	static const char good[] =
	    "hours:\n"
	    "  - {name: office, week: {mon: 09:00-17:00}}\n"
	    "queues:\n"
	    "  - {name: sales, strategy: linear}\n"
	    "  - {name: chat-sales, channel: chat, strategy: linear}\n"
	    "chat:\n"
	    "  entries:\n"
	    "    - name: web\n"
	    "      origins: [\"https://shop.example.com\", \"http://localhost:8080\"]\n"
	    "      topics: [{label: 售后, queue: chat-sales}]\n"
	    "      hours: office\n"
	    "      offline_group: sales\n"
	    "  limits: {message_chars: 500, per_visitor_per_min: 10}\n"
	    "  canned: [{shortcut: /hi, text: 您好}]\n";
	static const char bad[] =
	    "queues:\n"
	    "  - {name: sales, strategy: linear}\n"
	    "chat:\n"
	    "  entries:\n"
	    "    - name: web\n" /* 5 */
	    "      origins: [\"*\", \"https://a.example/path\", \"shop.example\"]\n" /* 6
										      */
	    "      topics: [{label: x, queue: sales}, {label: y, queue: nope}]\n" /* 7 */
	    "      hours: night\n"
	    "    - {name: web, topics: [], colour: red}\n"		 /* 9 */
	    "  limits: {message_chars: 0, attachment_bytes: 30000000}\n" /* 10 */
	    "  canned: [{shortcut: /x}]\n";				 /* 11 */
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_chat_entry *en;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", good, strlen(good), &e));
	en = cfg_chat_entry_find(t, "web");
	TEST_ASSERT(en && en->originc == 2 && en->topicc == 1);
	TEST_STREQ(en->topics[0].label, "售后");
	TEST_STREQ(en->offline_group, "sales");
	TEST_EQ(t->chat.message_chars, 500);
	TEST_EQ(t->chat.per_visitor_per_min, 10);
	TEST_EQ(t->chat.chats_per_address_per_hour, 20);
	TEST_EQ(t->chat.attachment_bytes, CFG_CHAT_ATTACH_DEFAULT);
	TEST_EQ(t->chat.cannedc, 1);
	TEST_ASSERT(cfg_chat_entry_find(t, "other") == NULL);
	t = mem_deref(t);

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e), EINVAL);
	TEST_ASSERT(t == NULL);
	TEST_ASSERT(
	    has_error(&e, "t.yaml:6: chat.entries.origins: \"*\" is not an origin"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:6: chat.entries.origins: \"https://a.example/path\""));
	TEST_ASSERT(has_error(&e, "t.yaml:6: chat.entries.origins: \"shop.example\""));
	TEST_ASSERT(has_error(&e,
			      "t.yaml:7: chat.entries.topics.queue: queue \"sales\" is "
			      "not a chat queue"));
	TEST_ASSERT(has_error(&e,
			      "t.yaml:7: chat.entries.topics.queue: queue \"nope\" is "
			      "not defined"));
	TEST_ASSERT(has_error(&e, "t.yaml:5: chat.entries.hours: calendar \"night\""));
	TEST_ASSERT(has_error(&e, "t.yaml:9: chat.entries.name: entry \"web\" is defined "
				  "twice"));
	TEST_ASSERT(has_error(&e, "t.yaml:9: chat.entries: unknown key \"colour\""));
	TEST_ASSERT(
	    has_error(&e, "chat.entries.topics: entry \"web\" needs a list of topics"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:10: chat.limits.message_chars: 0 is out of range"));
	TEST_ASSERT(has_error(&e,
			      "t.yaml:10: chat.limits.attachment_bytes: 30000000 is out "
			      "of range"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:11: chat.canned.text: a canned reply needs a text"));
	return 0;
}

/* Conference rooms: a number, a PIN of digits, at most 32; errors name
 * the key and line. */
static int test_conferences(void)
{
	static const char *ok = "agents: [{ext: \"1001\", name: A, password: a-1001}]\n"
				"conferences:\n"
				"  - {number: \"7000\", pin: \"1234\", max: 5}\n"
				"  - {number: \"7001\"}\n";
	static const char *bad =
	    "agents: [{ext: \"1001\", name: A, password: a-1001}]\n"
	    "numbers: [{number: \"5000\", flow: f}]\n"
	    "flows: [{name: f, start: h, nodes: [{id: h, type: hangup}]}]\n"
	    "conferences:\n"
	    "  - {number: \"7000\", pin: \"12a4\"}\n" /* 5 */
	    "  - {number: \"7001\", max: 40}\n"
	    "  - {number: \"7001\"}\n"
	    "  - {number: \"5000\"}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", ok, strlen(ok), &e));
	TEST_CHECK(t->conferencec == 2);
	TEST_CHECK(!strcmp(cfg_conference_find(t, "7000")->pin, "1234"));
	TEST_CHECK(cfg_conference_find(t, "7000")->max == 5);
	TEST_CHECK(cfg_conference_find(t, "7001")->max == CFG_CONF_MAX);
	TEST_CHECK(!cfg_conference_find(t, "7002"));
	t = mem_deref(t);
	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e) == EINVAL);
	TEST_CHECK(e.msgc == 4);
	TEST_CHECK(strstr(e.msgv[0], ":5") && strstr(e.msgv[0], "conferences.pin"));
	TEST_CHECK(strstr(e.msgv[1], "conferences.max") && strstr(e.msgv[1], "2 to 32"));
	TEST_CHECK(strstr(e.msgv[2], "a room already"));
	TEST_CHECK(strstr(e.msgv[3], "a number of a flow"));
	r = 0;
out:
	if (r)
		for (size_t i = 0; i < e.msgc && i < 32; i++)
			fprintf(stderr, "%s\n", e.msgv[i]);
	mem_deref(t);
	return r;
}

/* sip.tls_* and sip.srtp (issue 15): checked at load, key files too */
static int test_tls_keys(void)
{
	static const char y[] = "sip:\n"
				"  tls_listen: 127.0.0.1:5061\n"
				"  srtp: always\n";
	char dir[] = "/tmp/hotline-cfg-tls-XXXXXX", path[96], file[96];
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	FILE *f;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_node_parse(&n, "x.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(
	    has_error(&e, "sip.srtp: \"always\" is not off, optional or required"));
	TEST_ASSERT(has_error(&e, "sip.tls_listen: needs sip.tls_cert and sip.tls_key"));

	/* a key everyone may read is refused, a private one taken; both
	 * relative to the node file */
	TEST_ASSERT(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/hotline.yaml", dir);
	f = fopen(file, "w");
	TEST_ASSERT(f);
	fprintf(f, "data_dir: var\nsip:\n  tls_listen: 127.0.0.1:5061\n"
		   "  tls_cert: c.pem\n  tls_key: k.pem\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/c.pem", dir);
	f = fopen(path, "w");
	TEST_ASSERT(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/k.pem", dir);
	f = fopen(path, "w");
	TEST_ASSERT(f);
	fclose(f);
	chmod(path, 0644);
	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_node_load(&n, file, &e) == EINVAL);
	TEST_CHECK(has_error(&e, "sip.tls_key: ") &&
		   has_error(&e, "readable by everyone"));
	chmod(path, 0600);
	memset(&e, 0, sizeof(e));
	TEST_CHECK(!cfg_node_load(&n, file, &e));
	TEST_CHECK(!strcmp(n->sip_tls_key, path));
	r = 0;
out:
	mem_deref(n);
	unlink(path);
	snprintf(path, sizeof(path), "%s/c.pem", dir);
	unlink(path);
	unlink(file);
	rmdir(dir);
	return r;
}

static const struct test_case tests[] = {
    {"chat: entries, topics on chat queues, limits, canned; errors by line", test_chat},
    {"conference rooms: number, PIN, at most 32", test_conferences},
    {"shipped hotline.yaml and demo.yaml load", test_shipped_files},
    {"sip.tls_* and sip.srtp checked at load, a world-readable key refused",
     test_tls_keys},
    {"node file errors name line and key", test_node_errors},
    {"media.codecs: a list or a comma list of opus, PCMU, PCMA; others refused at their "
     "line",
     test_media_codecs},
    {"YAML syntax error names the line", test_yaml_syntax_error},
    {"tenant errors: duplicates, bad values, dangling references", test_tenant_errors},
    {"ACD keys: skills, capacity, tiers, overflow, exit key", test_acd_keys},
    {"ACD errors: levels, channels, members, targets, loops", test_acd_errors},
    {"waiting: music, announcements, callback key", test_waiting_keys},
    {"music and prompts only from the media folders", test_media_confined},
    {"recording_notice: a prompt from the media folder, a text or default",
     test_recording_notice},
    {"custom fields: crm.fields and tickets.fields", test_custom_fields},
    {"custom field errors name line and key", test_custom_field_errors},
    {"a missing file is named", test_missing_file},
    {"a tenant file and a node file told apart by their keys", test_file_kind},
    {"durations", test_durations},
    {"business hours: weekdays, holidays, time zones", test_hours},
    {"language: the tenant's by default, a flow's, queue's, number's own", test_language},
    {"business hours from .ics files; a malformed one refused by its line",
     test_hours_ics},
    {"business hours: make-up workdays (调休) open, the holiday week closed",
     test_hours_workdays},
    {"business hours: any number of holidays and workdays", test_hours_many_dates},
    {"holiday data: Germany 2026-2027 from its .ics, China's 2027", test_holiday_data},
    {"holiday data: China 2027 from its .ics, a make-up workday added opens",
     test_holiday_cn_workday},
};

TEST_MAIN(tests)
