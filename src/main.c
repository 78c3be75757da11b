/*
 * main.c — the command line: serve, check-config, help. Owns process
 * start-up and shutdown: builds every subsystem in order, runs libre's
 * main loop, tears down in reverse.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "media/media.h"
#include "ivr/ivr.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "channels/chat.h"
#include "sip/sip.h"
#include "app/app.h"
#include "api/api.h"
#include "report/report.h"
#include "safe/safe.h"

#define HOTLINE_VERSION "0.1.0"
#define DEFAULT_CONFIG	"conf/hotline.yaml"

struct options {
	const char *config;
	const char *data_dir;
	const char *sip_listen;
	const char *http_listen;
	const char *tenant;
	const char *from, *to; /* export-queue-log range */
};

static void usage(FILE *f)
{
	fprintf(f,
		"hotline " HOTLINE_VERSION " — a self-hosted contact center\n"
		"\n"
		"usage: hotline [COMMAND] [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  serve                 run the contact center (the default)\n"
		"  check-config [FILE]   validate a node file (and the tenant file it\n"
		"                        names) or a tenant file, told by its keys (or\n"
		"                        --tenant FILE);\n"
		"                        prints every error as file:line: key: problem,\n"
		"                        and warns of published or weak secrets and\n"
		"                        trusted networks wider than the loopback\n"
		"  export-queue-log      write the queue events in Asterisk's queue_log\n"
		"                        format to standard output (--from, --to:\n"
		"                        UTC ms or 2026-11-25T10:00:00Z)\n"
		"  help                  this text\n"
		"\n"
		"options:\n"
		"  -c, --config FILE       node configuration (default " DEFAULT_CONFIG
		")\n"
		"  -d, --data-dir DIR      database, recordings, prompt cache\n"
		"      --sip-listen ADDR:PORT   SIP over UDP and TCP\n"
		"      --http-listen ADDR:PORT  REST API and web pages\n"
		"  -t, --tenant FILE       tenant file (overrides the config's)\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n");
}

static void print_errors(const struct cfg_errors *errs)
{
	size_t n = errs->msgc < 32 ? errs->msgc : 32;

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", errs->msgv[i]);
	if (errs->msgc > n)
		fprintf(stderr, "... and %zu more\n", errs->msgc - n);
}

/* Why file failed: its errors, or the error number when it has none. */
static void print_failure(const struct cfg_errors *errs, const char *file, int err)
{
	print_errors(errs);
	if (!errs->msgc)
		fprintf(stderr, "%s: %s\n", file, strerror(err));
}

/* Loads the node file (or defaults) and applies command-line overrides. */
static int load_node(struct cfg_node **np, const struct options *o, bool quiet)
{
	struct cfg_errors errs;
	int err;

	memset(&errs, 0, sizeof(errs));
	if (o->config)
		err = cfg_node_load(np, o->config, &errs);
	else
		err = cfg_node_defaults(np);
	if (err) {
		if (!quiet)
			print_errors(&errs);
		if (!errs.msgc)
			fprintf(stderr, "%s: %s\n", o->config ? o->config : "defaults",
				strerror(err));
		return err;
	}
	if (o->data_dir)
		util_copy((*np)->data_dir, sizeof((*np)->data_dir), o->data_dir);
	if (o->sip_listen)
		util_copy((*np)->sip_listen, sizeof((*np)->sip_listen), o->sip_listen);
	if (o->http_listen)
		util_copy((*np)->http_listen, sizeof((*np)->http_listen), o->http_listen);
	if (o->tenant)
		util_copy((*np)->tenant_file, sizeof((*np)->tenant_file), o->tenant);
	return 0;
}

static void print_warning(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}

