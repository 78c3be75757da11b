/*
 * secret.c — no published secret opens a running Hotline (issue 18).
 *
 * The repository ships demo secrets so that `make run` works at once:
 * anyone can read them, so a Hotline that kept them would let any machine
 * that reaches it read the API, sign in as admin or register as an agent.
 * At start every secret that is missing or published is replaced by one
 * generated here, written once to <data_dir>/initial-secrets (0600) and
 * read back at the next start, so phones keep their passwords. A secret
 * set in the configuration, the environment or on the admin page that is
 * not published is used as it is. Owns the list of published values and
 * the generated secrets; not the users (first_admin makes "admin" with
 * node->admin_password) nor the registrar (it reads the tenant's
 * passwords).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include <sodium.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "safe/safe.h"

/* Every secret the repository publishes, in one place: the built-in
 * default and conf/hotline.yaml (token, admin password) and
 * conf/demo.yaml and conf/demo-zh.yaml (the demo agents' SIP passwords).
 * test_safe checks that the shipped files hold no other. */
static const char *const published[] = {
    "demo-token", "demo-admin",	   "alice-1001",    "bob-1002",	       "carol-1003",
    "dave-1004",  "zhangwei-1001", "wangfang-1002", "li-na-demo-1003", "liuyang-1004",
};

bool safe_secret_published(const char *secret)
{
	size_t n;
	bool hit = false;

	if (!secret)
		return false;
	n = strlen(secret);
	for (size_t i = 0; i < ARRAY_SIZE(published); i++) {
		/* constant time in the secret's bytes; the lengths are
		 * public (the list is) */
		if (strlen(published[i]) == n && !sodium_memcmp(secret, published[i], n))
			hit = true;
	}
	return hit;
}

/* --- the generated secrets ---------------------------------------------- */

struct entry {
	char key[CFG_EXT + 8]; /* "api_token", "admin_password", "sip.1001" */
	char val[64];
};

static struct {
	char path[CFG_PATH + 32];
	struct entry *v;
	size_t n;
	bool keep; /* HOTLINE_KEEP_DEMO_SECRETS=1 */
	bool started;
} reg;

static const char *entry_get(const char *key)
{
	for (size_t i = 0; i < reg.n; i++) {
		if (!strcmp(reg.v[i].key, key))
			return reg.v[i].val;
	}
	return NULL;
}

static int entry_set(const char *key, const char *val)
{
	/* libre's mem_realloc does not take NULL */
	struct entry *v = reg.v ? mem_realloc(reg.v, (reg.n + 1) * sizeof(*v))
				: mem_zalloc(sizeof(*v), NULL);

	if (!v)
		return ENOMEM;
	reg.v = v;
	memset(&v[reg.n], 0, sizeof(v[reg.n]));
	if (util_copy(v[reg.n].key, sizeof(v[reg.n].key), key) ||
	    util_copy(v[reg.n].val, sizeof(v[reg.n].val), val))
		return E2BIG;
	reg.n++;
	return 0;
}

/* len letters and digits, from libsodium's generator: about 5.95 bits
 * each, 24 of them 142 bits. Letters and digits only, so the secret can
 * be pasted into YAML, a phone's form or a shell. */
static void generate(char *out, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t i = 0; i < len; i++)
		out[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	out[len] = '\0';
}

/* Reads "key: value" lines; # starts a comment. A missing file is no
 * error (the first start). */
static int secrets_read(void)
{
	char line[256];
	FILE *f = fopen(reg.path, "r");
	int err = 0;

	if (!f)
		return errno == ENOENT ? 0 : errno;
	/* the file was made 0600; someone widened it: narrow it again */
	(void)fchmod(fileno(f), 0600);
	while (!err && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *val, *end;

		if (line[0] == '#' || !colon)
			continue;
		*colon = '\0';
		val = colon + 1;
		while (*val == ' ')
			val++;
		end = val + strlen(val);
		while (end > val &&
		       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
			*--end = '\0';
		if (*val && !entry_get(line))
			err = entry_set(line, val);
	}
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return err;
}

/* Writes every entry to a new file (0600 from its creation, so the
 * secrets are never readable by others) and renames it over the old. */
static int secrets_write(void)
{
	char tmp[sizeof(reg.path) + 8];
	FILE *f;
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", reg.path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		(void)unlink(tmp);
		return err;
	}
	fprintf(f, "# Secrets Hotline generated in place of missing or published ones\n"
		   "# (the repository's demo values). Read them, then change them:\n"
		   "# api_token is the API's bearer token; admin_password signs in user\n"
		   "# admin (made with it only while there is no user); sip.EXT is the\n"
		   "# SIP password of agent EXT's phone. A secret you set in the\n"
		   "# configuration that is not published is used instead.\n");
	for (size_t i = 0; i < reg.n; i++)
		fprintf(f, "%s: %s\n", reg.v[i].key, reg.v[i].val);
	if (fflush(f) || fsync(fileno(f)))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	if (!err && rename(tmp, reg.path))
		err = errno;
	if (err)
		(void)unlink(tmp);
	return err;
}

/* dst (size sz) gets the generated secret for key when it is empty or
 * published; *added counts a secret made now. */
