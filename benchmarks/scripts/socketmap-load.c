/* socketmap-load: a lean closed-loop socketmap load generator, the C twin of `mtasts-bench.jar socketmap`.
 *
 * N persistent TCP connections, each sending `<map> <key>` as a netstring and reading one netstring reply before
 * the next request, as Postfix's smtp processes use smtp_tls_policy_maps. On a small machine the load tool shares
 * the CPU with the server it measures; this one spends as little of it as it can, so a server's figure is the
 * server's and not the tool's.
 *
 * One thread (--threads N: N threads) runs an epoll loop over all the non-blocking connections. Measured against
 * fixedsrv on a 2-core machine, one epoll thread gave the server the most requests/s at 16 and at 256 connections:
 * one epoll_wait wakes it for many replies, where a blocking thread per connection pays a context switch for each
 * reply and two epoll threads compete with the server for the second core.
 *
 * Latency runs from just before the request is written to the moment its reply is complete (CLOCK_MONOTONIC),
 * recorded in a per-thread log-linear histogram (relative error below 0.2%), merged after the run. Requests
 * completing during --warmup are not counted; the run stops by itself after warm-up + duration.
 *
 * Output: the same text summary or --json line as `mtasts-bench.jar socketmap`, same fields; exit 0 without errors,
 * 1 with errors, 2 on usage errors.
 *
 * Build: gcc -O2 -pthread -o socketmap-load socketmap-load.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST 1024      /* a domain is at most 253 octets (RFC 1035 2.3.4): ample */
#define REPLY_BUF 8192        /* a reply that does not fit is counted malformed, as the Java tool does */
#define MAX_PAYLOAD 100000    /* Postfix's socketmap reply limit */

/* log-linear histogram over nanoseconds: values below 2^SUB_BITS exact, above that 2^(SUB_BITS-1) linear
 * buckets per power of two, so a bucket is at most 1/512 of its value wide */
#define SUB_BITS 10
#define HALF (1 << (SUB_BITS - 1))
#define MAX_NS (1ULL << 40)   /* ~18 minutes; longer latencies are clamped */
#define BUCKETS ((40 - SUB_BITS + 2) * HALF)

typedef struct { uint64_t count[BUCKETS]; uint64_t total, max; } histogram;

static int bucket_of(uint64_t v) {
    if (v >= MAX_NS) v = MAX_NS - 1;
    if (v < (1u << SUB_BITS)) return (int)v;
    int shift = 63 - __builtin_clzll(v) - (SUB_BITS - 1);
    return (shift + 1) * HALF + (int)(v >> shift) - HALF;
}

/* highest value that falls in bucket i, as HdrHistogram reports percentiles */
static uint64_t bucket_top(int i) {
    if (i < (1 << SUB_BITS)) return (uint64_t)i;
    int shift = i / HALF - 1;
    uint64_t sub = (uint64_t)(i - (shift + 1) * HALF + HALF);
    return ((sub + 1) << shift) - 1;
}

static void record(histogram *h, uint64_t ns) {
    h->count[bucket_of(ns)]++;
    h->total++;
    if (ns > h->max) h->max = ns;
}

static double percentile_ms(const histogram *h, double p) {
    if (h->total == 0) return 0;
    uint64_t want = (uint64_t)(p / 100.0 * (double)h->total + 0.5);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= want) {
            uint64_t v = bucket_top(i);
            return (v > h->max ? h->max : v) / 1e6;
        }
    }
    return h->max / 1e6;
}

typedef struct { char *bytes; int len; } request;

static request *requests;
static int request_count;
static const char *expect;
static size_t expect_len;
static struct sockaddr_storage target;
static socklen_t target_len;
static int connections, threads;
static uint64_t measure_from, measure_to;

typedef struct {
    histogram latency;
    uint64_t requests, connect_failures, closed_by_server, malformed, unexpected;
} stats;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

enum { INCOMPLETE = -1, MALFORMED = -2 };

/* Judges the reply at buf[0..len): its length when it is one complete netstring whose payload starts with a
 * socketmap status word, INCOMPLETE or MALFORMED. *payload is set to the payload's offset. */
