/*
 * media.h — audio for calls.
 *
 * The engine (engine.c, stream.c) owns every RTP stream and serves all of
 * them from one 20 ms tick paced from an absolute deadline: read what
 * arrived, detect digits, pick each stream's source (prompt, music,
 * bridged peer, silence), record, encode and send. There is no timer per
 * call. Audio inside the engine is 8 kHz signed 16-bit mono linear,
 * 160 samples a frame.
 *
 * The DSP parts (prompt files, TTS, in-band DTMF, recorder, music) are
 * plain objects the engine uses; they have no I/O on the main loop except
 * where a comment says so.
 */
#ifndef HOTLINE_MEDIA_H
#define HOTLINE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_SRATE 8000
#define MEDIA_FRAME 160 /* samples per 20 ms */
#define MEDIA_PTIME 20

struct mbuf;
struct sa;
struct cfg_node;

/* --- prompts: audio files decoded to 8 kHz mono ----------------------- */

struct prompt {
	int16_t *samples; /* 8 kHz mono */
	size_t n;
};

/* Loads a WAV (or any libsndfile format) of any rate and channel count,
 * mixing down to mono and resampling to 8 kHz with speexdsp. A missing or
 * broken file gives an error (EINVAL/ENOENT) and a log line naming it. */
int prompt_load(struct prompt **pp, const char *path);
/* A prompt from samples already at 8 kHz (copied). */
int prompt_from_samples(struct prompt **pp, const int16_t *s, size_t n);

/* --- the library: prompts and music made or loaded once (library.c) --- */

#define MEDIA_PLAYLIST_MAX 64

/* A queue's music: a WAV file, or the WAV files of a folder in name order. */
struct media_playlist {
	char path[256]; /* CFG_PATH */
	struct prompt *filev[MEDIA_PLAYLIST_MAX];
	size_t filec;
};

struct media_library;

/* prompt_dir: where TTS renders (and finds) its files. */
int media_library_alloc(struct media_library **lp, const char *prompt_dir);
/* Renders text in a voice (TTS) or loads file, unless the library has it;
 * nothing for neither. Blocking: start-up or applying a tenant only. */
int media_library_prompt_add(struct media_library *l, const char *text, const char *file,
			     const char *voice);
/* The prompt of that text in that voice, or of that file; NULL: not made. */
const struct prompt *media_library_prompt(const struct media_library *l, const char *text,
					  const char *file, const char *voice);
/* Loads a queue's music (file or folder) unless the library has it. */
int media_library_music_add(struct media_library *l, const char *path);
const struct media_playlist *media_library_music(const struct media_library *l,
						 const char *path);

/* --- text to speech --------------------------------------------------- */

/*
 * Renders text with eSpeak NG in a voice (see tts_voice) into
 * cache_dir/tts-<hash>.wav (8 kHz mono 16-bit), unless that file already
 * exists; writes its path. ENOENT: eSpeak NG has no such voice. Blocking
 * (eSpeak NG is a process-wide singleton): call at start-up or from the
 * one TTS worker thread, never on the main loop. Thread-safe.
 */
int tts_render(const char *text, const char *voice, const char *cache_dir, char *path,
	       size_t sz);
/* The eSpeak NG voice for a language setting: "" and "en" the default
 * (en-us), "zh" / "zh-CN" Mandarin (cmn), anything else a voice's name. */
const char *tts_voice(const char *language);
/* The cache file's name for a text in a voice: a hash of both and the
 * rate, so one text in two voices never shares a file. */
int tts_cache_name(const char *voice, const char *text, char *name, size_t sz);

/* Writes the project's own synthesised demo music (royalty-free, made
 * here: a few bars of soft chords) as an 8 kHz mono WAV. */
int moh_generate(const char *path);

/* --- in-band DTMF ----------------------------------------------------- */

struct dtmf_det;
typedef void(dtmf_det_h)(char digit, void *arg);
int dtmf_det_alloc(struct dtmf_det **dp, dtmf_det_h *h, void *arg);
void dtmf_det_feed(struct dtmf_det *d, const int16_t *s, size_t n);
/* Generates the tone pair of digit for ms milliseconds into s (8 kHz);
 * returns samples written. For tests and for in-band sending. */
