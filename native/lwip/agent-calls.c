/*
 * synack-lwip's agent, the socket API: the extended `call`, `finished` and
 * `release` operations of docs/agent-protocol.md on lwIP's raw API, one
 * table of the script's descriptors per session (`local` <-> `peer`).
 *
 * Performed: socket, bind, listen, accept, connect, send/write, recv/read,
 * shutdown, close, fcntl O_NONBLOCK, poll with a zero timeout (or one
 * already ready), ioctl SIOCINQ/SIOCOUTQ, getsockopt SO_ERROR, SO_LINGER
 * {1, 0}, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR (accepted and ignored:
 * every case has a 4-tuple of its own); everything else answers
 * `unsupported`. Calls never wait here: one that
 * would block is `pending` (the script allowed it; `finished` tries it again)
 * or `blocked`. Called with the core locked (agent.c).
 *
 * The call arrives as harness/src/target/calls.rs serialises `SockCall`
 * (serde's external tagging): {"Name":{"fd":3,...}}; results go back as
 * `SockResult`: {"ret":N,"errno":E|null,"data":...}.
 *
 * Our own code; it links against lwIP and copies none of it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/priv/tcp_priv.h"

#include "synack-lwip.h"

#define MAX_FDS 8
/* Linux's numbers: results are Linux's whatever the stack (calls.rs). */
#define L_EBADF 9
#define L_EAGAIN 11
#define L_EINVAL 22
#define L_EPIPE 32
#define L_EADDRINUSE 98
#define L_ENOTCONN 107
#define L_ECONNRESET 104
#define L_ECONNABORTED 103
#define L_ETIMEDOUT 110
#define L_ECONNREFUSED 111
#define L_EINPROGRESS 115
#define L_ENOMEM 12
#define L_O_NONBLOCK 04000
#define L_O_RDWR 2

/* ---- a growing string --------------------------------------------------- */

struct str {
    char *b;
    size_t len, cap;
};

enum kind { FREE, SOCK, BOUND, LISTENER, CONN };

struct sfd {
    long long fd;
    enum kind kind;
    int nonblock;
    int reuse;    /* SO_REUSEADDR, kept to read back */
    int linger;   /* SO_LINGER {1, 0}: close() resets */
    int rd_shut;  /* shutdown(SHUT_RD): reads return 0 */
};

struct session {
    struct session *next;
    char *local, *peer;
    ip_addr_t rip;
    u16_t rport;
    ip_addr_t lip;
    u16_t lport;
    struct sfd fds[MAX_FDS];
    int accepted;        /* the connection from peer has a descriptor */
    char *pending;       /* a pending call's text, or NULL */
    long long pending_token;
    struct str *done;    /* the pending call's result, once it returned */
    struct timespec done_at;
};

static struct session *sessions;