static int scan_reply(const char *buf, int len, int *payload) {
    static const char *status[] = {"OK ", "NOTFOUND ", "TEMP ", "TIMEOUT ", "PERM "};
    int n = 0, i = 0;
    for (; i < len && buf[i] != ':'; i++) {
        if (buf[i] < '0' || buf[i] > '9' || i >= 6 || (i > 0 && buf[0] == '0')) return MALFORMED;
        n = n * 10 + (buf[i] - '0');
    }
    if (i == len) return INCOMPLETE;
    if (i == 0 || n > MAX_PAYLOAD) return MALFORMED;
    int start = i + 1, end = start + n;
    if (end >= len) return INCOMPLETE;
    if (buf[end] != ',') return MALFORMED;
    for (size_t s = 0; s < sizeof status / sizeof *status; s++) {
        size_t w = strlen(status[s]);
        if ((size_t)n >= w && memcmp(buf + start, status[s], w) == 0) {
            *payload = start;
            return end + 1;
        }
    }
    return MALFORMED;
}

/* Accounts for a complete reply of `frame` bytes in buf[0..len) received at `done`. Returns 0 to go on, -1 when
 * the connection must be dropped (more bytes than one reply: with one request outstanding that breaks the
 * protocol). */
static int complete(stats *st, const char *buf, int len, int frame, int payload, uint64_t sent_at, uint64_t done) {
    if (frame != len) {
        st->malformed++;
        return -1;
    }
    if (done >= measure_from && done < measure_to) {
        st->requests++;
        record(&st->latency, done - sent_at);
        if (expect && ((size_t)(frame - 1 - payload) < expect_len || memcmp(buf + payload, expect, expect_len) != 0))
            st->unexpected++;
    }
    return 0;
}

static int open_connection(void) {
    int fd = socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&target, target_len) == 0) return fd;
    if (errno == EINPROGRESS) {
        /* loopback: the handshake is done by the time the first reply could arrive; wait for it here so a
         * refused connection is a connect failure, not a closed one */
        struct epoll_event ev = {.events = EPOLLOUT};
        int ep = epoll_create1(0), err = 0;
        socklen_t l = sizeof err;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        int ready = epoll_wait(ep, &ev, 1, 5000);
        close(ep);
        if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0) return fd;
    }
    close(fd);
    return -1;
}

/* one driver thread: an epoll loop over connections id, id+threads, ... */
typedef struct { int fd, index, len; uint64_t sent, sent_at; char buf[REPLY_BUF]; } conn;
typedef struct { int id; stats st; } driver;

static int send_next(conn *c) {
    request *q = &requests[(c->index + c->sent++) % request_count];
    c->sent_at = now_ns();
    c->len = 0;
    /* a request is far smaller than an empty socket buffer, and the previous reply proves it was drained */
    return send(c->fd, q->bytes, q->len, MSG_NOSIGNAL) == q->len ? 0 : -1;
}