size_t dtmf_gen(int16_t *s, size_t max, char digit, uint32_t ms);

/* --- recorder ----------------------------------------------------------- */

/*
 * A stereo 8 kHz 16-bit WAV: left the caller, right the agent, one frame
 * of each per tick so the channels stay aligned. Writes go through a
 * buffer (no fsync on the loop); mem_deref flushes and closes the file.
 */
struct recorder;
int recorder_open(struct recorder **rp, const char *path);
void recorder_write(struct recorder *r, const int16_t *left, const int16_t *right,
		    size_t n);
uint64_t recorder_samples(const struct recorder *r);
/* Pauses (pause true) or resumes the recording for card numbers (PCI):
 * while paused the frames are written as silence, so the file keeps its
 * length and the rest stays in step. *at_ms: where in the file the gap
 * starts or ends. EALREADY: paused (or running) already. Main loop; the
 * media tick reads the flag without a lock. */
int recorder_pause(struct recorder *r, bool pause, uint64_t *at_ms);
bool recorder_paused(const struct recorder *r);
/* Mends the WAV header of a recording cut short by a crash: the RIFF and
 * data chunk sizes from the file's length (a partial frame at the end is
 * cut), so that the audio up to the crash plays. *fixed tells whether it
 * had to change anything. EINVAL: not a WAV file with a data chunk. */
int recorder_repair(const char *path, bool *fixed);

/* --- the engine --------------------------------------------------------- */

struct media;
struct media_stream;

/* G.711's values are its static payload types; Opus has a dynamic one,
 * agreed per call (codec.c), so its value here is no payload type. */
enum media_codec { MEDIA_PCMU = 0, MEDIA_PCMA = 8, MEDIA_OPUS = 256 };
#define MEDIA_CODECS_MAX 3 /* codecs we speak: media.codecs names some */

enum media_evt {
	MEDIA_EVT_DIGIT,       /* digit: from RFC 4733 or in-band */
	MEDIA_EVT_PLAY_END,    /* the prompt played to its end */
	MEDIA_EVT_RTP_TIMEOUT, /* no RTP for rtp_timeout_ms */
};
typedef void(media_evt_h)(struct media_stream *s, enum media_evt evt, char digit,
			  void *arg);

int media_alloc(struct media **mp, const struct cfg_node *node);
size_t media_stream_count(const struct media *m);
/* How late the 20 ms tick runs (ms, a moving average over the last ticks
 * in which one stall counts at most 125 ms): the main loop's lag, which
 * admission control compares to its limit. */
uint32_t media_lag_ms(const struct media *m);

/* How far from the 20 ms grid the ticks ran, early or late, since the
 * last call (which resets the sample). */
struct media_pacing {
	uint64_t ticks;
	uint64_t late_resets; /* fell more than 5 frames behind */
	uint32_t p50_us, p99_us, max_us;
};
void media_pacing(struct media *m, struct media_pacing *p);

/* A new RTP stream bound to a port of the configured range. */
int media_stream_alloc(struct media_stream **sp, struct media *m, media_evt_h *eh,
		       void *arg);
/* The owner lets go of s (dereferences it after): no event reaches the
 * owner's handler from now on, even one the engine's tick already took up
 * (an earlier event of the same tick may have ended the owner). */
void media_stream_close(struct media_stream *s);
/* SDP: answer an offer (ENOTSUP when no common codec, EPROTO for a
 * media port over 65535 or a bad connection address: reply 488 to both),
 * make an offer, take an answer. Bodies are SDP text in an mbuf. */
int media_stream_answer(struct media_stream *s, struct mbuf *offer,
			struct mbuf **answerp);
int media_stream_offer(struct media_stream *s, struct mbuf **offerp);
int media_stream_accept(struct media_stream *s, struct mbuf *answer);
/* The address phones reach the call's signalling on (where its INVITE
 * came in, or the one that routes to the phone): written in SDP, unless
 * media.address is set, which always wins. */
void media_stream_announce(struct media_stream *s, const struct sa *local);
/* Writes the address SDP names when no call says otherwise; true when it
 * is media.address (fixed), false when it is the default route's. */