static int cmd_check_config(const struct options *o, const char *file, bool tenant_only)
{
	struct cfg_errors errs;
	struct cfg_node *node = NULL;
	struct cfg_tenant *tenant = NULL;
	struct options oo = *o;
	const char *tenant_file;
	int err;

	memset(&errs, 0, sizeof(errs));
	/* a file named alone is checked as what its top-level keys say */
	if (!tenant_only && file) {
		enum cfg_kind kind;

		err = cfg_file_kind_load(&kind, file, &errs);
		if (err) {
			print_failure(&errs, file, err);
			return 1;
		}
		tenant_only = kind == CFG_TENANT;
		printf("%s: checked as a %s file (by its top-level keys)\n", file,
		       tenant_only ? "tenant" : "node");
	}
	/* a tenant file alone has its media looked up in the data directory
	 * of the node file given, or of the default one when it is there */
	if (tenant_only)
		oo.config = o->config
				? o->config
				: (access(DEFAULT_CONFIG, R_OK) ? NULL : DEFAULT_CONFIG);
	else
		oo.config = file ? file : (o->config ? o->config : DEFAULT_CONFIG);
	err = load_node(&node, &oo, false);
	if (err)
		return 1;
	tenant_file = tenant_only ? file : node->tenant_file;
	err = app_tenant_load(&tenant, tenant_file, node->data_dir, &errs);
	if (err) {
		print_failure(&errs, tenant_file, err);
		mem_deref(tenant);
		mem_deref(node);
		return 1;
	}
	(void)safe_check(tenant_only ? NULL : node, tenant, print_warning, NULL);
	if (!tenant_only)
		printf("%s: OK as a node file\n", oo.config);
	printf("%s: OK as %s (%zu agents, %zu queues, %zu flows, %zu numbers)\n",
	       tenant_file, tenant_only ? "a tenant file" : "its tenant file",
	       tenant->agentc, tenant->queuec, tenant->flowc, tenant->numberc);
	mem_deref(tenant);
	mem_deref(node);
	return 0;
}

static void signal_handler(int sig)
{
	log_info("hotline: signal %d, stopping", sig);
	re_cancel();
}

/*
 * SIGHUP reloads the tenant file. The signal handler only writes a byte
 * to a pipe (what is safe in a handler); the main loop reads it and does
 * the reload, as POST /api/v1/tenant/reload would.
 */
static int hup_pipe[2] = {-1, -1};

static void hup_signal(int sig)
{
	const char b = 1;
	int saved = errno;

	(void)sig;
	if (write(hup_pipe[1], &b, 1) < 0) {
		/* a reload is pending already */
	}
	errno = saved;
}

static void hup_handler(int flags, void *arg)
{
	char buf[16];
	(void)flags;

	while (read(hup_pipe[0], buf, sizeof(buf)) > 0)
		;
	log_info("hotline: SIGHUP, reloading the tenant file");
	(void)api_tenant_reload(arg);
}

static int hup_start(struct api *api)
{
	struct sigaction sa;

	if (pipe(hup_pipe) || net_sockopt_blocking_set(hup_pipe[0], false) ||
	    net_sockopt_blocking_set(hup_pipe[1], false))
		return errno ? errno : EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hup_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL))
		return errno;
	return fd_listen(hup_pipe[0], FD_READ, hup_handler, api);
}

static void hup_stop(void)
{
	signal(SIGHUP, SIG_IGN);
	for (int i = 0; i < 2; i++) {
		if (hup_pipe[i] >= 0) {
			if (!i)
				fd_close(hup_pipe[i]);
			close(hup_pipe[i]);
			hup_pipe[i] = -1;
		}
	}
}

static void sip_exit_handler(void *arg)
{
	(void)arg;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* libre polls only this many descriptors (docs/ARCHITECTURE.md). */
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		fd_setsize(rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur);
}

#define SIP_TCP_BACKLOG 1024

/*
 * libre 1.1 listens on a TCP transport with a backlog of 5 and hands out
 * no handle on the socket: a burst of phones connecting at once (after a
 * restart, a network coming back) overflowed it and waited for SYN
 * retransmits, seconds each. The listening socket bound to laddr is found
 * among our descriptors and listen() again, which on Linux raises the
 * backlog of a listening socket in place (the kernel caps it at
 * net.core.somaxconn).
 */
