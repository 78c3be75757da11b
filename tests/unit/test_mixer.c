/*
 * test_mixer.c — mix groups on the virtual tick: every member talks in a
 * tone of its own frequency, and Goertzel filters on what each one is sent
 * tell whom it hears (a room of 5; listen, whisper, barge and take-over
 * on a call; a loud room limited, not wrapped; the group's recording),
 * and members on other shards move to the group's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include <sndfile.h>
#include <spandsp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"
#include "test.h"
#include "test_audio.h"

#define TICKS	25 /* 0.5 s of audio */
#define MEMBERS 5

static const double freq[MEMBERS] = {400, 700, 1000, 1300, 1700};

static struct cfg_node node;

static void setup_node(unsigned threads)
{
	memset(&node, 0, sizeof(node));
	node.media_threads = threads;
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = (uint16_t)(32000 + (getpid() % 1000) * 20);
	node.rtp_port_max = (uint16_t)(node.rtp_port_min + 19);
}

struct room {
	struct media *m;
	struct media_mix *x;
	struct media_stream *s[MEMBERS];
	int16_t heard[MEMBERS][TICKS * MEDIA_FRAME];
	uint64_t t;
	size_t phase;
	double amp;
};

static int room_open(struct room *r, size_t n)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->amp = 6000;
	setup_node(1); /* the tick on this thread, on a virtual clock */
	err = media_alloc(&r->m, &node);
	if (!err)
		err = media_mix_alloc(&r->x, r->m);
	for (size_t i = 0; !err && i < n; i++)
		err = media_stream_alloc(&r->s[i], r->m, no_event, NULL);
	if (!err)
		r->t = r->m->next_us;
	return err;
}

static void room_close(struct room *r)
{
	r->x = mem_deref(r->x);
	for (size_t i = 0; i < MEMBERS; i++)
		r->s[i] = mem_deref(r->s[i]);
	r->m = mem_deref(r->m);
}

/* TICKS frames: member i says its tone (as if it had arrived by RTP),
 * what each is sent is kept in heard. */
static void room_run(struct room *r)
{
	for (size_t k = 0; k < TICKS; k++) {
		for (size_t i = 0; i < MEMBERS; i++) {
			struct media_stream *s = r->s[i];

			if (!s)
				continue;
			for (size_t j = 0; j < MEDIA_FRAME; j++)
				s->rxq[j] =
				    (int16_t)(r->amp *
					      sin(2 * M_PI * freq[i] *
						  (double)(r->phase + j) / MEDIA_SRATE));
			s->rxn = MEDIA_FRAME;
		}
		r->phase += MEDIA_FRAME;
		media__tick(r->m, r->t);
		r->t += 20000;
		for (size_t i = 0; i < MEMBERS; i++)
			if (r->s[i])
				memcpy(r->heard[i] + k * MEDIA_FRAME,
				       r->s[i]->mix ? r->s[i]->mixout : r->s[i]->cur,
				       sizeof(int16_t) * MEDIA_FRAME);
	}
}

/* Whether listener i hears talker j (its tone well above the floor),
 * checked both ways: heard when it must be, silent when it must not. */
static int hears(struct room *r, size_t i, size_t j, bool expect)
{
	double lvl = tone_level(r->heard[i], TICKS * MEDIA_FRAME, freq[j]);

	if (expect ? lvl < r->amp / 2 : lvl > r->amp / 20) {
		fprintf(stderr, "member %zu hears %g Hz at %.0f, expected %s\n", i,
			freq[j], lvl, expect ? "it" : "silence");
		return 1;
	}
	return 0;
}

static int test_room_of_five(void)
{
	static struct room r;
	int rc = 1;

	TEST_ERR(room_open(&r, MEMBERS));
	for (size_t i = 0; i < MEMBERS; i++)
		TEST_CHECK(!media_mix_join(r.x, r.s[i], MEDIA_MIX_NORMAL, NULL));
	TEST_CHECK(media_mix_count(r.x) == MEMBERS);
	room_run(&r);
	for (size_t i = 0; i < MEMBERS; i++)
		for (size_t j = 0; j < MEMBERS; j++)
			TEST_CHECK(!hears(&r, i, j, i != j));

	/* one leaves: the others no longer hear it, it hears nobody */
	media_mix_leave(r.s[2]);
	TEST_CHECK(media_mix_count(r.x) == MEMBERS - 1);
	room_run(&r);
	TEST_CHECK(!hears(&r, 0, 2, false));
	TEST_CHECK(!hears(&r, 0, 1, true));
	TEST_CHECK(r.s[2]->mix == NULL);
	rc = 0;
out:
	room_close(&r);
	return rc;
}

