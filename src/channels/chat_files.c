/*
 * chat_files.c — files in a chat (docs/CHAT.md): the type is what the
 * content is by its first bytes (PNG, JPEG, GIF, WebP, PDF, plain text),
 * never what the sender says; the size is capped by chat.limits; the file
 * is kept under the data dir's attachments/ (mode 0600) with its SHA-256,
 * and a message of the chat carries it.
 */
#include "channels/chat_int.h"

/* --- attachments ------------------------------------------------------------------- */

/* The type the content is, by its first bytes; NULL: not one we take. */
static const char *magic_type(const uint8_t *d, size_t n)
{
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && !memcmp(d, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(d, "%PDF-", 5))
		return "application/pdf";
	/* plain text: valid UTF-8 without control characters but tab and
	 * line ends (a binary of another kind is not) */
	if (n && chat_utf8_chars((const char *)d, n) >= 0) {
		for (size_t i = 0; i < n; i++) {
			if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
				return NULL;
		}
		return "text/plain";
	}
	return NULL;
}

int chat_attach(struct chat_svc *s, const char *id, const char *agent, const char *name,
		const uint8_t *data, size_t len, char aid[32], uint32_t *seq)
{
	struct chat *c = s ? chat__find(s, id) : NULL;
	struct store_attachment *a;
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *type;
	char path[CFG_PATH + 160];
	struct chat_msg *m;
	int fd, err = 0;

	if (!c)
		return ENOENT;
	if (!chat__live(c))
		return EALREADY;
	if (agent && strcmp(c->ia.agent, agent))
		return EPERM;
	if (!len || len > s->tenant->chat.attachment_bytes)
		return EMSGSIZE;
	type = magic_type(data, len);
	if (!type)
		return EPROTO;
	a = mem_zalloc(sizeof(*a), NULL);
	if (!a)
		return ENOMEM;
	id_new(a->id);
	util_copy(a->interaction, sizeof(a->interaction), c->ia.row.id);
	util_copy(a->name, sizeof(a->name), name && name[0] ? name : "file");
	util_copy(a->type, sizeof(a->type), type);
	a->size = len;
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(a->sha256, sizeof(a->sha256), h, sizeof(h));
	snprintf(a->path, sizeof(a->path), "attachments/%s", a->id);
	a->created = s->now();
	snprintf(path, sizeof(path), "%s/attachments", s->data_dir);
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s", s->data_dir, a->path);
	/* a visitor's file is personal data: the owner only */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, data, len) != (ssize_t)len)
			err = EIO;
		if (close(fd) && !err)
			err = EIO;
	}
	if (!err && s->store)
		err = store_attachment_add(s->store, a);
	if (err) {
		log_warn("chat: attachment not kept chat=%s: %s", id, strerror(err));
		(void)unlink(path);
		mem_deref(a);
		return err;
	}
	m = chat__msg_add(c, agent ? FROM_AGENT : FROM_VISITOR,
			  agent ? c->agent_name : c->name, "", false, NULL, a);
	if (m) {
		chat__visitor_send(c->v, chat__msg_json(m, false));
		*seq = m->seq;
	}
	util_copy(aid, 32, a->id);
	mem_deref(a);
	return m ? 0 : ENOMEM;
}

int chat_attachment(struct chat_svc *s, const char *id, const char *aid, char *path,
		    size_t pathsz, char type[64], char name[128])
{
	struct store_attachment a;

	if (!s || !s->store || store_attachment_get(s->store, aid, &a) ||
	    strcmp(a.interaction, id))
		return ENOENT;
	snprintf(path, pathsz, "%s/%s", s->data_dir, a.path);
	util_copy(type, 64, a.type);
	util_copy(name, 128, a.name);
	return 0;
}
