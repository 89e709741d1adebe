/*
 * pbjson.c - protobuf-c message -> JSON via its descriptor (pure).
 */
#include "feed/pbjson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void pbjson_enum(mtw_jbuf *w, const ProtobufCFieldDescriptor *f,
                        int v)
{
    const ProtobufCEnumValue *ev;

    ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
    if (ev != NULL) {
        mtw_jw_str(w, ev->name);
    } else {
        mtw_jw_int(w, v);    /* a value newer than our .proto */
    }
}

/* One value of field f stored at p. */
static void pbjson_value(mtw_jbuf *w, const ProtobufCFieldDescriptor *f,
                         const void *p)
{
    static const char hex[] = "0123456789abcdef";
    const ProtobufCBinaryData *bd;
    char *hexs;
    size_t i;

    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        mtw_jw_int(w, *(const int32_t *) p);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        mtw_jw_int(w, *(const int64_t *) p);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        mtw_jw_uint(w, *(const uint32_t *) p);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        mtw_jw_uint(w, *(const uint64_t *) p);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        mtw_jw_double(w, *(const float *) p);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        mtw_jw_double(w, *(const double *) p);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        mtw_jw_bool(w, *(const protobuf_c_boolean *) p);
        break;
    case PROTOBUF_C_TYPE_ENUM:
        pbjson_enum(w, f, *(const int *) p);
        break;
    case PROTOBUF_C_TYPE_STRING:
        mtw_jw_str(w, *(char *const *) p);
        break;
    case PROTOBUF_C_TYPE_BYTES:
        bd = p;
        hexs = malloc(2 * bd->len + 1);
        if (hexs == NULL) {
            w->failed = 1;
            break;
        }
        for (i = 0; i < bd->len; i++) {
            hexs[2 * i] = hex[bd->data[i] >> 4];
            hexs[2 * i + 1] = hex[bd->data[i] & 15];
        }
        mtw_jw_strn(w, hexs, 2 * bd->len);
        free(hexs);
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        mtw_pbjson_message(w, *(ProtobufCMessage *const *) p);
        break;
    }
}

static size_t pbjson_elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

void mtw_pbjson_message(mtw_jbuf *w, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *d;
    const ProtobufCFieldDescriptor *f;
    const char *base = (const char *) msg;
    const void *p;
    size_t i, j, n, esize;

    if (msg == NULL) {
        mtw_jw_null(w);
        return;
    }
    d = msg->descriptor;
    mtw_jw_obj(w);
    for (i = 0; i < d->n_fields; i++) {
        f = &d->fields[i];
        p = base + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *) (base + f->quantifier_offset);
            if (n == 0) {
                continue;
            }
            esize = pbjson_elem_size(f->type);
            mtw_jw_key(w, f->name);
            mtw_jw_arr(w);
            for (j = 0; j < n; j++) {
                pbjson_value(w, f, *(char *const *) p + j * esize);
            }
            mtw_jw_arr_end(w);
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE
            || f->type == PROTOBUF_C_TYPE_STRING)
        {
            if (*(void *const *) p == NULL
                || (f->default_value != NULL
                    && *(void *const *) p == f->default_value))
            {
                continue;
            }
        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL
                   && f->quantifier_offset != 0
                   && !*(const protobuf_c_boolean *)
                        (base + f->quantifier_offset))
        {
            continue;
        }
        mtw_jw_key(w, f->name);
        pbjson_value(w, f, p);
    }
    mtw_jw_obj_end(w);
}