static void *run_driver(void *arg) {
    driver *d = arg;
    stats *st = &d->st;
    int ep = epoll_create1(0), live = 0;
    int mine = (connections - d->id + threads - 1) / threads;
    conn *cs = calloc(mine > 0 ? mine : 1, sizeof *cs);
    for (int k = 0; k < mine; k++) {
        conn *c = &cs[k];
        c->index = d->id + k * threads;
        c->fd = open_connection();
        if (c->fd < 0) {
            st->connect_failures++;
            continue;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        if (send_next(c) < 0) {
            st->closed_by_server++;
            close(c->fd);
            c->fd = -1;
            continue;
        }
        live++;
    }
    struct epoll_event evs[256];
    while (live > 0) {
        uint64_t now = now_ns();
        if (now >= measure_to) break;
        uint64_t wait_ms = (measure_to - now) / 1000000 + 1;
        int n = epoll_wait(ep, evs, 256, wait_ms > 1000 ? 1000 : (int)wait_ms);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            int frame = INCOMPLETE, payload = 0, drop = 0;
            if (r <= 0) {
                st->closed_by_server++;
                drop = 1;
            } else {
                c->len += (int)r;
                frame = scan_reply(c->buf, c->len, &payload);
                if (frame == INCOMPLETE && c->len == (int)sizeof c->buf) frame = MALFORMED;
                if (frame == MALFORMED) {
                    st->malformed++;
                    drop = 1;
                }
            }
            if (!drop && frame != INCOMPLETE) {
                uint64_t t = now_ns();
                if (complete(st, c->buf, c->len, frame, payload, c->sent_at, t) < 0) {
                    drop = 1;
                } else if (t < measure_to && send_next(c) < 0) {
                    st->closed_by_server++;
                    drop = 1;
                }
            }
            if (drop) {
                close(c->fd);
                c->fd = -1;
                live--;
            }
        }
    }
    for (int k = 0; k < mine; k++)
        if (cs[k].fd >= 0) close(cs[k].fd);
    free(cs);
    close(ep);
    return NULL;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

static int read_keys(const char *path, const char *map) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "socketmap-load: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, mapped = strlen(map);
    int lineno = 0, size = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *k = line, *e = line + got;
        while (k < e && is_space(*k)) k++;
        while (e > k && is_space(e[-1])) e--;
        if (k == e || *k == '#') continue;
        for (char *p = k; p < e; p++) {
            if (is_space(*p)) {
                fprintf(stderr, "socketmap-load: %s line %d: a key is one word, got '%.*s'\n", path, lineno, (int)(e - k), k);
                return -1;
            }
        }
        int payload = (int)(mapped + 1 + (size_t)(e - k));
        char frame[MAX_REQUEST + 32];
        int len = snprintf(frame, sizeof frame, "%d:%s %.*s,", payload, map, (int)(e - k), k);
        if (len >= MAX_REQUEST) {
            fprintf(stderr, "socketmap-load: %s line %d: request longer than %d bytes\n", path, lineno, MAX_REQUEST);
            return -1;
        }
        if (size == request_count) {
            request_count = request_count ? request_count * 2 : 256;
            requests = realloc(requests, request_count * sizeof *requests);
        }
        requests[size].bytes = strdup(frame);
        requests[size].len = len;
        size++;
    }
    free(line);
    fclose(f);
    if (size == 0) {
        fprintf(stderr, "socketmap-load: %s: no keys (one domain per line)\n", path);
        return -1;
    }
    request_count = size;
    return 0;
}

static int resolve_loopback(const char *host, int port, char *shown, size_t shown_len) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) {
        fprintf(stderr, "socketmap-load: unknown host %s\n", host);
        return -1;
    }
    memcpy(&target, res->ai_addr, res->ai_addrlen);
    target_len = res->ai_addrlen;
    freeaddrinfo(res);
    int loopback;
    if (target.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&target;
        a->sin_port = htons(port);
        loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
        inet_ntop(AF_INET, &a->sin_addr, shown, shown_len);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&target;
        a->sin6_port = htons(port);
        loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        inet_ntop(AF_INET6, &a->sin6_addr, shown, shown_len);
    }
    if (!loopback) {
        fprintf(stderr, "socketmap-load: load is only sent to loopback addresses, not %s\n", shown);
        return -1;
    }
    return 0;
}