static void add(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct str *s, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(s->b ? s->b + s->len : NULL, s->b ? s->cap - s->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (s->b && (size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        size_t cap = (s->cap + (size_t)n + 64) * 2;
        char *b = realloc(s->b, cap);
        if (!b) {
            fprintf(stderr, PROG ": agent: out of memory\n");
            exit(1);
        }
        s->b = b;
        s->cap = cap;
    }
}

/* ---- the call's fields -------------------------------------------------- */

/* The text after `"key":` in `call`, or NULL. */
static const char *field(const char *call, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(call, pat);
    return p ? p + strlen(pat) : NULL;
}

static long long num(const char *call, const char *key, long long dflt)
{
    const char *p = field(call, key);
    return p ? strtoll(p, NULL, 10) : dflt;
}

static int flag(const char *call, const char *key)
{
    const char *p = field(call, key);
    return p && strncmp(p, "true", 4) == 0;
}

/* Whether the call is the variant `name`. */
static int is(const char *call, const char *name)
{
    size_t n = strlen(name);
    return call[0] == '{' && call[1] == '"' && strncmp(call + 2, name, n) == 0 &&
           call[2 + n] == '"';
}

/* ---- sessions and descriptors ------------------------------------------- */

static struct sfd *fd_of(struct session *s, long long fd)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (s->fds[i].kind != FREE && s->fds[i].fd == fd)
            return &s->fds[i];
    return NULL;
}

static struct sfd *fd_new(struct session *s, long long fd)
{
    struct sfd *f = fd_of(s, fd);
    for (int i = 0; !f && i < MAX_FDS; i++)
        if (s->fds[i].kind == FREE)
            f = &s->fds[i];
    if (f)
        *f = (struct sfd){.fd = fd};
    return f;
}

/* The connection of the session (from or to `peer`), looked up each time:
 * lwIP and the services free connections behind our back. */
static struct conn *conn_of(struct session *s)
{
    for (struct conn *c = conns; c; c = c->next)
        if (c->service == SCRIPTED && c->remote_port == s->rport &&
            ip_addr_cmp(&c->remote_ip, &s->rip))
            return c;
    return NULL;
}

static int parse_ep(const char *text, ip_addr_t *ip, u16_t *port)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon)
        return -1;
    const char *h = text;
    size_t n = (size_t)(colon - text);
    if (*h == '[') {
        h++;
        n -= 2;
    }
    if (n >= sizeof host)
        return -1;
    memcpy(host, h, n);
    host[n] = 0;
    *port = (u16_t)atoi(colon + 1);
    return ipaddr_aton(host, ip) ? 0 : -1;
}

static struct session *session(const char *local, const char *peer)
{
    for (struct session *s = sessions; s; s = s->next)
        if (strcmp(s->local, local) == 0 && strcmp(s->peer, peer) == 0)
            return s;
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (parse_ep(local, &s->lip, &s->lport) != 0 || parse_ep(peer, &s->rip, &s->rport) != 0) {
        free(s);
        return NULL;
    }
    s->local = strdup(local);
    s->peer = strdup(peer);
    s->next = sessions;
    sessions = s;
    return s;
}

static void session_free(struct session *s)
{
    for (struct session **p = &sessions; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    struct conn *c = conn_of(s);
    if (c)
        conn_abort(c);
    for (int i = 0; i < MAX_FDS; i++)
        if (s->fds[i].kind == LISTENER)
            unlisten(s->lport);
    free(s->local);
    free(s->peer);
    free(s->pending);
    if (s->done)
        free(s->done->b);
    free(s->done);
    free(s);
}

/* ---- the calls ---------------------------------------------------------- */

enum outcome { DONE, WOULD_BLOCK, UNSUPPORTED };

static void ret(struct str *r, long long v)
{
    add(r, "{\"ret\":%lld,\"errno\":null,\"data\":\"None\"}", v);
}

static void fail(struct str *r, int e)
{
    add(r, "{\"ret\":-1,\"errno\":%d,\"data\":\"None\"}", e);
}

/* The errno of a connection lwIP has dropped. */
static int gone(const struct conn *c, int connecting)
{
    if (!c)
        return L_ENOTCONN;
    switch (c->error) {
    case ERR_RST: return connecting ? L_ECONNREFUSED : L_ECONNRESET;
    case ERR_ABRT: return connecting ? L_ETIMEDOUT : L_ECONNABORTED;
    default: return c->finished ? L_EPIPE : L_ENOTCONN;
    }
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)pcb;
    struct conn *c = arg;
    if (c)
        c->connected = err == ERR_OK;
    calls_wake();
    return ERR_OK;
}

/* Linux's poll bits (calls.rs, `events`). */
#define P_IN 0x001
#define P_OUT 0x004
#define P_ERR 0x008
#define P_HUP 0x010
#define P_NVAL 0x020
#define P_RDNORM 0x040
#define P_WRNORM 0x100
#define P_RDHUP 0x2000