static int sip_tcp_backlog(const struct sa *laddr, int backlog)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int err = ENOENT;

	if (!d)
		return errno;
	while ((de = readdir(d))) {
		struct sa local;
		socklen_t len = sizeof(local.u);
		int fd, on = 0;
		socklen_t ol = sizeof(on);
		char *end;

		fd = (int)strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd == dirfd(d))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &ol) || !on)
			continue;
		sa_init(&local, AF_UNSPEC);
		if (getsockname(fd, &local.u.sa, &len))
			continue;
		local.len = len;
		if (!sa_cmp(&local, laddr, SA_ALL))
			continue;
		err = listen(fd, backlog) ? errno : 0;
		break;
	}
	closedir(d);
	return err;
}

/* Transports on one address: UDP and TCP. */
static int sip_listen_on(struct sip *sip, const struct sa *laddr)
{
	char a[64];
	int err;

	(void)re_snprintf(a, sizeof(a), "%J", laddr);
	err = sip_transp_add(sip, SIP_TRANSP_UDP, laddr);
	if (err) {
		log_error("sip: cannot listen on udp %s: %s", a, strerror(err));
		return err;
	}
	err = sip_transp_add(sip, SIP_TRANSP_TCP, laddr);
	if (err) {
		log_error("sip: cannot listen on tcp %s: %s", a, strerror(err));
		return err;
	}
	if (sip_tcp_backlog(laddr, SIP_TCP_BACKLOG))
		log_warn("sip: tcp %s keeps libre's backlog of 5: a burst of phones "
			 "connecting waits",
			 a);
	/* the input checks watch the UDP socket from the first request */
	if (sipinput_probe(laddr))
		log_warn("sip: cannot probe udp %s: the version check starts with the "
			 "first request",
			 a);
	log_info("sip: listening udp+tcp %s", a);
	return 0;
}

struct sip_ifaddrs {
	struct sa v[32];
	size_t n;
	int af;
};

static bool sip_ifaddr(const char *ifname, const struct sa *sa, void *arg)
{
	struct sip_ifaddrs *a = arg;
	(void)ifname;

	/* a link-local address needs its scope on every packet: phones
	 * reach us on the others */
	if (sa_af(sa) != a->af || sa_is_linklocal(sa) || sa_is_any(sa))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (sa_cmp(&a->v[i], sa, SA_ADDR))
			return false;
	if (a->n < ARRAY_SIZE(a->v))
		a->v[a->n++] = *sa;
	return false;
}

/*
 * A listen address of 0.0.0.0 (or [::]) means every local address of
 * that family: libre binds a transport to one address only (it refuses
 * an unspecified one), so there is one UDP and one TCP transport per
 * address, as baresip does. libre 1.1 sends requests that start a
 * transaction (an agent's INVITE) from the first transport of the
 * family, so the address of the default route comes first: it reaches
 * phones on the network and, on Linux, the loopback too.
 */
static int sip_listen_all(struct sip *sip, const struct sa *any)
{
	struct sip_ifaddrs a = {.af = sa_af(any)};
	struct sa def;
	size_t added = 0;
	int err;

	if (!net_default_source_addr_get(a.af, &def) && !sa_is_any(&def))
		a.v[a.n++] = def;
	err = net_if_apply(sip_ifaddr, &a);
	if (err) {
		log_error("sip: cannot list the local addresses: %s", strerror(err));
		return err;
	}
	for (size_t i = 0; i < a.n; i++) {
		sa_set_port(&a.v[i], sa_port(any));
		/* one address we cannot bind (another program's port, an
		 * address going away) does not stop the others */
		if (!sip_listen_on(sip, &a.v[i]))
			added++;
	}
	return added ? 0 : EADDRNOTAVAIL;
}

/* A browser's WebSocket closed: its phone is gone (its calls end). */
static void phone_gone(const char *source, void *arg)
{
	callctl_phone_gone(arg, source);
}

