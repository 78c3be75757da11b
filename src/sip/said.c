/*
 * said.c — what the voice side says in its own words (not a flow's, which
 * the tenant writes): the place in line and the wait, the callback's
 * confirmation, feature codes, conference rooms. One table, a column per
 * language, so a language is added in one place and every prompt follows
 * the language of its flow, queue or tenant (issue 14).
 *
 * Chinese is eSpeak NG's Mandarin (`cmn`, asked for as zh); every other
 * language hears English until a column is added here.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "ivr/ivr.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "sip/sip.h"
#include "sip/call_int.h"

enum said_lang { LANG_EN, LANG_ZH, LANGS };

static const char *const said[SAID_COUNT][LANGS] = {
    [SAID_CALLBACK] = {"Thank you. We will call you back when it is your turn. Goodbye.",
		       "谢谢。轮到您时我们会给您回电，再见。"},
    [SAID_CALLBACK_AGENT] = {"Calling the customer back.", "正在回拨客户。"},
    [SAID_DIAL_AGENT] = {"Connecting your call.", "正在为您接通。"},
    [SAID_LOGGED_OUT] = {"Agent logged out.", "坐席已退出。"},
    [SAID_AVAILABLE] = {"Agent available.", "坐席已就绪。"},
    [SAID_PAUSED] = {"Agent paused.", "坐席已暂停。"},
    [SAID_NOT_NOW] = {"That is not possible now.", "现在无法操作。"},
    [SAID_CONF_PIN] = {"Please enter the conference PIN, then press the hash key.",
		       "请输入会议密码，然后按井号键。"},
    [SAID_CONF_BAD_PIN] = {"That PIN is not right.", "密码不正确。"},
    [SAID_CONF_FULL] = {"This conference is full. Goodbye.", "会议已满，再见。"},
    [SAID_NEXT] = {"You are next in line.", "您是下一位客户。"},
    [SAID_MANY_AHEAD] = {"There are more than twenty callers ahead of you.",
			 "您前面还有二十位以上的客户，"},
    [SAID_WAIT_SHORT] = {"Your estimated wait is less than a minute.",
			 "预计等待不到一分钟。"},
    [SAID_WAIT_LONG] = {"Your estimated wait is more than thirty minutes.",
			"预计等待三十分钟以上。"},
    [SAID_RECORDING_NOTICE] = {"This call may be recorded for quality and training.",
			       "您的通话可能会被录音，用于服务质量和培训。"},
};

static enum said_lang lang(const char *language)
{
	return !strcmp(tts_voice(language), "cmn") ? LANG_ZH : LANG_EN;
}

const char *call__said(enum said w, const char *language)
{
	return w < SAID_COUNT ? said[w][lang(language)] : "";
}

void call__said_position(char *buf, size_t sz, size_t pos, const char *language)
{
	if (pos <= 1)
		util_copy(buf, sz, call__said(SAID_NEXT, language));
	else if (pos > CALL_ANNOUNCE_MAX_POS)
		util_copy(buf, sz, call__said(SAID_MANY_AHEAD, language));
	else if (lang(language) == LANG_ZH)
		/* "N customers ahead of you", as Chinese lines announce it */
		snprintf(buf, sz, "您前面还有 %zu 位客户，", pos - 1);
	else
		snprintf(buf, sz, "You are caller number %zu in line.", pos);
}

void call__said_wait(char *buf, size_t sz, uint64_t ewt_ms, const char *language)
{
	uint64_t min = (ewt_ms + 59999) / 60000;

	if (min <= 1)
		util_copy(buf, sz, call__said(SAID_WAIT_SHORT, language));
	else if (min > CALL_ANNOUNCE_MAX_MIN)
		util_copy(buf, sz, call__said(SAID_WAIT_LONG, language));
	else if (lang(language) == LANG_ZH)
		snprintf(buf, sz, "预计等待 %llu 分钟。", (unsigned long long)min);
	else
		snprintf(buf, sz, "Your estimated wait is about %llu minutes.",
			 (unsigned long long)min);
}

int call__said_prepare(struct callctl *ctl, enum said w)
{
	const struct cfg_tenant *t = ctl->tenant;
	int err = call__prompt_add(ctl, call__said(w, t->language), NULL, t->language);

	/* and in each queue's language (the cache renders a text and voice
	 * once however many queues share them) */
	for (size_t i = 0; i < t->queuec; i++)
		if (t->queuev[i].language[0])
			err |= call__prompt_add(ctl, call__said(w, t->queuev[i].language),
						NULL, t->queuev[i].language);
	return err;
}
