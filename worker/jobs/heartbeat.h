/*
 * heartbeat.h - the worker's WorkerHeartbeat metric in CloudWatch's
 * embedded metric format (contract: terraform/README.md, "The worker's
 * heartbeat metric"): one JSON line on stderr per completed tick of a city
 * whose lease this worker holds, when MTW_METRICS_NAMESPACE is set.
 */
#ifndef MTW_JOBS_HEARTBEAT_H
#define MTW_JOBS_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>

/* A CloudWatch namespace we accept: 1-255 of [A-Za-z0-9._/#:-], not
 * starting with "AWS/" (reserved). */
int mtw_metrics_namespace_valid(const char *ns);

/*
 * Writes the line (with '\n') for namespace ns, city slug and wall time
 * ms into buf.  Returns its length, or -1 when it does not fit.  Both
 * strings must be valid (checked at start-up): they are not escaped.
 */
int mtw_heartbeat_line(char *buf, size_t n, const char *ns,
                       const char *city, int64_t ms);

/* Writes the line to stderr in one write. */
void mtw_heartbeat_emit(const char *ns, const char *city, int64_t ms);

#endif