/* customer 0, agent 1, supervisor 2: who hears whom in each mode */
enum { CUST, AGENT, SUP };

static int call_check(struct room *r, bool c_hears_s, bool a_hears_s)
{
	room_run(r);
	if (hears(r, CUST, AGENT, true) || hears(r, AGENT, CUST, true) ||
	    hears(r, SUP, CUST, true) || hears(r, SUP, AGENT, true) ||
	    hears(r, CUST, SUP, c_hears_s) || hears(r, AGENT, SUP, a_hears_s) ||
	    hears(r, CUST, CUST, false) || hears(r, AGENT, AGENT, false) ||
	    hears(r, SUP, SUP, false))
		return 1;
	return 0;
}

static int test_listen_whisper_barge_takeover(void)
{
	static struct room r;
	int rc = 1;

	TEST_ERR(room_open(&r, 3));
	TEST_CHECK(!media_mix_join(r.x, r.s[CUST], MEDIA_MIX_NORMAL, NULL));
	TEST_CHECK(!media_mix_join(r.x, r.s[AGENT], MEDIA_MIX_NORMAL, NULL));
	/* a whisperer needs a member to whisper to */
	TEST_CHECK(media_mix_join(r.x, r.s[SUP], MEDIA_MIX_WHISPER, NULL) == EINVAL);
	TEST_CHECK(media_mix_join(r.x, r.s[SUP], MEDIA_MIX_WHISPER, r.s[SUP]) == EINVAL);

	TEST_CHECK(!media_mix_join(r.x, r.s[SUP], MEDIA_MIX_LISTEN, NULL));
	TEST_CHECK(!call_check(&r, false, false));
	TEST_CHECK(!media_mix_join(r.x, r.s[SUP], MEDIA_MIX_WHISPER, r.s[AGENT]));
	TEST_CHECK(!call_check(&r, false, true));
	TEST_CHECK(!media_mix_join(r.x, r.s[SUP], MEDIA_MIX_NORMAL, NULL)); /* barge */
	TEST_CHECK(!call_check(&r, true, true));
	TEST_CHECK(media_mix_count(r.x) == 3);

	/* whispering to an agent who then leaves: heard by nobody */
	TEST_CHECK(!media_mix_join(r.x, r.s[SUP], MEDIA_MIX_WHISPER, r.s[AGENT]));
	media_mix_leave(r.s[AGENT]);
	TEST_CHECK(r.s[SUP]->whisper_to == NULL);
	room_run(&r);
	TEST_CHECK(!hears(&r, CUST, SUP, false));

	/* take-over: the agent is gone, the supervisor talks to the customer */
	TEST_CHECK(!media_mix_join(r.x, r.s[SUP], MEDIA_MIX_NORMAL, NULL));
	room_run(&r);
	TEST_CHECK(!hears(&r, CUST, SUP, true));
	TEST_CHECK(!hears(&r, SUP, CUST, true));
	TEST_CHECK(!hears(&r, CUST, AGENT, false));
	rc = 0;
out:
	room_close(&r);
	return rc;
}

/* Five members shouting in phase: a member hears four of them, far past
 * full scale; what it is sent stays in 16 bits with the sign of the sum
 * (scaled, never wrapped around) and near full scale. */
static int test_loud_room_limited(void)
{
	static struct room r;
	int rc = 1;
	int peak = 0;

	TEST_ERR(room_open(&r, MEMBERS));
	r.amp = 20000;
	for (size_t i = 0; i < MEMBERS; i++)
		TEST_CHECK(!media_mix_join(r.x, r.s[i], MEDIA_MIX_NORMAL, NULL));
	room_run(&r);
	for (size_t k = 0; k < TICKS * MEDIA_FRAME; k++) {
		double sum = 0;
		int v = r.heard[0][k];

		for (size_t j = 1; j < MEMBERS; j++)
			sum += (int16_t)(r.amp * sin(2 * M_PI * freq[j] * (double)k /
						     MEDIA_SRATE));
		if ((sum > 200 && v < 0) || (sum < -200 && v > 0)) {
			fprintf(stderr, "sample %zu: sum %.0f sent %d\n", k, sum, v);
			goto out;
		}
		if (abs(v) > peak)
			peak = abs(v);
	}
	TEST_CHECK(peak > 30000);
	for (size_t j = 1; j < MEMBERS; j++)
		TEST_CHECK(!hears(&r, 0, j, true));
	rc = 0;
out:
	room_close(&r);
	return rc;
}

