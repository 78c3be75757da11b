/*
 * surveys.c — satisfaction surveys: when a ticket is resolved, a one-time
 * link (/survey?t=TOKEN) goes to the integrator's webhooks that take
 * survey.link (the mailer or SMS gateway that takes it to the customer),
 * signed, and nowhere else: the ticket.survey event that agents see and
 * the store keeps says only that a survey went out (an agent holding the
 * link could rate its own ticket). The small page
 * posts the score 1-5 and a comment once. The score is stored on the
 * survey (with the ticket's call) and on the ticket, in its history and
 * as an event. The token is the only credential, so it is 192 random
 * bits and only its SHA-256 is kept.
 *
 * Not here: the page (web/survey.html), tickets (tickets.c, ticket/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include "core/core.h"
#include "store/store.h"
#include "ticket/ticket.h"
#include "api/api_int.h"

int api__survey_record(struct api *a, const struct store_survey *v)
{
	struct ticket_change c = TICKET_CHANGE_INIT;
	const char *why = "";
	int err = store_survey_save(a->store, v);

	if (err || !v->ticket[0])
		return err;
	c.csat = v->score;
	c.by = "customer";
	if (ticket_update(api__tickets_engine(a), v->ticket, &c, v->answered, NULL, &why))
		log_warn("api: survey score not on the ticket ticket=%s: %s", v->ticket,
			 why);
	return 0;
}

void api__survey_send(struct api *a, const struct store_ticket *t)
{
	struct hl_event ev = {.type = EVENT_SURVEY_LINK, .name = "survey.link"};
	struct store_survey v;
	unsigned char r[24];
	char token[48], url[80];
	const char *comma;

	memset(&v, 0, sizeof(v));
	randombytes_buf(r, sizeof(r));
	sodium_bin2base64(token, sizeof(token), r, sizeof(r),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	api__secret_hash(token, strlen(token), v.hash);
	util_copy(v.ticket, sizeof(v.ticket), t->id);
	util_copy(v.customer, sizeof(v.customer), t->customer);
	comma = strchr(t->calls, ',');
	util_copy(v.call,
		  comma && (size_t)(comma - t->calls) < sizeof(v.call)
		      ? (size_t)(comma - t->calls) + 1
		      : sizeof(v.call),
		  t->calls); /* the first linked call */
	v.created = clock_now_ms();
	if (store_survey_save(a->store, &v)) {
		log_error("api: survey not stored ticket=%s", t->id);
		return;
	}
	/* the link is the customer's alone: it goes to the integrator's
	 * webhooks (signed) that take it to the customer, never onto the
	 * event that agents see and the store keeps */
	snprintf(url, sizeof(url), "/survey?t=%s", token);
	ev.ts = v.created;
	ev.call = v.call[0] ? v.call : NULL;
	ev.queue = t->group[0] ? t->group : NULL;
	ev.data = json_pack("{s:s,s:s,s:s}", "ticket", t->id, "customer", t->customer,
			    "url", url);
	api__webhooks_deliver(a->webhooks, &ev);
	json_decref(ev.data);
	sodium_memzero(token, sizeof(token));
	sodium_memzero(url, sizeof(url));
	event_emit_pack(EVENT_TICKET_SURVEY, v.call[0] ? v.call : NULL, NULL,
			t->group[0] ? t->group : NULL, "{s:s,s:s}", "ticket", t->id,
			"customer", t->customer);
}

/* POST /api/v1/surveys {"token","score","comment"}: no sign-in; the
 * token is the credential, good once. */
void api__surveys_answer(struct req *rq)
{
	static const char *const fields[] = {"token", "score", "comment", NULL};
	struct store_survey v;
	json_t *body = api__body_object(rq, fields), *sc;
	const char *token, *comment;
	char hash[65];
	int err;

	if (!body)
		return;
	token = json_string_value(json_object_get(body, "token"));
	sc = json_object_get(body, "score");
	comment = NULL;
	if (!api__text(rq, body, "comment", 0, 511, UTIL_TEXT_MULTILINE, &comment))
		goto out;
	if (!token || strlen(token) > 64) {
		api__reply_error(rq, 400, "Bad Request", "bad_field", "token: required");
		goto out;
	}
	if (!json_is_integer(sc) || json_integer_value(sc) < 1 ||
	    json_integer_value(sc) > 5) {
		api__reply_error(rq, 400, "Bad Request", "bad_field", "score: 1 to 5");
		goto out;
	}
	api__secret_hash(token, strlen(token), hash);
	if (store_survey_get(rq->api->store, hash, &v)) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "token: this survey link is not known");
		goto out;
	}
	if (v.answered) {
		api__reply_error(rq, 409, "Conflict", "answered",
				 "token: this survey was answered already");
		goto out;
	}
	v.answered = clock_now_ms();
	v.score = (int)json_integer_value(sc);
	/* as sent: api__text took text only, and STORE_TEXT(511) holds it */
	util_copy(v.comment, sizeof(v.comment), comment ? comment : "");
	err = api__survey_record(rq->api, &v);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the answer could not be stored");
		goto out;
	}
	event_emit_pack(EVENT_TICKET_RATED, v.call[0] ? v.call : NULL, NULL, NULL,
			"{s:s,s:i}", "ticket", v.ticket, "score", v.score);
	api__reply_committed(
	    rq, 200, "OK", NULL,
	    json_pack("{s:s,s:i}", "ticket", v.ticket, "score", v.score));
out:
	json_decref(body);
}