static int sip_start(struct sip **sipp, struct dnsc **dnscp, const struct cfg_node *node)
{
	struct sa srvv[4], laddr;
	uint32_t srvc = 4;
	char domain[64] = "";
	int err;

	if (dns_srv_get(domain, sizeof(domain), srvv, &srvc))
		srvc = 0;
	err = dnsc_alloc(dnscp, NULL, srvv, srvc);
	if (err)
		return err;
	err = sa_decode(&laddr, node->sip_listen, strlen(node->sip_listen));
	if (err) {
		log_error("sip: bad listen address %s", node->sip_listen);
		return err;
	}
	err = sip_alloc(sipp, *dnscp, 32, 32, 32, "Hotline/" HOTLINE_VERSION,
			sip_exit_handler, NULL);
	if (err)
		return err;
	if (sa_is_any(&laddr))
		err = sip_listen_all(*sipp, &laddr);
	else
		err = sip_listen_on(*sipp, &laddr);
	if (err) {
		log_error("sip: cannot listen on %s: %s", node->sip_listen,
			  strerror(err));
		return err;
	}
	return 0;
}

static int stats_one(const struct hl_event *ev, void *arg)
{
	acd_stats_feed(arg, ev);
	return 0;
}

/*
 * Today's live figures: rebuilt from the events stored since midnight
 * (UTC), then fed by the event bus, so a restart loses nothing and the
 * live figures always match a report over the same events.
 */
static int stats_start(struct acd_stats **sp, struct store *store,
		       const struct cfg_tenant *tenant)
{
	uint64_t now = clock_now_ms();
	uint64_t midnight = now - now % 86400000ULL;
	struct acd_stats *s = NULL;
	int err;

	err = acd_stats_alloc(&s, midnight, 5000);
	for (size_t i = 0; !err && i < tenant->queuec; i++)
		err = acd_stats_threshold(s, tenant->queuev[i].name,
					  tenant->queuev[i].sl_threshold_ms);
	if (!err)
		err = store_event_list(store, midnight, 0, NULL, stats_one, s);
	if (!err)
		err = event_subscribe(acd_stats_feed_h, s);
	if (err) {
		log_error("hotline: statistics failed: %s", strerror(err));
		mem_deref(s);
		return err;
	}
	*sp = s;
	return 0;
}

/* A call left live by a crash: its recording's header is mended so that
 * the audio up to the crash plays. */
static int recover_recording(const struct store_call *c, void *arg)
{
	char path[768];
	bool fixed;
	int err;

	if (!c->recording[0])
		return 0;
	snprintf(path, sizeof(path), "%s/%s", (const char *)arg, c->recording);
	err = recorder_repair(path, &fixed);
	if (err)
		log_warn("hotline: recording of call=%s not mended file=%s: %s", c->id,
			 path, strerror(err));
	else if (fixed)
		log_info("hotline: recording of call=%s mended file=%s", c->id, path);
	return 0;
}

/* After a crash: no interaction stays live forever, every recording plays. */
static int recover(struct store *store, const char *data_dir)
{
	size_t n = 0;
	int err = store_calls_recover(store, recover_recording, (void *)data_dir, &n);

	if (err)
		log_error("hotline: cannot close the calls a crash left live: %s",
			  strerror(err));
	else if (n)
		log_warn("hotline: closed %zu calls a crash left live", n);
	return err;
}