/* The group's recording is what the room said: every talker's tone; a
 * recorded bridge that joins keeps its file going as the group's. */
static int test_recording_is_the_mix(void)
{
	static struct room r;
	static int16_t buf[TICKS * MEDIA_FRAME * 2], left[TICKS * MEDIA_FRAME];
	struct recorder *rec = NULL;
	char path[64];
	SF_INFO info;
	SNDFILE *f;
	sf_count_t n;
	int rc = 1;

	snprintf(path, sizeof(path), "/tmp/test_mixer_%d.wav", (int)getpid());
	TEST_ERR(room_open(&r, 3));
	/* a bridged, recorded pair: its recorder goes on as the group's */
	TEST_CHECK(!recorder_open(&rec, path));
	media_bridge(r.s[0], r.s[1], rec);
	rec = mem_deref(rec);
	for (size_t i = 0; i < 3; i++)
		TEST_CHECK(!media_mix_join(r.x, r.s[i], MEDIA_MIX_NORMAL, NULL));
	TEST_CHECK(!media_mix_join(r.x, r.s[2], MEDIA_MIX_LISTEN, NULL));
	room_run(&r);
	media_mix_record(r.x, NULL); /* closes the file */

	memset(&info, 0, sizeof(info));
	f = sf_open(path, SFM_READ, &info);
	TEST_CHECK(f && info.channels == 2 && info.samplerate == MEDIA_SRATE);
	n = sf_readf_short(f, buf, TICKS * MEDIA_FRAME);
	sf_close(f);
	TEST_CHECK(n == TICKS * MEDIA_FRAME);
	for (sf_count_t i = 0; i < n; i++)
		left[i] = buf[2 * i];
	TEST_CHECK(tone_level(left, (size_t)n, freq[0]) > r.amp / 2);
	TEST_CHECK(tone_level(left, (size_t)n, freq[1]) > r.amp / 2);
	/* a listener is heard by nobody, the recording included */
	TEST_CHECK(tone_level(left, (size_t)n, freq[2]) < r.amp / 20);
	rc = 0;
out:
	unlink(path);
	mem_deref(rec);
	room_close(&r);
	return rc;
}

/* A member bridged elsewhere leaves its bridge; a member bridged after
 * leaves the group; a member freed leaves; a group freed lets its
 * members go. */
static int test_bridge_and_lifetimes(void)
{
	static struct room r;
	int rc = 1;

	TEST_ERR(room_open(&r, 4));
	media_bridge(r.s[0], r.s[1], NULL);
	TEST_CHECK(!media_mix_join(r.x, r.s[0], MEDIA_MIX_NORMAL, NULL));
	TEST_CHECK(!media_mix_join(r.x, r.s[2], MEDIA_MIX_NORMAL, NULL));
	TEST_CHECK(r.s[0]->peer == NULL && r.s[1]->peer == NULL);
	media_bridge(r.s[2], r.s[3], NULL);
	TEST_CHECK(r.s[2]->mix == NULL && media_mix_count(r.x) == 1);
	TEST_CHECK(!media_mix_join(r.x, r.s[1], MEDIA_MIX_NORMAL, NULL));
	r.s[1] = mem_deref(r.s[1]);
	TEST_CHECK(media_mix_count(r.x) == 1);
	r.x = mem_deref(r.x);
	TEST_CHECK(r.s[0]->mix == NULL);
	room_run(&r); /* no group: nothing to read freed */
	rc = 0;
out:
	room_close(&r);
	return rc;
}

/* With three media threads, members made on other shards tick on the
 * group's shard once they join. */
