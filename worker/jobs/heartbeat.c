/*
 * heartbeat.c - the EMF heartbeat line (see heartbeat.h).
 */
#include "jobs/heartbeat.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int mtw_metrics_namespace_valid(const char *ns)
{
    size_t n = strlen(ns), i;

    if (n == 0 || n > 255 || strncmp(ns, "AWS/", 4) == 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char c = ns[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || strchr("._/#:-", c) != NULL))
        {
            return 0;
        }
    }
    return 1;
}

int mtw_heartbeat_line(char *buf, size_t n, const char *ns,
                       const char *city, int64_t ms)
{
    int len = snprintf(buf, n,
        "{\"_aws\":{\"Timestamp\":%lld,\"CloudWatchMetrics\":[{"
        "\"Namespace\":\"%s\",\"Dimensions\":[[\"City\"]],\"Metrics\":[{"
        "\"Name\":\"WorkerHeartbeat\",\"Unit\":\"Count\"}]}]},"
        "\"City\":\"%s\",\"WorkerHeartbeat\":1}\n",
        (long long) ms, ns, city);

    return len < 0 || (size_t) len >= n ? -1 : len;
}

void mtw_heartbeat_emit(const char *ns, const char *city, int64_t ms)
{
    char line[640];
    int len = mtw_heartbeat_line(line, sizeof(line), ns, city, ms);
    ssize_t w;

    if (len > 0) {
        /* one write(2): the line is never interleaved with log lines */
        w = write(STDERR_FILENO, line, (size_t) len);
        (void) w;
    }
}