static int cmd_serve(const struct options *o)
{
	struct cfg_errors errs;
	struct cfg_node *node = NULL;
	struct cfg_tenant *tenant = NULL;
	struct store *store = NULL;
	struct dnsc *dnsc = NULL;
	struct sip *sip = NULL;
	struct registrar *reg = NULL;
	struct media *media = NULL;
	struct acd *acd = NULL;
	struct acd_stats *stats = NULL;
	struct callctl *calls = NULL;
	struct interaction_svc *ias = NULL;
	struct chat_svc *chat = NULL;
	struct sipws *sipws = NULL;
	struct app *app = NULL;
	struct api *api = NULL;
	enum log_level lvl;
	int err;

	/* Everything the service writes (database, recordings, the tenant
	 * file with its SIP passwords) is the service user's alone. */
	umask(077);
	memset(&errs, 0, sizeof(errs));
	err = load_node(&node, o, false);
	if (err) {
		fprintf(stderr, "hotline: refusing to start with a bad configuration\n");
		return 1;
	}
	if (!log_level_parse(&lvl, node->log_level))
		log_set_level(lvl);
	err = app_tenant_load(&tenant, node->tenant_file, node->data_dir, &errs);
	if (err) {
		print_errors(&errs);
		fprintf(stderr, "hotline: refusing to start with a bad tenant file\n");
		mem_deref(tenant);
		mem_deref(node);
		return 1;
	}
	log_info("hotline: starting version=" HOTLINE_VERSION " tenant=\"%s\" agents=%zu "
		 "queues=%zu flows=%zu data_dir=%s",
		 tenant->name, tenant->agentc, tenant->queuec, tenant->flowc,
		 node->data_dir);

	raise_fd_limit();

	err = util_mkdir(node->data_dir);
	if (!err)
		err = cfg_media_dirs_make(node->data_dir);
	if (err) {
		log_error("hotline: cannot create data_dir=%s: %s", node->data_dir,
			  strerror(err));
		goto out;
	}
	/* data written by an older version (umask 022) becomes private too */
	err = util_private(node->data_dir);
	if (err) {
		log_error("hotline: cannot read data_dir=%s: %s", node->data_dir,
			  strerror(err));
		goto out;
	}
	err = safe_secrets_start(node->data_dir, node, tenant);
	if (!err)
		err = safe_dial_tenant(tenant);
	if (err)
		goto out;
	err = store_open(&store, node->data_dir);
	if (err)
		goto out;
	err = recover(store, node->data_dir);
	if (err)
		goto out;
	err = store_events_attach(store);
	if (!err)
		err = safe_secrets_users(store, node);
	if (!err)
		err = safe_dial_restore(store, clock_now_ms());
	if (err)
		goto out;
	err = sip_start(&sip, &dnsc, node);
	if (err)
		goto out;
	err = registrar_alloc(&reg, sip, store, node, tenant);
	if (err)
		goto out;
	err = media_alloc(&media, node);
	if (err)
		goto out;
	err = acd_alloc(&acd, NULL);
	if (!err)
		err = acd_load_tenant(acd, tenant);
	if (err) {
		log_error("hotline: routing engine failed: %s", strerror(err));
		goto out;
	}
	err = stats_start(&stats, store, tenant);
	if (err)
		goto out;
	err = interaction_svc_alloc(&ias, acd, stats, store, tenant);
	if (err) {
		log_error("hotline: interaction service failed: %s", strerror(err));
		goto out;
	}
	err = callctl_alloc(&calls, sip, reg, media, ias, node, tenant);
	if (err) {
		log_error("hotline: call controller failed: %s", strerror(err));
		goto out;
	}
	{
		struct app_services sv = {node, store, reg, acd, stats, calls};

		err = app_alloc(&app, &sv, tenant);
		if (err)
			goto out;
	}
	err = api_alloc(&api, node, app, store, acd, stats, reg, calls);
	if (err) {
		log_error("hotline: cannot listen for HTTP on %s: %s", node->http_listen,
			  strerror(err));
		goto out;
	}
	err = sipws_alloc(&sipws, node->sip_listen);
	if (err) {
		log_error("hotline: SIP over WebSocket failed: %s", strerror(err));
		goto out;
	}
	api_sipws_set(api, sipws);
	sipws_watch(sipws, phone_gone, calls);
	err = chat_svc_alloc(&chat, ias, store, tenant, node->data_dir);
	if (!err)
		err = api_chat_set(api, chat);
	if (err) {
		log_error("hotline: web chat failed: %s", strerror(err));
		goto out;
	}
	err = hup_start(api);
	if (err) {
		log_error("hotline: cannot catch SIGHUP: %s", strerror(err));
		goto out;
	}
	log_info("hotline: ready sip=%s http=%s", node->sip_listen, node->http_listen);

	err = re_main(signal_handler);
	log_info("hotline: stopping, %zu calls active", callctl_active(calls));
out:
	hup_stop();
	api = mem_deref(api);
	sipws = mem_deref(sipws);
	chat = mem_deref(chat);
	app = mem_deref(app);
	calls = mem_deref(calls);
	ias = mem_deref(ias);
	if (stats)
		event_unsubscribe(acd_stats_feed_h, stats);
	stats = mem_deref(stats);
	acd = mem_deref(acd);
	media = mem_deref(media);
	reg = mem_deref(reg);
	if (sip)
		sip_close(sip, true);
	sip = mem_deref(sip);
	dnsc = mem_deref(dnsc);
	event_close();
	if (store)
		store_flush(store);
	store = mem_deref(store);
	tenant = mem_deref(tenant);
	node = mem_deref(node);
	safe_secrets_close();
	safe_dial_close();
	if (err)
		log_error("hotline: exiting after error: %s", strerror(err));
	else
		log_info("hotline: stopped");
	return err ? 1 : 0;
}