static int replace(char *dst, size_t sz, const char *key, size_t len, size_t *added)
{
	const char *have;
	char fresh[64];
	int err;

	if (dst[0] && !safe_secret_published(dst))
		return 0;
	have = entry_get(key);
	if (!have) {
		generate(fresh, len < sizeof(fresh) ? len : sizeof(fresh) - 1);
		err = entry_set(key, fresh);
		sodium_memzero(fresh, sizeof(fresh));
		if (err)
			return err;
		have = entry_get(key);
		(*added)++;
	}
	return util_copy(dst, sz, have);
}

static int tenant_apply(struct cfg_tenant *t, size_t *added)
{
	char key[CFG_EXT + 8];
	int err = 0;

	for (size_t i = 0; !err && i < t->agentc; i++) {
		struct cfg_agent *a = &t->agentv[i];

		snprintf(key, sizeof(key), "sip.%s", a->ext);
		/* an agent given only as HA1 hashes has no clear password
		 * to replace */
		if (!a->password[0] && (a->ha1_md5[0] || a->ha1_sha256[0]))
			continue;
		err = replace(a->password, sizeof(a->password), key, 20, added);
	}
	return err;
}

static int finish(size_t added)
{
	int err;

	if (!added)
		return 0;
	err = secrets_write();
	if (err) {
		log_error("safe: cannot write %s: %s", reg.path, strerror(err));
		return err;
	}
	/* the place, never the secret: the console is often a shared log */
	log_warn("safe: %zu missing or published secrets replaced by generated ones; "
		 "they are in %s (mode 0600): sign in as admin with its admin_password",
		 added, reg.path);
	return 0;
}

int safe_secrets_start(const char *data_dir, struct cfg_node *node, struct cfg_tenant *t)
{
	const char *keep = getenv("HOTLINE_KEEP_DEMO_SECRETS");
	size_t added = 0;
	int err;

	if (!data_dir || !node || !t)
		return EINVAL;
	if (sodium_init() < 0)
		return ENOSYS;
	safe_secrets_close();
	reg.started = true;
	if (keep && !strcmp(keep, "1")) {
		reg.keep = true;
		if (safe_secret_published(node->api_token) ||
		    safe_secret_published(node->admin_password))
			log_warn("safe: keeping the published demo secrets "
				 "(HOTLINE_KEEP_DEMO_SECRETS=1): anyone who reaches "
				 "this node can use them");
		return 0;
	}
	snprintf(reg.path, sizeof(reg.path), "%s/" SAFE_SECRETS_FILE, data_dir);
	err = secrets_read();
	if (err) {
		log_error("safe: cannot read %s: %s", reg.path, strerror(err));
		return err;
	}
	err = replace(node->api_token, sizeof(node->api_token), "api_token", 32, &added);
	if (!err)
		err = replace(node->admin_password, sizeof(node->admin_password),
			      "admin_password", 24, &added);
	if (!err)
		err = tenant_apply(t, &added);
	if (!err)
		err = finish(added);
	return err;
}

int safe_secrets_tenant(struct cfg_tenant *t)
{
	size_t added = 0;
	int err;

	if (!t)
		return EINVAL;
	if (!reg.started || reg.keep)
		return 0;
	err = tenant_apply(t, &added);
	if (!err)
		err = finish(added);
	return err;
}

void safe_secrets_close(void)
{
	if (reg.v)
		sodium_memzero(reg.v, reg.n * sizeof(*reg.v));
	reg.v = mem_deref(reg.v);
	reg.n = 0;
	reg.keep = false;
	reg.started = false;
	reg.path[0] = '\0';
}

/* --- users made with a published password --------------------------------- */

struct users_ctx {
	struct store *st;
	const char *pw;
	size_t fixed;
	int err;
};

static int user_fix(const struct store_user *u, void *arg)
{
	struct users_ctx *c = arg;
	struct store_user nu;

	if (strcmp(u->role, "admin") ||
	    crypto_pwhash_str_verify(u->pw_hash, "demo-admin", strlen("demo-admin")))
		return 0;
	nu = *u;
	if (crypto_pwhash_str(nu.pw_hash, c->pw, strlen(c->pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
		c->err = ENOMEM;
		return ENOMEM;
	}
	c->err = store_user_save(c->st, &nu);
	/* whoever signed in with the published password is signed out */
	if (!c->err)
		c->err = store_sessions_expire(c->st, u->name, clock_now_ms());
	if (!c->err) {
		log_warn("safe: user %s signed in with the published admin password; it "
			 "now has the admin_password of %s",
			 u->name, reg.path);
		c->fixed++;
	}
	sodium_memzero(&nu, sizeof(nu));
	return c->err;
}

int safe_secrets_users(struct store *st, const struct cfg_node *node)
{
	struct users_ctx c = {.st = st};
	int err;

	if (!st || !node)
		return EINVAL;
	if (!reg.started || reg.keep || !node->admin_password[0])
		return 0;
	c.pw = node->admin_password;
	err = store_user_list(st, user_fix, &c);
	if (!err)
		err = c.err;
	if (!err && c.fixed)
		store_flush(st);
	return err;
}