/* What poll() reports for one descriptor, before masking. */
static unsigned readiness(struct session *s, long long fd)
{
    struct sfd *f = fd_of(s, fd);
    if (!f)
        return P_NVAL;
    struct conn *c = conn_of(s);
    if (f->kind == LISTENER)
        return c && !s->accepted ? P_IN | P_RDNORM : 0;
    if (f->kind != CONN)
        return P_OUT | P_WRNORM | P_HUP; /* an unconnected socket, as Linux's */
    if (!c)
        return P_HUP;
    unsigned m = 0;
    if (c->in_len > 0)
        m |= P_IN | P_RDNORM;
    if (c->peer_closed || f->rd_shut)
        m |= P_IN | P_RDNORM | P_RDHUP;
    if (!c->pcb) {
        m |= P_IN | P_RDNORM | P_RDHUP | P_HUP;
        if (c->error == ERR_RST || c->error == ERR_ABRT)
            m |= P_ERR;
        return m;
    }
    enum tcp_state st = c->pcb->state;
    if ((st == ESTABLISHED || st == CLOSE_WAIT) && tcp_sndbuf(c->pcb) > 0)
        m |= P_OUT | P_WRNORM;
    return m;
}

/* poll(): each entry's revents (what was asked, and ERR, HUP, NVAL); one
 * that would wait is performed only with a zero timeout. */
static enum outcome poll_call(struct session *s, const char *call, struct str *r,
                              const char **why)
{
    const char *p = field(call, "fds");
    if (!p || *p != '[')
        return fail(r, L_EINVAL), DONE;
    unsigned rev[16];
    int n = 0, ready = 0;
    for (p++; *p == '[' && n < 16;) {
        char *end;
        long long fd = strtoll(p + 1, &end, 10);
        if (*end != ',')
            return fail(r, L_EINVAL), DONE;
        unsigned long ev = strtoul(end + 1, &end, 10);
        if (*end != ']')
            return fail(r, L_EINVAL), DONE;
        rev[n] = readiness(s, fd) & ((unsigned)ev | P_ERR | P_HUP | P_NVAL);
        ready += rev[n] != 0;
        n++;
        p = end + 1;
        if (*p == ',')
            p++;
    }
    if (!ready && num(call, "timeout_ms", 0) != 0) {
        *why = "poll with a timeout on lwIP's agent (only a zero timeout)";
        return UNSUPPORTED;
    }
    add(r, "{\"ret\":%d,\"errno\":null,\"data\":{\"Revents\":[", ready);
    for (int i = 0; i < n; i++)
        add(r, i ? ",%u" : "%u", rev[i]);
    add(r, "]}}");
    return DONE;
}