/* "1764064800000" (UTC ms) or "2026-11-25T10:00:00Z". */
static int time_arg(const char *s, uint64_t *msp)
{
	struct tm tm;
	char *end;

	if (!s) {
		*msp = 0;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end && (!*end || !strcmp(end, "Z"))) {
		*msp = (uint64_t)timegm(&tm) * 1000;
		return 0;
	}
	*msp = strtoull(s, &end, 10);
	return *end || end == s ? EINVAL : 0;
}

static int cmd_export_queue_log(const struct options *o)
{
	struct cfg_node *node = NULL;
	struct store *store = NULL;
	uint64_t from, to;
	size_t lines = 0;
	int err;

	if (time_arg(o->from, &from) || time_arg(o->to, &to)) {
		fprintf(stderr, "hotline: --from/--to: expected UTC ms or "
				"YYYY-MM-DDTHH:MM:SSZ\n");
		return 2;
	}
	if (load_node(&node, o, false))
		return 1;
	err = store_open(&store, node->data_dir);
	if (!err)
		err = report_queue_log(store, from, to, stdout, &lines);
	if (err)
		fprintf(stderr, "hotline: export-queue-log: %s\n", strerror(err));
	mem_deref(store);
	mem_deref(node);
	return err ? 1 : 0;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"data-dir", required_argument, NULL, 'd'},
	    {"sip-listen", required_argument, NULL, 's'},
	    {"http-listen", required_argument, NULL, 'H'},
	    {"tenant", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	struct options o = {0};
	const char *cmd = "serve";
	int c, r;

	/* The command comes first, if given ("hotline serve --config x"). */
	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:d:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config = optarg;
			break;
		case 'd':
			o.data_dir = optarg;
			break;
		case 's':
			o.sip_listen = optarg;
			break;
		case 'H':
			o.http_listen = optarg;
			break;
		case 't':
			o.tenant = optarg;
			break;
		case 'F':
			o.from = optarg;
			break;
		case 'T':
			o.to = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts("hotline " HOTLINE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (libre_init()) {
		fprintf(stderr, "hotline: cannot initialise libre\n");
		return 1;
	}
	if (!strcmp(cmd, "serve")) {
		if (!o.config && !access(DEFAULT_CONFIG, R_OK))
			o.config = DEFAULT_CONFIG;
		r = cmd_serve(&o);
	} else if (!strcmp(cmd, "export-queue-log")) {
		if (!o.config && !access(DEFAULT_CONFIG, R_OK))
			o.config = DEFAULT_CONFIG;
		r = cmd_export_queue_log(&o);
	} else if (!strcmp(cmd, "check-config")) {
		const char *file = optind < argc ? argv[optind] : NULL;
		r = cmd_check_config(&o, o.tenant ? o.tenant : file, o.tenant != NULL);
	} else {
		fprintf(stderr, "hotline: unknown command \"%s\"\n\n", cmd);
		usage(stderr);
		r = 2;
	}
	libre_close();
	return r;
}
