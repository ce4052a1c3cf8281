/*
 * An open-loop HTTP/1.1 load generator for the front-door overload (tools/bench/front-door.ts):
 * request k is due at start + k / rate, whatever the server does, and is sent on a free keep-alive
 * connection (a new one is opened when none is free, up to --connections). It does per request what
 * it must and nothing more — one write, reads until the answer is complete — so that on a machine
 * whose cores it shares with the edge and the service it offers what it is asked to: wrk's paced Lua
 * script (a timer per request in an event loop that scans its timers linearly, and a Lua call per
 * answer) offered 0.89x of the 5x asked for on 2 cores.
 *
 *   open-loop <host> <port> <rate/s> <seconds> <max connections> <timeout ms> <requests file>
 *
 * The requests file holds complete requests, each as "<byte length>\n<bytes>"; they are sent in
 * turn, cycling. Prints one line "FRONTDOOR_JSON {...}" in tools/bench/wrk.ts's shape (statuses,
 * 429s with Retry-After, errors, latency) plus what only an open loop knows: requests due, sent, and
 * how late the generator sent them (its own lag, not the server's). A request not answered within
 * the timeout after it was sent counts as a timeout, and its connection is closed (the client gives
 * up: the edge logs 499). Latency is from the moment the request was sent.
 *
 * Build: cc -O2 -o open-loop open-loop.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384
#define HIST_US 100      /* latency histogram bucket */
#define HIST_N 200000    /* 20 s */
#define MAX_CLASSES 32

typedef struct {
  int fd;
  int state; /* 0 free slot, 1 connecting, 2 idle, 3 busy */
  int req;   /* request index being sent/answered, -1 none */
  size_t wrote;
  uint64_t sent_us;
  int in_stack; /* on the idle stack (possibly closed since: checked when taken) */
  char buf[BUF];
  size_t got;
} conn_t;

static struct sockaddr_in addr;
static char **reqs;
static size_t *req_len;
static int nreqs;
static conn_t *conns;
static int maxconn, nopen, nconnecting;
static int *idle_stack, nidle;
static int epfd;
static long timeout_us;

static char class_name[MAX_CLASSES][64];
static long class_count[MAX_CLASSES];
static int nclasses;
static long retry_after_429, err_connect, err_read, err_write, err_timeout, answered;
static long *hist;
static uint64_t lat_max;
static long *lag_hist;
static uint64_t lag_max;

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + t.tv_nsec / 1000;
}

static void count_class(const char *name) {
  for (int i = 0; i < nclasses; i++)
    if (strcmp(class_name[i], name) == 0) {
      class_count[i]++;
      return;
    }
  if (nclasses < MAX_CLASSES) {
    snprintf(class_name[nclasses], sizeof class_name[0], "%s", name);
    class_count[nclasses++] = 1;
  }
}

static void load_requests(const char *file) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    perror(file);
    exit(2);
  }
  int cap = 1024;
  reqs = malloc(cap * sizeof *reqs);
  req_len = malloc(cap * sizeof *req_len);
  size_t len;
  while (fscanf(f, "%zu", &len) == 1) {
    if (fgetc(f) != '\n') break;
    if (nreqs == cap) {
      cap *= 2;
      reqs = realloc(reqs, cap * sizeof *reqs);
      req_len = realloc(req_len, cap * sizeof *req_len);
    }
    reqs[nreqs] = malloc(len);
    if (fread(reqs[nreqs], 1, len, f) != len) break;
    req_len[nreqs++] = len;
  }
  fclose(f);
  if (nreqs == 0) {
    fprintf(stderr, "no requests in %s\n", file);
    exit(2);
  }
}

static void push_idle(int slot) {
  if (conns[slot].in_stack) return;
  conns[slot].in_stack = 1;
  idle_stack[nidle++] = slot;
}

static void closeconn(conn_t *c) {
  if (c->state == 1) nconnecting--;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->state = 0;
  c->req = -1;
  nopen--;
}

static int openconn(void) {
  int slot = -1;
  for (int i = 0; i < maxconn; i++)
    if (conns[i].state == 0) {
      slot = i;
      break;
    }
  if (slot < 0) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
    err_connect++;
    close(fd);
    return -1;
  }
  conn_t *c = &conns[slot];
  c->fd = fd;
  c->state = 1;
  nconnecting++;
  c->req = -1;
  c->got = 0;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (uint32_t)slot};
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  nopen++;
  return slot;
}

static void want_write(conn_t *c, int slot, int on) {
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0), .data.u32 = (uint32_t)slot};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what is left of the connection's request; 0 when all is written, 1 when it must wait, -1 on error. */
static int flush(conn_t *c, int slot) {
  while (c->wrote < req_len[c->req]) {
    ssize_t n = write(c->fd, reqs[c->req] + c->wrote, req_len[c->req] - c->wrote);
    if (n > 0) {
      c->wrote += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      want_write(c, slot, 1);
      return 1;
    }
    return -1;
  }
  return 0;
}