static int test_members_move_to_group_shard(void)
{
	struct media *m = NULL;
	struct media_mix *x = NULL;
	struct media_stream *s[4] = {NULL};
	int rc = 1;

	setup_node(3);
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_mix_alloc(&x, m));
	for (size_t i = 0; i < 4; i++)
		TEST_CHECK(!media_stream_alloc(&s[i], m, no_event, NULL));
	TEST_CHECK(s[0]->m != s[1]->m); /* round robin: not all on one */
	for (size_t i = 0; i < 4; i++)
		TEST_CHECK(!media_mix_join(x, s[i], MEDIA_MIX_NORMAL, NULL));
	for (size_t i = 0; i < 4; i++)
		TEST_CHECK(s[i]->m == s[0]->m && s[i]->mix == x);
	sys_msleep(60); /* the shard's thread mixes them meanwhile */
	rc = 0;
out:
	mem_deref(x);
	for (size_t i = 0; i < 4; i++)
		mem_deref(s[i]);
	mem_deref(m);
	return rc;
}

/* A member's join tone (200 ms of 880 Hz) is added to what it hears: the
 * others talking go on being heard under it (the tone replaced the room
 * for its 200 ms before). What member 2 is sent is read off the wire. */
static int test_tone_over_the_room(void)
{
	static struct room r;
	int16_t tone[MEDIA_SRATE / 5], got[TICKS * MEDIA_FRAME] = {0};
	struct prompt *p = NULL;
	struct sockaddr_in sock = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sock);
	size_t n = 0;
	int fd = -1, rc = 1;
	const struct media_codec_neg pcmu = {.codec = MEDIA_PCMU, .pt = 0, .opus_pt = -1};

	for (size_t i = 0; i < sizeof(tone) / sizeof(tone[0]); i++)
		tone[i] = (int16_t)(6000 * sin(2 * M_PI * 880 * (double)i / MEDIA_SRATE));
	TEST_ERR(prompt_from_samples(&p, tone, sizeof(tone) / sizeof(tone[0])));
	TEST_ERR(room_open(&r, 3));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sock.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	TEST_CHECK(fd >= 0 && !bind(fd, (struct sockaddr *)&sock, sizeof(sock)) &&
		   !getsockname(fd, (struct sockaddr *)&sock, &sl));
	for (size_t i = 0; i < 3; i++)
		TEST_CHECK(!media_mix_join(r.x, r.s[i], MEDIA_MIX_NORMAL, NULL));
	/* member 2 sends to fd as a phone's address would be */
	sa_set_in(&r.s[2]->raddr, INADDR_LOOPBACK, ntohs(sock.sin_port));
	TEST_ERR(media_coder_alloc(&r.s[2]->coder, &pcmu));
	r.s[2]->ready = true;
	media_stream_play_over(r.s[2], p);
	room_run(&r);
	for (;;) {
		uint8_t pkt[512];
		ssize_t k = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (k <= 12)
			break;
		for (ssize_t i = 12; i < k && n < TICKS * MEDIA_FRAME; i++)
			got[n++] = ulaw_to_linear(pkt[i]);
	}
	TEST_CHECK(n >= 10 * MEDIA_FRAME);
	/* the tone's 10 frames: the tone and both talkers in them */
	TEST_CHECK(tone_level(got, 10 * MEDIA_FRAME, 880) > 3000);
	TEST_CHECK(tone_level(got, 10 * MEDIA_FRAME, freq[0]) > r.amp / 2);
	TEST_CHECK(tone_level(got, 10 * MEDIA_FRAME, freq[1]) > r.amp / 2);
	TEST_CHECK(tone_level(got, 10 * MEDIA_FRAME, freq[2]) < r.amp / 20);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	room_close(&r);
	mem_deref(p);
	return rc;
}

static const struct test_case tests[] = {
    {"a join tone is heard over the room, not instead of it", test_tone_over_the_room},
    {"a room of 5: each hears the other four, not itself", test_room_of_five},
    {"listen, whisper, barge and take-over: who hears whom",
     test_listen_whisper_barge_takeover},
    {"a loud room is limited, never wrapped", test_loud_room_limited},
    {"a group's recording is its mix (a bridge's goes on), listeners left out",
     test_recording_is_the_mix},
    {"bridges, leaving and freeing", test_bridge_and_lifetimes},
    {"members move to the group's shard (3 media threads)",
     test_members_move_to_group_shard},
};

int main(void)
{
	int r;

	if (libre_init())
		return 2;
	r = test_run_all(tests, sizeof(tests) / sizeof(tests[0]));
	libre_close();
	return r;
}
