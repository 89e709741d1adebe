/*
 * insight.c - readings by an OpenAI-compatible API, cached (insight.h).
 */
#include "jobs/insight.h"
#include "docs/docs.h"
#include "feed/http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSIGHT_SYSTEM \
    "You are a transit data analyst writing for riders, advocates and " \
    "journalists. In two or three short plain sentences, say what the " \
    "numbers show. Use only the numbers given. Plain text: no markup, no " \
    "lists, no emojis."

/* the answer's text: choices[0].message.content, trimmed and bounded */
static char *answer_text(const char *body, size_t len, char *err,
                         size_t errlen)
{
    json_t *root = json_loadb(body, len, 0, NULL), *content;
    const char *s;
    size_t n;
    char *out;

    content = json_object_get(json_object_get(json_array_get(
                  json_object_get(root, "choices"), 0), "message"),
                  "content");
    s = json_string_value(content);
    while (s != NULL && (*s == ' ' || *s == '\n' || *s == '\r')) {
        s++;
    }
    if (s == NULL || *s == '\0') {
        snprintf(err, errlen, "the answer has no text");
        json_decref(root);
        return NULL;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n')) {
        n--;
    }
    if (n > MTW_INSIGHT_MAX) {
        n = MTW_INSIGHT_MAX;
    }
    out = strndup(s, n);
    json_decref(root);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
    }
    return out;
}

/* the request: the model, the instructions and the numbers */
static char *request_body(const mtw_config *cfg, const char *topic,
                          const char *numbers)
{
    json_t *req;
    char user[8192];
    char *out;

    snprintf(user, sizeof(user), "Topic: %s.\nNumbers (JSON): %s", topic,
             numbers);
    req = json_pack("{s:s, s:f, s:i, s:[{s:s, s:s}, {s:s, s:s}]}",
                    "model", cfg->openai_model, "temperature", 0.3,
                    "max_tokens", 250, "messages",
                    "role", "system", "content", INSIGHT_SYSTEM,
                    "role", "user", "content", user);
    if (req == NULL) {
        return NULL;
    }
    out = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return out;
}

char *mtw_insight(const mtw_config *cfg, mtw_redis_link *rc,
                  const char *city, const char *topic, const char *numbers,
                  int *cached, char *err, size_t errlen)
{
    char url[1024], auth[512], key[128], etag[20], why[512];
    const char *headers[3];
    char *body, *text;
    uint8_t *answer;
    redisReply *r;
    size_t len = 0;

    *cached = 0;
    if (cfg->openai_api_key == NULL) {
        snprintf(err, errlen, "no MTW_OPENAI_API_KEY");
        return NULL;
    }
    body = request_body(cfg, topic, numbers);
    if (body == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the cache key: the whole request (model, instructions, numbers) */
    mtw_etag(body, strlen(body), etag);
    snprintf(key, sizeof(key), "mtw:%s:insight:%.16s", city, etag + 1);
    if (rc != NULL) {
        r = mtw_redis_command(rc, "GET %s", key);
        if (r != NULL && r->type == REDIS_REPLY_STRING && r->len > 0) {
            text = strndup(r->str, r->len);
            freeReplyObject(r);
            free(body);
            *cached = 1;
            return text;
        }
        if (r != NULL) {
            freeReplyObject(r);
        }
    }
    snprintf(url, sizeof(url), "%s/chat/completions", cfg->openai_base_url);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             cfg->openai_api_key);
    headers[0] = auth;
    headers[1] = "Content-Type: application/json";
    headers[2] = NULL;
    answer = mtw_http_post(url, headers, body, strlen(body), 3000, 15000,
                           1u << 20, &len, why, sizeof(why));
    memset(auth, 0, sizeof(auth));
    free(body);
    if (answer == NULL) {
        snprintf(err, errlen, "%s", why);
        return NULL;
    }
    text = answer_text((const char *) answer, len, err, errlen);
    free(answer);
    if (text != NULL && rc != NULL) {
        r = mtw_redis_command(rc, "SET %s %s EX %d", key, text,
                              MTW_INSIGHT_TTL_SEC);
        if (r != NULL) {
            freeReplyObject(r);
        }
    }
    return text;
}
