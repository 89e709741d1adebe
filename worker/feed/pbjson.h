/*
 * pbjson.h - any decoded protobuf-c message as JSON, by reflection.
 *
 * Walks the message descriptor, so every field the .proto defines is
 * printed when present (proto2 presence), enums by their names, repeated
 * fields as arrays, bytes as lower-case hex.  Used by `mtw-worker decode`.
 */
#ifndef MTW_PBJSON_H
#define MTW_PBJSON_H

#include "util/jbuf.h"

#include <protobuf-c/protobuf-c.h>

void mtw_pbjson_message(mtw_jbuf *w, const ProtobufCMessage *msg);

#endif