static void usage(FILE *to) {
    fprintf(to, "usage: socketmap-load --port P --keys FILE [--host 127.0.0.1] [--connections 16] [--duration 10]\n"
                "       [--warmup 2] [--map postfix] [--expect PREFIX] [--threads 1] [--json]\n");
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *keys = NULL, *map = "postfix";
    int port = 0, json = 0;
    double duration = 10, warmup = 2;
    connections = 16;
    threads = 1;
    static const struct option opts[] = {
        {"host", required_argument, 0, 'h'}, {"port", required_argument, 0, 'p'},
        {"connections", required_argument, 0, 'c'}, {"duration", required_argument, 0, 'd'},
        {"warmup", required_argument, 0, 'w'}, {"keys", required_argument, 0, 'k'},
        {"map", required_argument, 0, 'm'}, {"expect", required_argument, 0, 'e'},
        {"threads", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'H'}, {0, 0, 0, 0}};
    int o;
    char *end;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h': host = optarg; break;
        case 'p': port = (int)strtol(optarg, &end, 10); if (*end) port = -1; break;
        case 'c': connections = (int)strtol(optarg, &end, 10); if (*end) connections = -1; break;
        case 'd': duration = strtod(optarg, &end); if (*end) duration = -1; break;
        case 'w': warmup = strtod(optarg, &end); if (*end) warmup = -1; break;
        case 'k': keys = optarg; break;
        case 'm': map = optarg; break;
        case 'e': expect = optarg; expect_len = strlen(optarg); break;
        case 't': threads = (int)strtol(optarg, &end, 10); if (*end) threads = -1; break;
        case 'j': json = 1; break;
        case 'H': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !keys || connections < 1 || duration <= 0 || warmup < 0 || port < 1 || port > 65535
        || threads < 1 || !*map || strpbrk(map, " \t\r\n")) {
        fprintf(stderr, "socketmap-load: --port and --keys are required; --connections must be positive, --threads positive, "
                        "--duration > 0, --warmup >= 0, --port 1-65535, --map one word\n");
        usage(stderr);
        return 2;
    }
    char shown[INET6_ADDRSTRLEN];
    if (read_keys(keys, map) < 0 || resolve_loopback(host, port, shown, sizeof shown) < 0) return 2;
    if (threads > connections) threads = connections;

    uint64_t start = now_ns();
    measure_from = start + (uint64_t)(warmup * 1e9);
    measure_to = measure_from + (uint64_t)(duration * 1e9);
    pthread_t *ids = calloc(threads, sizeof *ids);
    driver *drivers = calloc(threads, sizeof *drivers);
    for (int i = 0; i < threads; i++) {
        drivers[i].id = i;
        int failed = pthread_create(&ids[i], NULL, run_driver, &drivers[i]);
        if (failed) {
            fprintf(stderr, "socketmap-load: cannot start thread %d: %s\n", i, strerror(failed));
            return 2;
        }
    }
    static stats all;
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
        stats *st = &drivers[i].st;
        for (int b = 0; b < BUCKETS; b++) all.latency.count[b] += st->latency.count[b];
        all.latency.total += st->latency.total;
        if (st->latency.max > all.latency.max) all.latency.max = st->latency.max;
        all.requests += st->requests;
        all.connect_failures += st->connect_failures;
        all.closed_by_server += st->closed_by_server;
        all.malformed += st->malformed;
        all.unexpected += st->unexpected;
    }
    uint64_t errors = all.connect_failures + all.closed_by_server + all.malformed + all.unexpected;
    double rate = all.requests / duration;
    double p50 = percentile_ms(&all.latency, 50), p99 = percentile_ms(&all.latency, 99),
           p999 = percentile_ms(&all.latency, 99.9), max = all.latency.max / 1e6;
    char where[INET6_ADDRSTRLEN + 8];
    snprintf(where, sizeof where, "%s:%d", shown, port);
    if (json) {
        printf("{\"target\":\"%s\",\"connections\":%d,\"duration_s\":%.3f,\"requests\":%llu,\"requests_per_s\":%.1f,"
               "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%llu,"
               "\"connect_failures\":%llu,\"closed_by_server\":%llu,\"malformed_replies\":%llu,\"unexpected_replies\":%llu}\n",
               where, connections, duration, (unsigned long long)all.requests, rate, p50, p99, p999, max,
               (unsigned long long)errors, (unsigned long long)all.connect_failures,
               (unsigned long long)all.closed_by_server, (unsigned long long)all.malformed,
               (unsigned long long)all.unexpected);
    } else {
        printf("target        %s\nconnections   %d\nduration      %.3f s\nrequests      %llu\nrequests/s    %.0f\n"
               "latency ms    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n"
               "errors        %llu (connect %llu, closed by server %llu, malformed %llu, unexpected %llu)\n",
               where, connections, duration, (unsigned long long)all.requests, rate, p50, p99, p999, max,
               (unsigned long long)errors, (unsigned long long)all.connect_failures,
               (unsigned long long)all.closed_by_server, (unsigned long long)all.malformed,
               (unsigned long long)all.unexpected);
    }
    return errors == 0 ? 0 : 1;
}