static void start(conn_t *c, int slot, int req) {
  c->req = req;
  c->wrote = 0;
  c->got = 0;
  c->state = 3;
  c->sent_us = now_us();
  if (flush(c, slot) < 0) {
    err_write++;
    closeconn(c);
  }
}

/* Is the answer in c->buf complete? Sets *status and *end (bytes of this answer). */
static int complete(conn_t *c, int *status, size_t *end) {
  c->buf[c->got < BUF ? c->got : BUF - 1] = 0;
  char *hdr_end = memmem(c->buf, c->got, "\r\n\r\n", 4);
  if (!hdr_end) return 0;
  size_t head = (size_t)(hdr_end - c->buf) + 4;
  *status = atoi(c->buf + 9);
  long clen = -1;
  int chunked = 0;
  for (char *p = c->buf; p && p < hdr_end; p = strstr(p, "\r\n")) {
    p += 2;
    if (strncasecmp(p, "content-length:", 15) == 0) clen = atol(p + 15);
    else if (strncasecmp(p, "transfer-encoding:", 18) == 0 && strstr(p, "chunked") && strstr(p, "chunked") < hdr_end) chunked = 1;
  }
  if (clen >= 0) {
    if (c->got < head + (size_t)clen) return 0;
    *end = head + (size_t)clen;
    return 1;
  }
  if (chunked) {
    char *z = memmem(hdr_end, c->got - (head - 4), "\r\n0\r\n\r\n", 7);
    if (!z) return 0;
    *end = (size_t)(z - c->buf) + 7;
    return 1;
  }
  *end = head;
  return 1;
}

static void record(conn_t *c, int status, size_t end) {
  uint64_t lat = now_us() - c->sent_us;
  answered++;
  if (lat > (uint64_t)timeout_us) err_timeout++; /* answered, but late (as wrk counts it) */
  long b = (long)(lat / HIST_US);
  hist[b < HIST_N ? b : HIST_N - 1]++;
  if (lat > lat_max) lat_max = lat;
  char name[64];
  snprintf(name, sizeof name, "%d", status);
  if (status == 429) {
    char *head_end = memmem(c->buf, end, "\r\n\r\n", 4);
    char *code = memmem(c->buf, end, "\"code\":\"", 8);
    if (code) {
      code += 8;
      int n = 0;
      while (code + n < c->buf + end && ((code[n] >= 'a' && code[n] <= 'z') || code[n] == '-')) n++;
      snprintf(name, sizeof name, "429 %.*s", n, code);
    }
    for (char *p = c->buf; p && p < head_end; p = strstr(p, "\r\n")) {
      p += 2;
      if (strncasecmp(p, "retry-after:", 12) == 0) retry_after_429++;
      if (strncasecmp(p, "x-edge-refusal:", 15) == 0) {
        char *v = p + 15;
        while (*v == ' ') v++;
        int n = 0;
        while (v[n] && v[n] != '\r') n++;
        size_t l = strlen(name);
        snprintf(name + l, sizeof name - l, " (edge: %.*s)", n, v);
      }
    }
  }
  count_class(name);
}