bool media_announced(const struct media *m, struct sa *addr);
enum media_codec media_stream_codec(const struct media_stream *s);
/* The peer put us on hold (sendonly/inactive) in its last offer. */
bool media_stream_held(const struct media_stream *s);

/* What the stream sends: */
void media_stream_play(struct media_stream *s, const struct prompt *p, bool loop);
void media_stream_silence(struct media_stream *s);
/* Plays p once added to what s hears (a mix group's sum), not instead of
 * it: a conference's join tone does not cut the room off. Without a
 * group it is media_stream_play. */
void media_stream_play_over(struct media_stream *s, const struct prompt *p);
/* Connects two streams both ways (each hears the other; RFC 4733 digits
 * pass through). rec, when given, records a=left, b=right. */
void media_bridge(struct media_stream *a, struct media_stream *b, struct recorder *rec);
/* s hears its peer (or its mix group) no more. */
void media_unbridge(struct media_stream *s);
/* Records what the stream receives (left; the right channel is silent)
 * until unbridged or freed: a voicemail. */
void media_stream_record(struct media_stream *s, struct recorder *rec);
/* In-band DTMF detection on received audio (off until turned on). */
void media_stream_detect(struct media_stream *s, bool on);

/* --- mix groups: conferences, supervisors (mixer.c) --------------------- */

/*
 * A mix group: each member hears the sum of the others (never itself),
 * limited so that loud rooms do not wrap around. Mixed on the media tick
 * of the group's shard, no timer of its own: a stream that joins moves
 * to that shard (as the second stream of a bridge does) and leaves any
 * bridge it was in. A member plays a prompt instead of the mix while one
 * is set (media_stream_play), or over it (media_stream_play_over); the
 * others go on hearing it talk.
 */
struct media_mix;

enum media_mix_role {
	MEDIA_MIX_NORMAL,  /* talks to all, hears all */
	MEDIA_MIX_LISTEN,  /* hears all, heard by nobody */
	MEDIA_MIX_WHISPER, /* hears all, heard by one member only (the agent) */
};

/* An empty group on one of m's shards; mem_deref lets its members go
 * (they then send silence until played or bridged again). */
int media_mix_alloc(struct media_mix **xp, struct media *m);
/* s joins x (or changes its role if it is a member); a bridge's recorder
 * goes on as the group's when it has none. to: the member a
 * whisperer is heard by (EINVAL without one, or not a member). */
int media_mix_join(struct media_mix *x, struct media_stream *s, enum media_mix_role role,
		   struct media_stream *to);
/* s leaves its group (nothing if it is in none); whoever whispered to it
 * is heard by nobody until given another member. */
void media_mix_leave(struct media_stream *s);
size_t media_mix_count(const struct media_mix *x);
/* Records what the group says (the normal members' sum) in both channels
 * until replaced or the group goes; NULL stops. */
void media_mix_record(struct media_mix *x, struct recorder *rec);

/* --- WebRTC: ICE-lite (ice.c) ------------------------------------------ */

/* What a datagram on a WebRTC stream's port is, by its first byte (RFC
 * 7983 §7). */
enum media_pkt { MEDIA_PKT_STUN, MEDIA_PKT_DTLS, MEDIA_PKT_RTP, MEDIA_PKT_OTHER };
enum media_pkt media_pkt_kind(const uint8_t *p, size_t n);

/* Our side of ICE-lite: credentials (a=ice-ufrag, a=ice-pwd); nominated
 * once a check with USE-CANDIDATE said where the browser is (the
 * stream's remote address from then on). */
struct media_ice {
	char ufrag[16];
	char pwd[32];
	bool nominated;
};
/* Fresh random credentials. */
void media_ice_init(struct media_ice *ice);
/*
 * Checks a STUN Binding request p from src (RFC 8445 §7.3 as a lite
 * agent) and writes its success response (XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY, FINGERPRINT) to rsp. *use_cand: it nominates.
 * EBADMSG: no Binding request; EACCES: USERNAME is not ours; EAUTH:
 * MESSAGE-INTEGRITY fails; EPROTO: FINGERPRINT missing or wrong. Nothing
 * is written to rsp on an error.
 */
int media_ice_check(const struct media_ice *ice, const uint8_t *p, size_t n,
		    const struct sa *src, struct mbuf *rsp, bool *use_cand);