/* One call, tried now. DONE: `r` holds the SockResult. */
static enum outcome try_call(struct session *s, const char *call, struct str *r, const char **why)
{
    if (is(call, "Poll"))
        return poll_call(s, call, r, why);
    if (is(call, "EpollCreate") || is(call, "EpollCtl") || is(call, "EpollWait")) {
        *why = "epoll on lwIP's agent";
        return UNSUPPORTED;
    }
    long long fd = num(call, "fd", -1);
    struct sfd *f = fd_of(s, fd);
    if (is(call, "Socket")) {
        if (!(f = fd_new(s, fd)))
            return fail(r, 24), DONE; /* EMFILE */
        f->kind = SOCK;
        f->nonblock = flag(call, "nonblock");
        return ret(r, fd), DONE;
    }
    if (!f)
        return fail(r, L_EBADF), DONE;
    struct conn *c = conn_of(s);
    if (is(call, "Bind")) {
        if (f->kind != SOCK)
            return fail(r, L_EINVAL), DONE;
        f->kind = BOUND;
        return ret(r, 0), DONE;
    }
    if (is(call, "Listen")) {
        if (f->kind == LISTENER)
            return ret(r, 0), DONE;
        if (f->kind != BOUND)
            return fail(r, L_EINVAL), DONE;
        if (listen_on(s->lport, SCRIPTED) != 0)
            return fail(r, L_EADDRINUSE), DONE;
        f->kind = LISTENER;
        return ret(r, 0), DONE;
    }
    if (is(call, "Accept")) {
        if (f->kind != LISTENER)
            return fail(r, L_EINVAL), DONE;
        if (!c || s->accepted)
            return f->nonblock ? (fail(r, L_EAGAIN), DONE) : WOULD_BLOCK;
        struct sfd *n = fd_new(s, num(call, "new_fd", -1));
        if (!n)
            return fail(r, 24), DONE;
        n->kind = CONN;
        n->nonblock = flag(call, "nonblock");
        n->reuse = f->reuse; /* inherited from the listener, as on Linux */
        s->accepted = 1;
        return ret(r, n->fd), DONE;
    }
    if (is(call, "Connect")) {
        if (f->kind == CONN) { /* a second connect: how the first went */
            if (c && c->connected)
                return ret(r, 0), DONE;
            if (c && c->pcb && c->pcb->state == SYN_SENT)
                return f->nonblock ? (fail(r, 114), DONE) : WOULD_BLOCK; /* EALREADY */
            return fail(r, gone(c, 1)), DONE;
        }
        if (f->kind != SOCK && f->kind != BOUND)
            return fail(r, L_EINVAL), DONE;
        struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&s->rip));
        if (!pcb)
            return fail(r, L_ENOMEM), DONE;
        if (tcp_bind(pcb, &s->lip, s->lport) != ERR_OK) {
            tcp_abort(pcb);
            return fail(r, L_EADDRINUSE), DONE;
        }
        err_t e = tcp_connect(pcb, &s->rip, s->rport, on_connected);
        if (e != ERR_OK || !(c = conn_attach(pcb, SCRIPTED))) {
            tcp_abort(pcb);
            return fail(r, L_ENOMEM), DONE;
        }
        f->kind = CONN;
        s->accepted = 1;
        if (f->nonblock)
            return fail(r, L_EINPROGRESS), DONE;
        /* A blocking connect: `finished` sees it through the branch above. */
        return WOULD_BLOCK;
    }
    if (is(call, "SetFl")) {
        f->nonblock = flag(call, "nonblock");
        return ret(r, 0), DONE;
    }
    if (is(call, "GetFl"))
        return ret(r, L_O_RDWR | (f->nonblock ? L_O_NONBLOCK : 0)), DONE;
    const char *opt = field(call, "opt");
    struct tcp_pcb *pcb = f->kind == CONN && c ? c->pcb : NULL;
    if (is(call, "SetOpt")) {
        const char *v = field(call, "value");
        long long iv = num(call, "Int", 0);
        if (opt && strncmp(opt, "\"ReuseAddr\"", 11) == 0) {
            f->reuse = iv != 0; /* each case has its own 4-tuple: nothing to do */
            return ret(r, 0), DONE;
        }
        if (opt && strncmp(opt, "\"Linger\"", 8) == 0 && v) {
            if (num(call, "onoff", 0) && num(call, "linger", 1) != 0) {
                *why = "setsockopt SO_LINGER with a time (lwIP's raw API has none)";
                return UNSUPPORTED;
            }
            f->linger = num(call, "onoff", 0) != 0;
            return ret(r, 0), DONE;
        }
        if (opt && strncmp(opt, "\"NoDelay\"", 9) == 0 && pcb) {
            if (iv)
                tcp_nagle_disable(pcb);
            else
                tcp_nagle_enable(pcb);
            return ret(r, 0), DONE;
        }
        if (opt && strncmp(opt, "\"KeepAlive\"", 11) == 0 && pcb) {
            if (iv)
                ip_set_option(pcb, SOF_KEEPALIVE);
            else
                ip_reset_option(pcb, SOF_KEEPALIVE);
            return ret(r, 0), DONE;
        }
        /* The keep-alive idle time and interval (lwIP's pcb keeps them in
         * ms, LWIP_TCP_KEEPALIVE; TCP_KEEPIDLE's and TCP_KEEPINTVL's are
         * seconds, at least 1 as on Linux). */
        if (opt && (strncmp(opt, "\"KeepIdle\"", 10) == 0 ||
                    strncmp(opt, "\"KeepIntvl\"", 11) == 0) && pcb) {
            if (iv < 1 || iv > 32767)
                return fail(r, L_EINVAL), DONE;
            if (strncmp(opt, "\"KeepIdle\"", 10) == 0)
                pcb->keep_idle = (u32_t)iv * 1000;
            else
                pcb->keep_intvl = (u32_t)iv * 1000;
            return ret(r, 0), DONE;
        }
        if (opt && (strncmp(opt, "\"RcvBuf\"", 8) == 0 || strncmp(opt, "\"SndBuf\"", 8) == 0)) {
            *why = "setsockopt SO_RCVBUF/SO_SNDBUF: lwIP's raw API has no per-connection buffer "
                   "size (the receive window is TCP_WND and the send buffer TCP_SND_BUF, "
                   "compile-time constants: 65,535 octets in Debian's lwipopts.h)";
            return UNSUPPORTED;
        }
        if (opt && strncmp(opt, "\"UserTimeout\"", 13) == 0) {
            *why = "setsockopt TCP_USER_TIMEOUT: lwIP's raw API has no user timeout (R2 is "
                   "TCP_MAXRTX retransmissions, a compile-time constant)";
            return UNSUPPORTED;
        }
        *why = "setsockopt: lwIP's agent sets SO_REUSEADDR, SO_LINGER {1, 0}, and on a "
               "connection TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL";
        return UNSUPPORTED;
    }
    if (is(call, "GetOpt")) {
        int v = -1;
        if (opt && strncmp(opt, "\"ReuseAddr\"", 11) == 0)
            v = f->reuse;
        else if (opt && strncmp(opt, "\"NoDelay\"", 9) == 0 && pcb)
            v = tcp_nagle_disabled(pcb) ? 1 : 0;
        else if (opt && strncmp(opt, "\"KeepAlive\"", 11) == 0 && pcb)
            v = ip_get_option(pcb, SOF_KEEPALIVE) ? 1 : 0;
        else if (opt && strncmp(opt, "\"KeepIdle\"", 10) == 0 && pcb)
            v = (int)(pcb->keep_idle / 1000);
        else if (opt && strncmp(opt, "\"KeepIntvl\"", 11) == 0 && pcb)
            v = (int)(pcb->keep_intvl / 1000);
        if (v >= 0) {
            add(r, "{\"ret\":0,\"errno\":null,\"data\":{\"Opt\":{\"Int\":%d}}}", v);
            return DONE;
        }
        if (opt && strncmp(opt, "\"Linger\"", 8) == 0) {
            add(r,
                "{\"ret\":0,\"errno\":null,\"data\":{\"Opt\":{\"Linger\":"
                "{\"onoff\":%d,\"linger\":0}}}}",
                f->linger);
            return DONE;
        }
        if (!opt || strncmp(opt, "\"Error\"", 7) != 0) {
            *why = "getsockopt: lwIP's agent reads SO_ERROR, SO_REUSEADDR, SO_LINGER, and on "
                   "a connection TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL";
            return UNSUPPORTED;
        }
        int e = 0;
        if (f->kind == CONN && c && !c->pcb && c->error != ERR_OK) {
            e = gone(c, !c->connected);
            c->error = ERR_OK; /* read once, as SO_ERROR clears */
        }
        add(r, "{\"ret\":0,\"errno\":null,\"data\":{\"Opt\":{\"Int\":%d}}}", e);
        return DONE;
    }
    if (is(call, "Close")) {
        if (f->kind == CONN && c) {
            if (c->pcb && !f->linger)
                conn_close(c);
            else
                conn_abort(c); /* frees what is left */
        }
        if (f->kind == LISTENER)
            unlisten(s->lport);
        f->kind = FREE;
        return ret(r, 0), DONE;
    }
    if (f->kind != CONN)
        return fail(r, L_ENOTCONN), DONE;
    if (is(call, "InQueue") || is(call, "OutQueue")) {
        long long q = 0;
        if (is(call, "InQueue"))
            q = c ? (long long)c->in_len : 0;
        else if (c && c->pcb && c->pcb->state != SYN_SENT && c->pcb->state != SYN_RCVD)
            q = (u32_t)(c->pcb->snd_lbb - c->pcb->lastack);
        add(r, "{\"ret\":0,\"errno\":null,\"data\":{\"Opt\":{\"Int\":%lld}}}", q);
        return DONE;
    }
    if (is(call, "Shutdown")) {
        if (!c || !c->pcb)
            return fail(r, L_ENOTCONN), DONE;
        const char *how = field(call, "how");
        int rx = how && (strncmp(how, "\"Rd", 3) == 0);
        int tx = how && (strncmp(how, "\"Wr", 3) == 0 || strncmp(how, "\"RdWr", 5) == 0);
        if (rx)
            f->rd_shut = 1;
        if (rx && tx) {
            conn_close(c); /* lwIP's shutdown of both is its close */
        } else if (tcp_shutdown(c->pcb, rx, tx) != ERR_OK) {
            return fail(r, L_ENOTCONN), DONE;
        }
        return ret(r, 0), DONE;
    }
    if (is(call, "Send")) {
        long long flags = num(call, "flags", 0);
        if (flags != 0) {
            *why = "send flags";
            return UNSUPPORTED;
        }
        if (!c || !c->pcb || c->finished)
            return fail(r, c && c->error == ERR_RST ? L_ECONNRESET : L_EPIPE), DONE;
        if (c->pcb->state == SYN_SENT || c->pcb->state == SYN_RCVD)
            return f->nonblock ? (fail(r, L_EAGAIN), DONE) : WOULD_BLOCK;
        const char *p = field(call, "bytes");
        if (!p || *p != '[')
            return fail(r, L_EINVAL), DONE;
        size_t room = tcp_sndbuf(c->pcb), n = 0;
        unsigned char *buf = malloc(strlen(p) / 2 + 1);
        if (!buf)
            return fail(r, L_ENOMEM), DONE;
        for (p++; *p && *p != ']';) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p)
                break;
            buf[n++] = (unsigned char)v;
            p = *end == ',' ? end + 1 : end;
        }
        size_t take = n < room ? n : room;
        if (n > 0 && take == 0) {
            free(buf);
            return f->nonblock ? (fail(r, L_EAGAIN), DONE) : WOULD_BLOCK;
        }
        err_t e = take ? tcp_write(c->pcb, buf, (u16_t)take, TCP_WRITE_FLAG_COPY) : ERR_OK;
        free(buf);
        if (e == ERR_MEM)
            return f->nonblock ? (fail(r, L_EAGAIN), DONE) : WOULD_BLOCK;
        if (e != ERR_OK)
            return fail(r, L_EPIPE), DONE;
        tcp_output(c->pcb);
        return ret(r, (long long)take), DONE;
    }
    if (is(call, "Recv")) {
        if (num(call, "flags", 0) != 0) {
            *why = "recv flags";
            return UNSUPPORTED;
        }
        if (f->rd_shut)
            return ret(r, 0), DONE;
        long long max = num(call, "len", 0);
        if (max < 0 || max > (1 << 20))
            max = 1 << 20;
        if (!c)
            return fail(r, L_ENOTCONN), DONE;
        unsigned char *buf = malloc((size_t)max + 1);
        if (!buf)
            return fail(r, L_ENOMEM), DONE;
        size_t n = conn_read(c, buf, (size_t)max);
        if (n == 0 && max > 0) {
            free(buf);
            if (c->peer_closed)
                return ret(r, 0), DONE;
            if (!c->pcb)
                return fail(r, gone(c, 0)), DONE;
            return f->nonblock ? (fail(r, L_EAGAIN), DONE) : WOULD_BLOCK;
        }
        add(r, "{\"ret\":%zu,\"errno\":null,\"data\":{\"Bytes\":[", n);
        for (size_t i = 0; i < n; i++)
            add(r, i ? ",%u" : "%u", buf[i]);
        add(r, "]}}");
        free(buf);
        return DONE;
    }
    *why = "this call on lwIP's agent (it performs socket, bind, listen, accept, connect, "
           "send, recv, shutdown, close, fcntl O_NONBLOCK, getsockopt SO_ERROR)";
    return UNSUPPORTED;
}