static uint64_t pct(long *h, long total, double q) {
  long want = (long)(q * (double)total), seen = 0;
  for (long i = 0; i < HIST_N; i++) {
    seen += h[i];
    if (seen > want) return (uint64_t)i * HIST_US;
  }
  return (uint64_t)HIST_N * HIST_US;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s host port rate seconds connections timeout_ms requests-file\n", argv[0]);
    return 2;
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)atoi(argv[2]));
  inet_pton(AF_INET, argv[1], &addr.sin_addr);
  double rate = atof(argv[3]);
  double seconds = atof(argv[4]);
  maxconn = atoi(argv[5]);
  timeout_us = atol(argv[6]) * 1000;
  load_requests(argv[7]);
  conns = calloc((size_t)maxconn, sizeof *conns);
  idle_stack = calloc((size_t)maxconn, sizeof *idle_stack);
  hist = calloc(HIST_N, sizeof *hist);
  lag_hist = calloc(HIST_N, sizeof *lag_hist);
  for (int i = 0; i < maxconn; i++) conns[i].fd = -1, conns[i].req = -1;
  epfd = epoll_create1(0);
  struct epoll_event *evs = calloc(1024, sizeof *evs);

  uint64_t t0 = now_us(), end_us = t0 + (uint64_t)(seconds * 1e6);
  double interval_us = 1e6 / rate;
  long due = 0, sent = 0, backlog_max = 0, next_req = 0;
  /* Requests due but not yet sent (no free connection): their indices, FIFO. */
  long *backlog = calloc(1u << 22, sizeof *backlog);
  long bl_head = 0, bl_tail = 0;
  const long BL_MASK = (1 << 22) - 1;

  for (;;) {
    uint64_t now = now_us();
    if (now >= end_us) break;
    /* Requests whose time has come join the backlog. */
    while (t0 + (uint64_t)((double)due * interval_us) <= now) {
      backlog[bl_tail++ & BL_MASK] = due++;
    }
    /* Send the backlog on free connections, opening new ones (up to the maximum) for the rest. */
    while (bl_head < bl_tail && nidle > 0) {
      int slot = idle_stack[--nidle];
      conn_t *c = &conns[slot];
      c->in_stack = 0;
      if (c->state != 2) continue; /* closed while it waited here */
      long k = backlog[bl_head++ & BL_MASK];
      uint64_t lag = now - (t0 + (uint64_t)((double)k * interval_us));
      lag_hist[lag / HIST_US < HIST_N ? lag / HIST_US : HIST_N - 1]++;
      if (lag > lag_max) lag_max = lag;
      start(c, slot, (int)(next_req++ % nreqs));
      sent++;
    }
    while (bl_tail - bl_head > nconnecting && nopen < maxconn)
      if (openconn() < 0) break;
    if (bl_tail - bl_head > backlog_max) backlog_max = bl_tail - bl_head;
    /* Sleep until the next request is due (at least 1 ms: requests are sent in per-ms batches) or an event. */
    uint64_t next_due = t0 + (uint64_t)((double)due * interval_us);
    uint64_t until = next_due > now ? next_due - now : 0;
    int wait_ms = (int)((until + 999) / 1000);
    if (wait_ms < 1) wait_ms = 1;
    int n = epoll_wait(epfd, evs, 1024, wait_ms);
    for (int i = 0; i < n; i++) {
      int slot = (int)evs[i].data.u32;
      conn_t *c = &conns[slot];
      if (c->state == 0) continue;
      if (c->state == 1) {
        int e = 0;
        socklen_t l = sizeof e;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l);
        if (e || (evs[i].events & (EPOLLERR | EPOLLHUP))) {
          err_connect++;
          closeconn(c);
          continue;
        }
        nconnecting--;
        c->state = 2;
        want_write(c, slot, 0);
        push_idle(slot);
        continue;
      }
      if ((evs[i].events & EPOLLOUT) && c->state == 3 && c->req >= 0) {
        int r = flush(c, slot);
        if (r < 0) {
          err_write++;
          closeconn(c);
          continue;
        }
        if (r == 0) want_write(c, slot, 0);
      }
      if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        ssize_t m = read(c->fd, c->buf + c->got, BUF - 1 - c->got);
        if (m <= 0) {
          if (m < 0 && errno == EAGAIN) continue;
          if (c->state == 3) err_read++;
          closeconn(c);
          continue;
        }
        c->got += (size_t)m;
        int status;
        size_t end;
        if (c->state == 3 && complete(c, &status, &end)) {
          record(c, status, end);
          c->state = 2;
          c->req = -1;
          c->got = 0;
          push_idle(slot);
        } else if (c->got >= BUF - 1) {
          err_read++;
          closeconn(c);
        }
      }
    }
  }
  uint64_t dur = now_us() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 +
                  (double)ru.ru_stime.tv_usec;
  printf("FRONTDOOR_JSON {\"requests\":%ld,\"durationUs\":%llu,\"statuses\":{", answered, (unsigned long long)dur);
  for (int i = 0; i < nclasses; i++) printf("%s\"%s\":%ld", i ? "," : "", class_name[i], class_count[i]);
  /* Requests still unanswered: later than the timeout already (timeouts, as wrk would never count
     them), or sent within the last timeout (their fate unknown: left out). */
  long inflight = 0, unanswered_late = 0;
  uint64_t at_end = now_us();
  for (int i = 0; i < maxconn; i++)
    if (conns[i].state == 3) {
      if (at_end - conns[i].sent_us > (uint64_t)timeout_us) unanswered_late++;
      else inflight++;
    }
  err_timeout += unanswered_late;
  printf("},\"retryAfter429\":%ld,\"errors\":{\"connect\":%ld,\"read\":%ld,\"write\":%ld,\"status\":0,\"timeout\":%ld},"
         "\"latencyUs\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"max\":%llu},"
         "\"openLoop\":{\"due\":%ld,\"sent\":%ld,\"inFlightAtEnd\":%ld,\"unansweredLate\":%ld,\"backlogMax\":%ld,\"connections\":%d,"
         "\"sendLagUs\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu},\"generatorCpuUs\":%.0f}}\n",
         retry_after_429, err_connect, err_read, err_write, err_timeout, (unsigned long long)pct(hist, answered, 0.5),
         (unsigned long long)pct(hist, answered, 0.9), (unsigned long long)pct(hist, answered, 0.99),
         (unsigned long long)lat_max, due, sent, inflight, unanswered_late, backlog_max, nopen,
         (unsigned long long)pct(lag_hist, sent, 0.5), (unsigned long long)pct(lag_hist, sent, 0.99),
         (unsigned long long)lag_max, cpu_us);
  return 0;
}