/* Makes s a browser's stream: its offers are UDP/TLS/RTP/SAVPF with
 * ICE-lite (one host candidate: the media address), rtcp-mux, and its
 * media goes where the ICE check that nominated came from. An offer of
 * UDP/TLS/RTP/SAVPF does the same by itself. */
int media_stream_webrtc(struct media_stream *s);
bool media_stream_is_webrtc(const struct media_stream *s);
/* Why a WebRTC stream gave up (ICE or DTLS did not complete in
 * MEDIA_WEBRTC_SETUP_MS, the handshake failed): it reports
 * MEDIA_EVT_RTP_TIMEOUT then. NULL: it did not. */
const char *media_stream_failure(const struct media_stream *s);
#define MEDIA_WEBRTC_SETUP_MS 10000
/* "AB:CD:..." the SHA-256 fingerprint of the process's DTLS certificate
 * (made on the first call); NULL: none could be made. */
const char *media_dtls_fingerprint(void);

/* --- SRTP (srtp.c) ------------------------------------------------------ */

/* RFC 4568 §6.2 / RFC 7714 §14.2 names (media_srtp_suite_name). */
enum media_srtp_suite {
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	MEDIA_SRTP_AEAD_AES_128_GCM,
};

/* Master key + master salt of a suite, in bytes: 30 for AES_CM_128_*,
 * 28 for AEAD_AES_128_GCM; 0 for no suite. */
size_t media_srtp_key_len(enum media_srtp_suite suite);
const char *media_srtp_suite_name(enum media_srtp_suite suite);
struct pl;
/* The suite of that name (ENOTSUP: none we speak). */
int media_srtp_suite_find(enum media_srtp_suite *suite, const struct pl *name);
/*
 * From now on s protects every RTP packet it sends with tx_key and
 * unprotects every one it receives with rx_key (authentication, replay
 * window): a packet that fails is dropped and counted
 * (media_srtp_failures). Keys are master key + salt, media_srtp_key_len
 * bytes, copied. Called again, the new keys replace the old ones at once
 * (a new offer, a DTLS renegotiation). Works on any shard, from the main
 * loop. EINVAL: no such suite or no key.
 */
int media_stream_srtp(struct media_stream *s, enum media_srtp_suite suite,
		      const uint8_t *tx_key, const uint8_t *rx_key);
/* Plain RTP again (an offer without crypto was accepted). */
void media_stream_srtp_off(struct media_stream *s);
/* s protects its media with SRTP. */
bool media_stream_secure(const struct media_stream *s);
/* --- SDES: SRTP keys in SDP, RFC 4568 (sdes.c) --------------------------- */

/* What a stream's offers and answers do about SRTP (sdes.c says more). */
enum media_srtp_policy {
	MEDIA_SRTP_OFF,	     /* no crypto; an RTP/SAVP offer is refused */
	MEDIA_SRTP_OPTIONAL, /* crypto offered and taken, plain RTP accepted */
	MEDIA_SRTP_REQUIRED, /* RTP/SAVP; no usable crypto line: refused (488) */
};
/* The policy of "off", "optional" or "required" (any case); *ok false
 * for anything else (then off). */
enum media_srtp_policy media_srtp_policy_of(const char *name, bool *ok);
/* Set before the stream's first offer or answer; off until then. Keys
 * set with media_stream_srtp (DTLS-SRTP) are never touched by SDES. */
void media_stream_srtp_policy(struct media_stream *s, enum media_srtp_policy p);

/* One a=crypto line's value (RFC 4568 §9.1). */
struct media_sdes {
	unsigned tag;
	enum media_srtp_suite suite;
	uint8_t key[30]; /* master key + salt, media_srtp_key_len bytes */
};
/* Parses a crypto attribute's value (after "a=crypto:"). EBADMSG: not a
 * crypto line; ENOTSUP: one we cannot do (another suite, session
 * parameters, several keys or an MKI). */
int media_sdes_parse(const char *val, size_t len, struct media_sdes *c);

/* SRTP packets dropped since start (failed authentication or replayed),
 * every shard's. */
uint64_t media_srtp_failures(const struct media *m);

#endif