/* Tries the session's pending call again; when it returns, keeps its
 * result and the time it returned. */
static void wake(struct session *s)
{
    if (!s->pending || s->done)
        return;
    struct str r = {0};
    const char *why = NULL;
    if (try_call(s, s->pending, &r, &why) != DONE) {
        free(r.b);
        return;
    }
    if (!(s->done = malloc(sizeof *s->done))) {
        fprintf(stderr, PROG ": agent: out of memory\n");
        exit(1);
    }
    *s->done = r;
    clock_gettime(CLOCK_MONOTONIC, &s->done_at);
}

void calls_wake(void)
{
    for (struct session *s = sessions; s; s = s->next)
        wake(s);
}

/* ---- the operations ----------------------------------------------------- */

static char *reply_why(long long id, const char *kind, const char *why)
{
    struct str o = {0};
    add(&o, "{\"id\":%lld,\"ok\":false,\"%s\":\"%s\"}", id, kind, why);
    return o.b;
}

char *calls_perform(long long id, const char *op, const char *local, const char *peer,
                    const char *call, int may_block, long long token)
{
    if (!local || !peer)
        return reply_why(id, "error", "`local` and `peer` are wanted");
    if (strcmp(op, "release") == 0) {
        for (struct session *s = sessions; s; s = s->next)
            if (strcmp(s->local, local) == 0 && strcmp(s->peer, peer) == 0) {
                session_free(s);
                break;
            }
        struct str o = {0};
        add(&o, "{\"id\":%lld,\"ok\":true}", id);
        return o.b;
    }
    struct session *s = session(local, peer);
    if (!s)
        return reply_why(id, "error", "`local` or `peer` is not an address");
    struct str o = {0}, r = {0};
    const char *why = NULL;
    if (strcmp(op, "finished") == 0) {
        add(&o, "{\"id\":%lld,\"ok\":true", id);
        wake(s);
        if (s->done) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long long ago = (now.tv_sec - s->done_at.tv_sec) * 1000000LL +
                            (now.tv_nsec - s->done_at.tv_nsec) / 1000;
            add(&o, ",\"token\":%lld,\"result\":%s,\"ago_us\":%lld", s->pending_token,
                s->done->b, ago > 0 ? ago : 0);
            free(s->pending);
            s->pending = NULL;
            free(s->done->b);
            free(s->done);
            s->done = NULL;
        }
        add(&o, "}");
        return o.b;
    }
    if (!call)
        return reply_why(id, "error", "call: `call` is wanted");
    if (s->pending)
        return reply_why(id, "unsupported", "a call while another of the session blocks");
    switch (try_call(s, call, &r, &why)) {
    case DONE:
        add(&o, "{\"id\":%lld,\"ok\":true,\"status\":\"done\",\"result\":%s}", id, r.b);
        break;
    case WOULD_BLOCK:
        if (may_block) {
            s->pending = strdup(call);
            s->pending_token = token;
        }
        add(&o, "{\"id\":%lld,\"ok\":true,\"status\":\"%s\"}", id,
            may_block ? "pending" : "blocked");
        break;
    case UNSUPPORTED:
        free(r.b);
        return reply_why(id, "unsupported", why);
    }
    free(r.b);
    return o.b;
}

void calls_forget(void)
{
    while (sessions)
        session_free(sessions);
}
